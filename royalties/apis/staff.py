"""The cinema staff's royalties API: `/api/v1/payment-terms/` (a contract's versioned
terms) and `/api/v1/royalty-statements/` (draft, recompute, approve, send, pay; PDF and
CSV; the summary of what is due and overdue)."""

from __future__ import annotations

from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.api.fields import BoundedDateField, WholeItemsField
from backend.api.filters import IdFilter
from backend.api.permissions import IsCinemaStaff
from rights.apis.contracts import HistoryEntrySerializer
from rights.models import Contract, Medium
from rights.selectors import history_entries
from royalties import selectors, services
from royalties.documents import document_response
from royalties.models import PaymentTerms, PerUseRate, Statement, Unit
from royalties.periods import period_parse

MONEY = {"max_digits": 12, "decimal_places": 2}


class RateSerializer(serializers.Serializer):
    medium = serializers.ChoiceField(choices=Medium.choices)
    unit = serializers.ChoiceField(choices=Unit.choices)
    rate = serializers.DecimalField(max_digits=12, decimal_places=4)


class PaymentTermsSerializer(serializers.ModelSerializer):
    """Amounts and rates are not checked here: a negative one is the service's refusal
    (`negative_amount`), with the field at fault."""

    contract = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all())
    valid_from = BoundedDateField()
    valid_to = BoundedDateField(required=False, allow_null=True)
    flat_fee = serializers.DecimalField(**MONEY, required=False)
    minimum_guarantee = serializers.DecimalField(**MONEY, required=False)
    advance = serializers.DecimalField(**MONEY, required=False)
    instalments = serializers.IntegerField(
        min_value=1, max_value=120, required=False, allow_null=True
    )
    rates = WholeItemsField(child=RateSerializer(), required=False)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = PaymentTerms
        fields = [
            "id",
            "contract",
            "valid_from",
            "valid_to",
            "flat_fee",
            "fee_schedule",
            "instalments",
            "minimum_guarantee",
            "advance",
            "rounding",
            "rates",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["rounding", "created_at", "updated_at"]
        validators = []  # overlaps and uniqueness are the service's, with reason codes

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["rates"] = [
            {"medium": rate.medium, "unit": rate.unit, "rate": str(rate.rate)}
            for rate in instance.rates.all()
        ]
        return data


class TermsHistoryEntrySerializer(HistoryEntrySerializer):
    object = serializers.ChoiceField(choices=["terms", "rate"])


class PaymentTermsUpdateSerializer(PaymentTermsSerializer):
    contract = serializers.PrimaryKeyRelatedField(read_only=True)


class PaymentTermsFilter(filters.FilterSet):
    contract = IdFilter(field_name="contract")

    class Meta:
        model = PaymentTerms
        fields = []


class PaymentTermsViewSet(viewsets.ModelViewSet):
    """A contract's payment terms, one row per version (valid from a day to a day; an open
    end runs until the next version): a flat fee and its schedule (on signature, yearly,
    in instalments one a quarter), per-use rates by medium (per view or per viewing
    minute for streaming, per public screening held, per DVD copy shipped), a yearly
    minimum guarantee and an advance recouped from per-use amounts. Amounts are EUR;
    each statement line is rounded once, to the cent, half up.

    A new version closes the open-ended one before it; other overlaps are refused (400
    `overlapping_terms`), as are negative amounts (400 `negative_amount`), a unit that
    does not fit the medium (400 `unit_not_for_medium`) and changes to a version an
    approved statement priced from (409 `terms_in_use`)."""

    permission_classes = [IsCinemaStaff]
    filterset_class = PaymentTermsFilter
    ordering_fields = ["valid_from"]
    queryset = PaymentTerms.objects.none()

    def get_queryset(self):
        return selectors.terms_queryset()

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return PaymentTermsUpdateSerializer
        return PaymentTermsSerializer

    def perform_create(self, serializer):
        serializer.instance = services.payment_terms_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.payment_terms_update(
            terms=serializer.instance, by=self.request.user, **data
        )

    def perform_destroy(self, instance):
        services.payment_terms_delete(terms=instance, by=self.request.user)

    @extend_schema(responses=TermsHistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        """Every recorded change to this version and its rates: who, when, what."""
        terms = self.get_object()
        entries = history_entries(
            "terms", PaymentTerms.history.filter(id=terms.pk).select_related("history_user")
        ) + history_entries(
            "rate", PerUseRate.history.filter(terms_id=terms.pk).select_related("history_user")
        )
        entries.sort(key=lambda entry: (entry["when"], entry["object"], entry["object_id"]))
        return Response(TermsHistoryEntrySerializer(entries, many=True).data)


# --- statements ---------------------------------------------------------------------------


class StatementSerializer(serializers.ModelSerializer):
    rights_holder = serializers.IntegerField(source="contract.rights_holder_id", read_only=True)
    rights_holder_name = serializers.CharField(source="contract.rights_holder.name", read_only=True)
    contract_reference = serializers.CharField(source="contract.reference", read_only=True)
    period = serializers.CharField(source="period_label", read_only=True)
    balance = serializers.DecimalField(
        max_digits=15,
        decimal_places=2,
        read_only=True,
        help_text="the total, or for a correction the difference with the corrected total",
    )

    class Meta:
        model = Statement
        fields = [
            "id",
            "contract",
            "contract_reference",
            "rights_holder",
            "rights_holder_name",
            "period",
            "period_kind",
            "period_start",
            "period_end",
            "status",
            "due_on",
            "per_use_amount",
            "minimum_guarantee",
            "guarantee_top_up",
            "advance_balance",
            "advance_recouped",
            "flat_fee_amount",
            "total",
            "computed_at",
            "approved_at",
            "sent_at",
            "paid_on",
            "payment_reference",
            "corrects",
            "previously_stated",
            "balance",
        ]
        read_only_fields = fields


class UsageRowSerializer(serializers.Serializer):
    breakdown = serializers.ChoiceField(
        choices=["period", "month", "department", "cell"],
        help_text="period: the film's figures on the medium over the whole period; month:"
        " in one month; department: at the institutions of one department; cell: in one"
        " month and one department at once (statements drafted before 8 December 2026)",
    )
    film = serializers.IntegerField(source="film_id")
    film_reference = serializers.CharField(source="film.reference")
    film_title = serializers.CharField(source="film.title")
    medium = serializers.ChoiceField(choices=Medium.choices)
    month = serializers.DateField(format="%Y-%m", allow_null=True)
    department = serializers.CharField(source="department_code")
    region = serializers.CharField(source="region_code")
    views = serializers.IntegerField()
    minutes = serializers.SerializerMethodField()
    viewers = serializers.IntegerField()
    screenings = serializers.IntegerField()
    attendance = serializers.IntegerField()
    copies = serializers.IntegerField()

    def get_minutes(self, row) -> str:
        return f"{row.seconds / 60:.2f}"


class LineSerializer(serializers.Serializer):
    film = serializers.IntegerField(source="film_id")
    film_title = serializers.CharField(source="film.title")
    medium = serializers.ChoiceField(choices=Medium.choices)
    terms = serializers.IntegerField(source="terms_id")
    unit = serializers.ChoiceField(choices=Unit.choices)
    quantity = serializers.IntegerField(help_text="seconds watched for a per-minute rate")
    rate = serializers.DecimalField(max_digits=12, decimal_places=4)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class FeeLineSerializer(serializers.Serializer):
    terms = serializers.IntegerField(source="terms_id")
    due_on = serializers.DateField()
    label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class StatementDetailSerializer(StatementSerializer):
    """A statement with its usage (per film and medium: over the period, by month, by
    department — each row's `breakdown`), its lines and flat-fee payments."""

    usage = UsageRowSerializer(many=True, read_only=True)
    lines = LineSerializer(many=True, read_only=True)
    fee_lines = FeeLineSerializer(many=True, read_only=True)

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "usage", "lines", "fee_lines"]
        read_only_fields = fields


class StatementDraftSerializer(serializers.Serializer):
    contract = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all())
    period = serializers.CharField(max_length=7, help_text="a year (2017) or a quarter (2017-Q3)")


