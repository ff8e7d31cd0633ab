"""Subscriptions: quote, payment, activation, coverage of a network, credits, fair-use quotas and usage."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.api.fields import BoundedDateField
from backend.api.filters import IdFilter
from backend.api.permissions import IsCinemaStaff, IsInstitutionStaffOrCinemaStaff
from backend.api.schema import ErrorSerializer
from subscriptions import selectors
from subscriptions.models import (
    Plan,
    ScreeningCreditEntry,
    Subscription,
)
from subscriptions.services import billing, quotas
from subscriptions.services import subscriptions as subscription_services


class SubscriptionStatusField(serializers.ChoiceField):
    """The status as it stands today (`selectors.subscription_status`): an active
    subscription whose period is over is listed expired, even before the daily job."""

    def __init__(self, **kwargs):
        super().__init__(choices=Subscription.Status.choices, source="*", read_only=True, **kwargs)

    def to_representation(self, subscription):
        return selectors.subscription_status(subscription)


class SubscriptionSerializer(serializers.ModelSerializer):
    status = SubscriptionStatusField()
    subscriber_name = serializers.CharField(source="subscriber.name", read_only=True)
    plan_name = serializers.CharField(source="plan.name", read_only=True)
    plan_kind = serializers.CharField(source="plan.kind", read_only=True)
    # "" until a payment is asked for (read-only model fields lose `blank` in DRF)
    payment_method = serializers.ChoiceField(
        choices=Subscription.PaymentMethod.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Subscription
        fields = [
            "id",
            "subscriber",
            "subscriber_name",
            "plan",
            "plan_name",
            "plan_kind",
            "starts_on",
            "ends_on",
            "status",
            "population_served",
            "price_excl_vat",
            "vat_rate",
            "price_incl_vat",
            "payment_method",
            "purchase_order_reference",
            "previous",
            "activated_at",
            "cancelled_at",
        ]
        read_only_fields = fields


class SubscriptionCreateSerializer(serializers.Serializer):
    subscriber = serializers.IntegerField(min_value=1)
    plan = serializers.PrimaryKeyRelatedField(queryset=Plan.objects.select_related("grid"))
    starts_on = BoundedDateField()


class PaymentRequestSerializer(serializers.Serializer):
    payment_method = serializers.ChoiceField(choices=Subscription.PaymentMethod.choices)
    purchase_order_reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True
    )


class PaymentStartSerializer(SubscriptionSerializer):
    # A plain string here keeps the status enum to one component (SubscriptionStatusEnum)
    status = serializers.CharField(read_only=True, help_text="as in Subscription")
    checkout_url = serializers.URLField(
        read_only=True,
        allow_null=True,
        help_text="Stripe Checkout, for card and SEPA debit; null otherwise",
    )

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "checkout_url"]
        read_only_fields = fields


class CreditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = ScreeningCreditEntry
        fields = ["id", "kind", "quantity", "booking", "note", "created_at"]


class CoveredLibrarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()


class SubscriptionFilter(filters.FilterSet):
    # the status as listed (an active subscription whose period ended is expired)
    status = filters.MultipleChoiceFilter(
        field_name="current_status", choices=Subscription.Status.choices
    )
    subscriber = IdFilter(field_name="subscriber_id")
    active_on = filters.DateFilter(method="filter_active_on")

    class Meta:
        model = Subscription
        fields = []

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)


class QuotasSerializer(serializers.ModelSerializer):
    class Meta:
        model = Subscription
        fields = [
            "patron_monthly_films",
            "library_daily_films",
            "library_annual_films",
            "viewing_window_hours",
        ]
        extra_kwargs = {
            "patron_monthly_films": {"min_value": 1, "max_value": 1000},
            "library_daily_films": {"min_value": 1, "max_value": 1_000_000},
            "library_annual_films": {"min_value": 1, "max_value": 100_000_000},
            "viewing_window_hours": {"min_value": 1, "max_value": 720},
        }


class LibraryUsageSerializer(serializers.Serializer):
    library = serializers.IntegerField()
    name = serializers.CharField()
    films_today = serializers.IntegerField()
    films_this_month = serializers.IntegerField()
    films_this_year = serializers.IntegerField()
    patrons_at_monthly_quota = serializers.IntegerField()
    annual_alerts = serializers.ListField(child=serializers.IntegerField())


class UsageSerializer(serializers.Serializer):
    subscription = serializers.IntegerField()
    on = serializers.DateField()
    patron_monthly_films = serializers.IntegerField(allow_null=True)
    library_daily_films = serializers.IntegerField(allow_null=True)
    library_annual_films = serializers.IntegerField(allow_null=True)
    viewing_window_hours = serializers.IntegerField()
    libraries = LibraryUsageSerializer(many=True)


class SubscriptionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Subscriptions: an institution's own (and those of the networks covering it); all of
    them for the cinema staff. Institution admins ask for quotes and choose how to pay;
    the cinema staff activate."""

    permission_classes = [IsInstitutionStaffOrCinemaStaff]
    serializer_class = SubscriptionSerializer
    filterset_class = SubscriptionFilter
    ordering_fields = ["starts_on", "ends_on", "price_excl_vat"]

    def get_queryset(self):
        return selectors.subscriptions_visible_to(self.request.user)

    def get_object(self):
        return selectors.subscription_get_for(self.request.user, self.kwargs["pk"])

    def _check_may_buy(self, subscriber_id):
        return selectors.subscriber_get_for_purchase(self.request.user, subscriber_id)

    @extend_schema(request=SubscriptionCreateSerializer, responses={201: SubscriptionSerializer})
    def create(self, request):
        """A quote for a plan, priced for the subscriber's population served."""
        data = SubscriptionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscriber = self._check_may_buy(data.validated_data["subscriber"])
        subscription = subscription_services.subscription_quote_create(
            subscriber=subscriber,
            plan=data.validated_data["plan"],
            starts_on=data.validated_data["starts_on"],
            created_by=request.user,
        )
        return Response(SubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=QuotasSerializer, responses=QuotasSerializer)
    @action(detail=True, methods=["get", "patch"])
    def quotas(self, request, pk=None):
        """The fair-use limits of streaming (empty: no limit): films per patron per month,
        per library per day and per subscription year, and the viewing window within which
        a restarted film is not counted again. Set by the subscriber's administrators (a
        network for all its members) or the cinema staff."""
        subscription = self.get_object()
        if request.method == "PATCH":
            self._check_may_buy(subscription.subscriber_id)
            data = QuotasSerializer(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            subscription = quotas.subscription_quotas_set(
                subscription=subscription, **data.validated_data
            )
        return Response(QuotasSerializer(subscription).data)

    @extend_schema(responses=UsageSerializer)
    @action(detail=True, methods=["get"])
    def usage(self, request, pk=None):
        """Current use against every quota and cap, per library the subscription covers
        (a member library's staff see their own library only)."""
        subscription = self.get_object()
        usage = quotas.subscription_usage(subscription=subscription)
        user = request.user
        if not user.is_cinema_staff and user.institution_id != subscription.subscriber_id:
            usage["libraries"] = [
                row for row in usage["libraries"] if row["library"] == user.institution_id
            ]
        return Response(UsageSerializer(usage).data)

    @extend_schema(
        request=PaymentRequestSerializer,
        responses={200: PaymentStartSerializer, 409: ErrorSerializer, 502: ErrorSerializer},
    )
    @action(detail=True, methods=["post"], url_path="request-payment")
    def request_payment(self, request, pk=None):
        """Accept the quote and choose the payment: card or SEPA debit (Stripe; answers
        the `checkout_url` to send the payer to; asked again while the payment is awaited,
        the page still open, or a fresh one once it expired — 409 `already_paid` once it
        was paid), or an administrative invoice (issued at once). Stripe failing or
        refusing answers 502 `payment_provider_error` and changes nothing."""
        subscription = self.get_object()
        self._check_may_buy(subscription.subscriber_id)
        data = PaymentRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        started = billing.subscription_payment_start(
            subscription=subscription, **data.validated_data
        )
        body = SubscriptionSerializer(started.subscription).data
        return Response({**body, "checkout_url": started.checkout_url})

    @extend_schema(request=None, responses=SubscriptionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsCinemaStaff])
    def activate(self, request, pk=None):
        """Staff: activate (payment received or waived); the screening allowance is credited."""
        subscription = subscription_services.subscription_activate(
            subscription=self.get_object(), by=request.user
        )
        return Response(SubscriptionSerializer(subscription).data)

    @extend_schema(request=None, responses=SubscriptionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        subscription = self.get_object()
        self._check_may_buy(subscription.subscriber_id)
        subscription = subscription_services.subscription_cancel(
            subscription=subscription, by=request.user
        )
        return Response(SubscriptionSerializer(subscription).data)

    @extend_schema(request=None, responses={201: SubscriptionSerializer})
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        """A quote for the next period with the grid of that year."""
        subscription = self.get_object()
        self._check_may_buy(subscription.subscriber_id)
        renewal = subscription_services.subscription_renew(
            subscription=subscription, by=request.user
        )
        return Response(SubscriptionSerializer(renewal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses=inline_serializer(
            "CreditLedger",
            {
                "balance": serializers.IntegerField(),
                "entries": CreditEntrySerializer(many=True),
            },
        )
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def credits(self, request, pk=None):
        """The screening-credit ledger and its balance (a network's member library sees
        the other members' bookings as anonymous movements)."""
        subscription = self.get_object()
        entries = selectors.credit_entries_seen_by(request.user, subscription)
        return Response(
            {
                "balance": selectors.credit_balance(subscription.pk),
                "entries": CreditEntrySerializer(entries, many=True).data,
            }
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("on", OpenApiTypes.DATE, description=_("The day (default: today)."))
        ],
        responses=CoveredLibrarySerializer(many=True),
    )
    @action(detail=True, methods=["get"], filterset_class=None, filter_backends=[])
    def libraries(self, request, pk=None):
        """The libraries covered today (or `?on=YYYY-MM-DD`)."""
        subscription = self.get_object()
        on = serializers.DateField().run_validation(
            request.query_params.get("on") or timezone.localdate().isoformat()
        )
        qs = selectors.libraries_covered(subscription=subscription, on=on).order_by("name", "pk")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(CoveredLibrarySerializer(page, many=True).data)
