"""Subscriptions API: plans and quotes (public), subscriptions, screening bookings,
patrons and their login, invoices. Views validate, call one service or selector, and
serialize; every private object is fetched through `selectors.*_get_for(user, id)`."""

from __future__ import annotations

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.api.client import client_ip
from backend.api.filters import IdFilter
from backend.api.permissions import IsCinemaStaff, IsInstitutionStaffOrCinemaStaff
from backend.errors import ApplicationError
from institutions.selectors import institution_get_for, institution_private_get_for
from subscriptions import selectors
from subscriptions.errors import PatronErrorCode
from subscriptions.models import (
    Invoice,
    Patron,
    Plan,
    PriceTier,
    ScreeningBooking,
    ScreeningCreditEntry,
    Subscription,
)
from subscriptions.services import billing, patrons, quotas, screenings, webhooks
from subscriptions.services import subscriptions as subscription_services


# --- plans ------------------------------------------------------------------------------
class PriceTierSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceTier
        fields = ["id", "population_from", "population_to", "price_excl_vat"]


class PlanSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="grid.year", read_only=True)
    vat_rate = serializers.DecimalField(
        source="grid.vat_rate", max_digits=5, decimal_places=4, read_only=True
    )
    tiers = PriceTierSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "year",
            "code",
            "name",
            "kind",
            "screenings_per_year",
            "includes_streaming",
            "max_concurrent_streams",
            "vat_rate",
            "tiers",
        ]


class QuoteInputSerializer(serializers.Serializer):
    population = serializers.IntegerField(min_value=0, required=False)
    institution = serializers.IntegerField(min_value=1, required=False)

    def validate(self, attrs):
        if ("population" in attrs) == ("institution" in attrs):
            raise serializers.ValidationError(
                _("Give either a population served or an institution."), code="required"
            )
        return attrs


class QuoteSerializer(serializers.Serializer):
    plan = serializers.IntegerField(source="plan.pk")
    population_served = serializers.IntegerField()
    tier = PriceTierSerializer()
    price_excl_vat = serializers.DecimalField(max_digits=10, decimal_places=2)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    vat_amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    price_incl_vat = serializers.DecimalField(max_digits=10, decimal_places=2)


class PlanFilter(filters.FilterSet):
    year = filters.NumberFilter(method="filter_year")
    kind = filters.ChoiceFilter(choices=Plan.Kind.choices)

    class Meta:
        model = Plan
        fields = []

    def filter_year(self, queryset, name, value):
        return queryset.filter(grid__year=value)


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """The tariff grid, public: plans of a year (`?year=`, this year's by default) with
    their price tiers by population served."""

    permission_classes = [AllowAny]
    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    ordering_fields = ["screenings_per_year", "code"]

    def get_queryset(self):
        qs = (
            Plan.objects.select_related("grid")
            .prefetch_related("tiers")
            .order_by("-grid__year", "kind", "screenings_per_year", "pk")
        )
        if self.action == "list" and "year" not in self.request.query_params:
            qs = qs.filter(grid__year=selectors.grid_year_in_force(timezone.localdate()))
        return qs

    @extend_schema(
        parameters=[
            OpenApiParameter("population", int, description="population served"),
            OpenApiParameter("institution", int, description="an institution you may see"),
        ],
        responses=QuoteSerializer,
    )
    @action(detail=True, methods=["get"])
    def quote(self, request, pk=None):
        """The price of this plan, before and after VAT, with the tier that applied."""
        plan = self.get_object()
        data = QuoteInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        if "institution" in data.validated_data:
            if not request.user.is_authenticated:
                raise ApplicationError(
                    "not_authenticated", _("Log in to quote for an institution."), status=401
                )
            institution = institution_get_for(request.user, data.validated_data["institution"])
            population = institution.population_served
        else:
            population = data.validated_data["population"]
        quote = selectors.plan_quote(plan=plan, population_served=population)
        return Response(QuoteSerializer(quote).data)