class StatementPaySerializer(serializers.Serializer):
    paid_on = BoundedDateField()
    reference = serializers.CharField(max_length=100, allow_blank=False, trim_whitespace=True)


class SummaryRowSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=selectors.STATES)
    count = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=16, decimal_places=2)


class StatementFilter(filters.FilterSet):
    contract = IdFilter(field_name="contract")
    rights_holder = IdFilter(field_name="contract__rights_holder")
    status = filters.ChoiceFilter(choices=Statement.Status.choices)
    state = filters.ChoiceFilter(
        choices=[(state, state) for state in selectors.STATES],
        method="filter_state",
        help_text="draft: to approve; due: approved or sent, not yet due; overdue: "
        "unpaid after its due day; paid",
    )
    year = filters.NumberFilter(field_name="period_start__year", min_value=2000, max_value=2999)

    class Meta:
        model = Statement
        fields = []

    def filter_state(self, queryset, name, value):
        return queryset.filter(selectors.statement_state_filter(value, today=timezone.localdate()))


class StatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Royalty statements: a contract's usage and what it is owed for a quarter or a year
    (Paris dates). POST drafts the statement of `contract` for `period` (a period that is
    over: 400 `period_not_over`; an unsigned contract: 409 `contract_not_signed`; a draft
    of that period is recomputed; an approved one: 409 `statement_exists`; a period
    sharing days with a statement of the other length — a year over quarters, a quarter
    inside a year —: 409 `mixed_periods`, which would recoup the advance and apply the
    minimum guarantee twice). A draft is
    recomputed, then approved (frozen; 409 `inputs_changed` when what it was computed
    from changed since: recompute first; approving again changes nothing), sent to the
    rights holder's contacts with its PDF (409 `no_contact_email`), and paid."""

    permission_classes = [IsCinemaStaff]
    serializer_class = StatementSerializer
    filterset_class = StatementFilter
    ordering_fields = ["period_start", "due_on", "total"]
    queryset = Statement.objects.none()

    def get_queryset(self):
        return selectors.statements_visible_to(self.request.user)

    def get_serializer_class(self):
        return StatementDetailSerializer if self.action == "retrieve" else StatementSerializer

    def get_object(self):
        return selectors.statement_get_for(self.request.user, self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        statement = selectors.statement_for_document(self.get_object().pk)
        return Response(StatementDetailSerializer(statement).data)

    def _answer(self, statement, code=status.HTTP_200_OK):
        statement = selectors.statement_for_document(statement.pk)
        return Response(StatementDetailSerializer(statement).data, status=code)

    @extend_schema(request=StatementDraftSerializer, responses={201: StatementDetailSerializer})
    def create(self, request):
        data = StatementDraftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        statement = services.statement_draft(
            contract=data.validated_data["contract"],
            period=period_parse(data.validated_data["period"]),
        )
        return self._answer(statement, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def recompute(self, request, pk=None):
        """A draft computed again from the records and terms as they are now."""
        return self._answer(services.statement_recompute(statement=self.get_object()))

    @extend_schema(request=None, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def approve(self, request, pk=None):
        """Freeze a draft whose inputs did not change since it was computed."""
        return self._answer(
            services.statement_approve(statement=self.get_object(), by=request.user)
        )

    @extend_schema(request=None, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def send(self, request, pk=None):
        """E-mail an approved statement, its PDF attached, to the rights holder's
        contacts (once this commits)."""
        return self._answer(services.statement_send(statement=self.get_object(), by=request.user))

    @extend_schema(request=None, responses={201: StatementDetailSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def correct(self, request, pk=None):
        """Draft a correction of an approved statement: the same contract and period
        computed again, referring to it, with the difference as its `balance` (409
        `statement_exists` when it already has an approved correction)."""
        correction = services.statement_correct(statement=self.get_object())
        return self._answer(correction, status.HTTP_201_CREATED)

    @extend_schema(request=StatementPaySerializer, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def pay(self, request, pk=None):
        """Record the payment (date, reference) of an approved or sent statement."""
        data = StatementPaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        statement = services.statement_pay(
            statement=self.get_object(),
            paid_on=data.validated_data["paid_on"],
            reference=data.validated_data["reference"],
            by=request.user,
        )
        return self._answer(statement)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"], filterset_class=None)
    def pdf(self, request, pk=None):
        """The statement as a PDF (in French)."""
        return document_response(self.get_object(), "pdf")

    @extend_schema(responses={(200, "text/csv"): str})
    @action(detail=True, methods=["get"], filterset_class=None)
    def csv(self, request, pk=None):
        """The statement's usage, lines and totals as CSV."""
        return document_response(self.get_object(), "csv")

    @extend_schema(responses=SummaryRowSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def summary(self, request):
        """How many statements are to approve, due, overdue and paid, and their totals
        (the list's filters apply)."""
        queryset = self.filter_queryset(self.get_queryset())
        rows = selectors.statements_summary(queryset, today=timezone.localdate())
        return Response(SummaryRowSerializer(rows, many=True).data)