# --- subscriptions ----------------------------------------------------------------------
class SubscriptionSerializer(serializers.ModelSerializer):
    subscriber_name = serializers.CharField(source="subscriber.name", read_only=True)
    plan_name = serializers.CharField(source="plan.name", read_only=True)
    plan_kind = serializers.CharField(source="plan.kind", read_only=True)

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
    starts_on = serializers.DateField()


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
    status = filters.MultipleChoiceFilter(choices=Subscription.Status.choices)
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
        user = self.request.user
        if user.is_cinema_staff:
            return institution_get_for(user, subscriber_id)
        if not user.is_institution_admin:
            raise ApplicationError(
                "permission_denied",
                _("Only an institution administrator can commit it."),
                status=403,
            )
        return institution_private_get_for(user, subscriber_id)

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

    @extend_schema(request=PaymentRequestSerializer, responses=PaymentStartSerializer)
    @action(detail=True, methods=["post"], url_path="request-payment")
    def request_payment(self, request, pk=None):
        """Accept the quote and choose the payment: card or SEPA debit (Stripe; answers
        the `checkout_url` to send the payer to, and a fresh one when asked again while the
        payment is awaited), or an administrative invoice (issued at once)."""
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

    @extend_schema(responses=CreditEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def credits(self, request, pk=None):
        """The screening-credit ledger and its balance."""
        subscription = self.get_object()
        entries = subscription.credit_entries.order_by("created_at", "pk")
        return Response(
            {
                "balance": selectors.credit_balance(subscription.pk),
                "entries": CreditEntrySerializer(entries, many=True).data,
            }
        )

    @extend_schema(responses=CoveredLibrarySerializer(many=True))
    @action(detail=True, methods=["get"])
    def libraries(self, request, pk=None):
        """The libraries covered today (or `?on=YYYY-MM-DD`)."""
        subscription = self.get_object()
        on = serializers.DateField().run_validation(
            request.query_params.get("on") or timezone.localdate().isoformat()
        )
        qs = selectors.libraries_covered(subscription=subscription, on=on).order_by("name", "pk")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(CoveredLibrarySerializer(page, many=True).data)


# --- screenings -------------------------------------------------------------------------
class BookingSerializer(serializers.ModelSerializer):
    film_title = serializers.CharField(source="film.title", read_only=True)

    class Meta:
        model = ScreeningBooking
        fields = [
            "id",
            "library",
            "subscription",
            "film",
            "film_title",
            "starts_at",
            "venue",
            "expected_audience",
            "actual_attendance",
            "status",
            "created_at",
            "cancelled_at",
        ]
        read_only_fields = fields


class BookingCreateSerializer(serializers.Serializer):
    film = serializers.IntegerField(min_value=1)
    starts_at = serializers.DateTimeField()
    venue = serializers.CharField(max_length=200)
    expected_audience = serializers.IntegerField(min_value=1, max_value=100_000)
    library = serializers.IntegerField(
        min_value=1, required=False, help_text="cinema staff booking for a library"
    )


class AttendanceSerializer(serializers.Serializer):
    actual_attendance = serializers.IntegerField(min_value=0, max_value=100_000)


class BookingFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=ScreeningBooking.Status.choices)
    film = IdFilter(field_name="film_id")
    starts_after = filters.DateFilter(field_name="starts_at", lookup_expr="date__gte")
    starts_before = filters.DateFilter(field_name="starts_at", lookup_expr="date__lte")

    class Meta:
        model = ScreeningBooking
        fields = []


class ScreeningBookingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Public screenings booked by a library (its own only)."""

    permission_classes = [IsInstitutionStaffOrCinemaStaff]
    serializer_class = BookingSerializer
    filterset_class = BookingFilter
    ordering_fields = ["starts_at", "created_at"]

    def get_queryset(self):
        return selectors.bookings_visible_to(self.request.user)

    def get_object(self):
        return selectors.booking_get_for(self.request.user, self.kwargs["pk"])

    @extend_schema(request=BookingCreateSerializer, responses={201: BookingSerializer})
    def create(self, request):
        """Book: refused with a reason code when no subscription covers the library that
        day (`no_subscription`), no credit is left (`no_credit_left`), the rights do not
        allow it (the rights engine's code), or the date is past (`date_in_past`)."""
        from catalogue.selectors import films_visible_to

        data = BookingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        library_id = data.validated_data.get("library") or user.institution_id
        if not user.is_cinema_staff:
            library_id = user.institution_id
        library = institution_private_get_for(user, library_id)
        film = films_visible_to(user).filter(pk=data.validated_data["film"]).first()
        if film is None:
            raise ApplicationError("unknown_film", _("No such film."), field="film")
        booking = screenings.booking_create(
            library=library,
            film=film,
            starts_at=data.validated_data["starts_at"],
            venue=data.validated_data["venue"],
            expected_audience=data.validated_data["expected_audience"],
            booked_by=user,
        )
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel; the credit comes back when it is before the screening."""
        booking = screenings.booking_cancel(booking=self.get_object(), by=request.user)
        return Response(BookingSerializer(booking).data)

    @extend_schema(request=AttendanceSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """After the screening: how many people came."""
        booking = self.get_object()
        data = AttendanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = screenings.booking_report_attendance(
            booking=booking, attendance=data.validated_data["actual_attendance"]
        )
        return Response(BookingSerializer(booking).data)


# --- patrons ----------------------------------------------------------------------------
class PatronSerializer(serializers.ModelSerializer):
    pseudonym = serializers.CharField(source="user.username", read_only=True)
    is_active = serializers.BooleanField(source="user.is_active", read_only=True)

    class Meta:
        model = Patron
        fields = [
            "id",
            "pseudonym",
            "institution",
            "home_area",
            "created_at",
            "is_active",
            "erased_at",
        ]
        read_only_fields = fields


class PatronCreateSerializer(serializers.Serializer):
    card = serializers.CharField(max_length=64, trim_whitespace=True)
    pin = serializers.CharField(max_length=8, trim_whitespace=False)
    home_area = serializers.CharField(max_length=10, required=False, allow_blank=True)


class PatronViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A library's patrons (pseudonymous), managed by its staff."""

    permission_classes = [IsInstitutionStaffOrCinemaStaff]
    serializer_class = PatronSerializer
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return selectors.patrons_visible_to(self.request.user)

    def get_object(self):
        return selectors.patron_get_for(self.request.user, self.kwargs["pk"])

    @extend_schema(request=PatronCreateSerializer, responses={201: PatronSerializer})
    def create(self, request):
        """Register a patron with a library card number and a PIN (no name needed)."""
        user = request.user
        if not user.is_institution_staff:
            raise ApplicationError(
                PatronErrorCode.NOT_A_LIBRARY_STAFF,
                _("Patrons are registered by their library's staff."),
                status=403,
            )
        data = PatronCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        patron = patrons.patron_register(institution=user.institution, **data.validated_data)
        return Response(PatronSerializer(patron).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """Everything kept about the patron (data access request)."""
        return Response(patrons.patron_export(patron=self.get_object()))

    @extend_schema(request=None, responses=PatronSerializer)
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        """Erase the patron (request for erasure); usage statistics stay, anonymous."""
        return Response(PatronSerializer(patrons.patron_erase(patron=self.get_object())).data)


class PatronTokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    patron = serializers.IntegerField()


class PatronLoginApi(APIView):
    """A patron logs in with their library's code, card number and PIN."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    class PatronLoginInputSerializer(serializers.Serializer):
        institution = serializers.CharField(max_length=40)
        card = serializers.CharField(max_length=64)
        pin = serializers.CharField(max_length=8, trim_whitespace=False)

    @extend_schema(request=PatronLoginInputSerializer, responses=PatronTokenSerializer)
    def post(self, request):
        data = self.PatronLoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        patron, token = patrons.patron_login(
            institution_code=data.validated_data["institution"],
            card=data.validated_data["card"],
            pin=data.validated_data["pin"],
        )
        return Response({"token": token, "patron": patron.pk})


class PatronLinkLoginApi(APIView):
    """A patron arrives from their library's portal with a signed link:
    signature = HMAC-SHA256(portal key, "institution\\ncard\\nexpires\\nnonce"), hex.
    Links live at most a few minutes and work once."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    class PatronLinkInputSerializer(serializers.Serializer):
        institution = serializers.CharField(max_length=40)
        card = serializers.CharField(max_length=64)
        expires = serializers.IntegerField(min_value=0, max_value=2**40)
        nonce = serializers.CharField(min_length=8, max_length=64)
        signature = serializers.RegexField(r"^[0-9a-fA-F]{64}$")

    @extend_schema(request=PatronLinkInputSerializer, responses=PatronTokenSerializer)
    def post(self, request):
        data = self.PatronLinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        patron, token = patrons.patron_login_with_link(
            institution_code=data.validated_data["institution"],
            card=data.validated_data["card"],
            expires=data.validated_data["expires"],
            nonce=data.validated_data["nonce"],
            signature=data.validated_data["signature"],
        )
        return Response({"token": token, "patron": patron.pk})


class PortalKeyApi(APIView):
    """An institution admin (re)generates the key their portal signs patron links with.
    The secret is shown once, in this answer."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            201: inline_serializer(
                "PortalKey",
                {"institution": serializers.CharField(), "secret": serializers.CharField()},
            )
        },
    )
    def post(self, request, pk):
        institution = institution_private_get_for(request.user, pk)
        if not (request.user.is_cinema_staff or request.user.is_institution_admin):
            raise ApplicationError(
                "permission_denied", _("Only an institution administrator can do this."), status=403
            )
        key = patrons.portal_key_rotate(institution=institution)
        return Response(
            {"institution": institution.code, "secret": key.secret},
            status=status.HTTP_201_CREATED,
        )


# --- invoices ---------------------------------------------------------------------------
class InvoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "subscription",
            "issued_on",
            "due_on",
            "amount_excl_vat",
            "vat_rate",
            "vat_amount",
            "amount_incl_vat",
            "purchase_order_reference",
            "status",
            "paid_on",
        ]
        read_only_fields = fields


class MarkPaidSerializer(serializers.Serializer):
    paid_on = serializers.DateField()


class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Administrative invoices: the subscriber's own; all of them for the staff, who mark
    them paid."""

    permission_classes = [IsInstitutionStaffOrCinemaStaff]
    serializer_class = InvoiceSerializer
    ordering_fields = ["issued_on", "due_on"]

    def get_queryset(self):
        visible = selectors.subscriptions_visible_to(self.request.user).values("pk")
        return Invoice.objects.filter(subscription__in=visible).order_by("-year", "-sequence")

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The invoice as a PDF."""
        invoice = self.get_object()
        return FileResponse(
            invoice.pdf.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"facture-{invoice.number}.pdf",
        )

    @extend_schema(request=MarkPaidSerializer, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"], url_path="mark-paid", permission_classes=[IsCinemaStaff])
    def mark_paid(self, request, pk=None):
        data = MarkPaidSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = billing.invoice_mark_paid(
            invoice=self.get_object(), paid_on=data.validated_data["paid_on"], by=request.user
        )
        return Response(InvoiceSerializer(invoice).data)


# --- Stripe webhooks --------------------------------------------------------------------
class StripeWebhookApi(APIView):
    """Stripe's deliveries: stored raw first, then the `Stripe-Signature` is verified with
    the endpoint secret from the settings (400 `invalid_signature` otherwise), the event is
    taken once by its id (a replay answers 200 and changes nothing) and processed; a
    processing failure is kept for `manage.py stripe_webhooks_replay` and answered 200."""

    permission_classes = [AllowAny]
    authentication_classes = []  # no session, hence no CSRF: the signature authenticates

    @extend_schema(
        request={"application/json": dict},
        responses={
            200: inline_serializer(
                "StripeWebhookReceipt",
                {"received": serializers.BooleanField(), "event": serializers.CharField()},
            )
        },
    )
    def post(self, request):
        address = client_ip(request)
        delivery = webhooks.stripe_webhook_receive(
            body=request.body,
            headers={
                name: request.headers[name]
                for name in webhooks.KEPT_HEADERS
                if name in request.headers
            },
            remote_addr=str(address) if address else None,
        )
        return Response({"received": True, "event": delivery.event_id})


class OpenWindowSerializer(serializers.Serializer):
    film = serializers.IntegerField()
    until = serializers.DateTimeField()


class PatronQuotaSerializer(serializers.Serializer):
    patron_monthly_films = serializers.IntegerField(allow_null=True)
    films_this_month = serializers.IntegerField()
    resets_on = serializers.DateField()
    open_windows = OpenWindowSerializer(many=True)


class MyStreamingQuotaApi(APIView):
    """The caller's own streaming month (patrons and library staff): films counted, the
    monthly quota, when it resets, and the films they may restart without being counted."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PatronQuotaSerializer)
    def get(self, request):
        return Response(PatronQuotaSerializer(quotas.patron_quota_status(user=request.user)).data)
