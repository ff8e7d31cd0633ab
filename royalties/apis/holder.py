"""The rights holder's own read-only space, `/api/v1/my-rights/`: their signed contracts
with grants and terms, their films and the films' usage, their statements once approved
(with PDF and CSV), and their rights ending within 180 days with whom to write to.
Another holder's objects answer 404. Also the cinema staff's invitation of a holder's
users: `POST /api/v1/rights-holders/{id}/users/`, and of a pending invitation
`…/users/{member_id}/resend-invitation/` and `…/cancel-invitation/` (the user's id)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.access import get_or_not_found
from backend.api.permissions import IsCinemaStaff
from backend.api.throttling import LoginRateThrottle
from backend.errors import NotFoundError
from catalogue.models import Film
from rights.models import Contract, Medium, RightsGrant, RightsHolder
from royalties import selectors
from royalties.apis.staff import (
    PaymentTermsSerializer,
    StatementDetailSerializer,
    StatementSerializer,
)
from royalties.documents import document_response
from royalties.models import RightsHolderMember, Statement
from royalties.periods import period_parse
from royalties.services.members import (
    rights_holder_invitation_accept,
    rights_holder_invitation_cancel,
    rights_holder_invitation_resend,
    rights_holder_member_invite,
)


class IsRightsHolder(BasePermission):
    message = _("Reserved to a rights holder's users.")

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_rights_holder)


class HolderMixin:
    permission_classes = [IsRightsHolder]

    @property
    def holder(self) -> RightsHolder | None:
        if not hasattr(self, "_holder"):
            self._holder = selectors.rights_holder_of(self.request.user)
        return self._holder


class HolderGrantSerializer(serializers.ModelSerializer):
    film_title = serializers.CharField(source="film.title", read_only=True)
    contract_reference = serializers.CharField(source="contract.reference", read_only=True)

    class Meta:
        model = RightsGrant
        fields = [
            "id",
            "contract",
            "contract_reference",
            "film",
            "film_title",
            "medium",
            "starts_on",
            "ends_on",
            "territories",
            "eligible_kinds",
            "max_screenings_per_year",
        ]
        read_only_fields = fields


class HolderContractGrantSerializer(HolderGrantSerializer):
    class Meta(HolderGrantSerializer.Meta):
        fields = ["id", "film", "film_title", "medium", "starts_on", "ends_on", "territories"]
        read_only_fields = fields


class HolderContractSerializer(serializers.ModelSerializer):
    grants = HolderContractGrantSerializer(many=True, read_only=True)
    payment_terms = PaymentTermsSerializer(many=True, read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "reference",
            "status",
            "signed_on",
            "terminated_on",
            "grants",
            "payment_terms",
        ]
        read_only_fields = fields


class HolderContractViewSet(HolderMixin, viewsets.ReadOnlyModelViewSet):
    """The rights holder's signed (or terminated) contracts, with their grants and their
    payment terms."""

    serializer_class = HolderContractSerializer
    queryset = Contract.objects.none()

    def get_queryset(self):
        if self.holder is None:
            return Contract.objects.none()
        return selectors.holder_contracts(self.holder).order_by("reference")

    def get_object(self):
        return get_or_not_found(self.get_queryset(), self.kwargs["pk"], _("No such contract."))


class HolderGrantViewSet(HolderMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """What the holder's contracts allow: film, medium, where and until when."""

    serializer_class = HolderGrantSerializer
    queryset = RightsGrant.objects.none()

    def get_queryset(self):
        if self.holder is None:
            return RightsGrant.objects.none()
        return selectors.holder_grants(self.holder).order_by(
            "film__title", "medium", "starts_on", "pk"
        )


class HolderFilmSerializer(serializers.ModelSerializer):
    class Meta:
        model = Film
        fields = ["id", "reference", "title", "year"]
        read_only_fields = fields


class UsageQuerySerializer(serializers.Serializer):
    period = serializers.CharField(max_length=7, help_text="a year (2017) or a quarter (2017-Q3)")


class FilmUsageRowSerializer(serializers.Serializer):
    medium = serializers.ChoiceField(choices=Medium.choices)
    month = serializers.DateField(format="%Y-%m")
    department = serializers.CharField(source="department_code")
    region = serializers.CharField(source="region_code")
    views = serializers.IntegerField()
    minutes = serializers.SerializerMethodField()
    viewers = serializers.IntegerField()
    screenings = serializers.IntegerField()
    attendance = serializers.IntegerField()
    copies = serializers.IntegerField()

    def get_minutes(self, row) -> str:
        return f"{row['seconds'] / 60:.2f}"


class HolderFilmViewSet(HolderMixin, viewsets.ReadOnlyModelViewSet):
    """The films of the holder's grants, and each one's usage by month, medium and
    department (never a library, never a patron)."""

    serializer_class = HolderFilmSerializer
    queryset = Film.objects.none()

    def get_queryset(self):
        if self.holder is None:
            return Film.objects.none()
        return selectors.holder_films(self.holder)

    def get_object(self):
        return get_or_not_found(self.get_queryset(), self.kwargs["pk"], _("No such film."))

    @extend_schema(parameters=[UsageQuerySerializer], responses=FilmUsageRowSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def usage(self, request, pk=None):
        """The film's usage under the holder's contracts over a year or a quarter."""
        film = self.get_object()
        query = UsageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = period_parse(query.validated_data["period"])
        rows = selectors.holder_film_usage(self.holder, film, period)
        return Response(FilmUsageRowSerializer(rows, many=True).data)


class HolderStatementViewSet(HolderMixin, viewsets.ReadOnlyModelViewSet):
    """The holder's statements once approved by the cinema staff, with PDF and CSV."""

    serializer_class = StatementSerializer
    queryset = Statement.objects.none()

    def get_queryset(self):
        return selectors.statements_visible_to(self.request.user).order_by("-period_start", "pk")

    def get_object(self):
        return selectors.statement_get_for(self.request.user, self.kwargs["pk"])

    @extend_schema(responses=StatementDetailSerializer)
    def retrieve(self, request, pk=None):
        statement = selectors.statement_for_document(self.get_object().pk)
        return Response(StatementDetailSerializer(statement).data)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        return document_response(self.get_object(), "pdf")

    @extend_schema(responses={(200, "text/csv"): str})
    @action(detail=True, methods=["get"])
    def csv(self, request, pk=None):
        return document_response(self.get_object(), "csv")


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.EmailField()


class EndingGrantSerializer(HolderGrantSerializer):
    contact = serializers.SerializerMethodField()

    class Meta(HolderGrantSerializer.Meta):
        fields = [*HolderGrantSerializer.Meta.fields, "contact"]
        read_only_fields = fields

    @extend_schema_field(ContactSerializer)
    def get_contact(self, grant) -> dict:
        return selectors.service_contact_for(grant.contract)


class HolderEndingSoonApi(HolderMixin, APIView):
    """The holder's rights that end within 180 days, each with whom to write to at the
    service to renew them."""

    @extend_schema(responses=EndingGrantSerializer(many=True))
    def get(self, request):
        if self.holder is None:
            return Response([])
        grants = selectors.holder_grants_ending(self.holder)
        return Response(EndingGrantSerializer(grants, many=True).data)


# --- the cinema staff invite a holder's users ---------------------------------------------


class InviteSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]{3,150}$", max_length=150)
    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.pk")
    username = serializers.CharField(source="user.username")
    email = serializers.EmailField(source="user.email")
    rights_holder = serializers.IntegerField(source="rights_holder_id")
    invited_at = serializers.DateTimeField()


class RightsHolderUsersApi(APIView):
    """The cinema staff invite a user into a rights holder's read-only space (role
    `rights_holder`, no password until they set one; 409 `username_taken`)."""

    permission_classes = [IsCinemaStaff]

    @extend_schema(request=InviteSerializer, responses={201: MemberSerializer})
    def post(self, request, pk):
        holder = get_or_not_found(RightsHolder.objects.all(), pk, _("No such rights holder."))
        data = InviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = rights_holder_member_invite(
            rights_holder=holder, by=request.user, **data.validated_data
        )
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)


class _PendingInvitationApi(APIView):
    """An invitation of one of a rights holder's users, named by the holder and the
    user's id (404 when that user is not one of this holder's)."""

    permission_classes = [IsCinemaStaff]

    def member(self, pk, member_id) -> RightsHolderMember:
        member = (
            RightsHolderMember.objects.select_related("user")
            .filter(rights_holder_id=pk, user_id=member_id)
            .first()
        )
        if member is None:
            raise NotFoundError("not_found", _("No such user of this rights holder."))
        return member


class RightsHolderInvitationResendApi(_PendingInvitationApi):
    """E-mail a fresh one-time link to a user whose invitation is pending; the link sent
    before stops working (409 `invitation_accepted`, `account_closed`)."""

    @extend_schema(request=None, responses=MemberSerializer)
    def post(self, request, pk, member_id):
        member = rights_holder_invitation_resend(member=self.member(pk, member_id))
        return Response(MemberSerializer(member).data)


class RightsHolderInvitationCancelApi(_PendingInvitationApi):
    """Cancel an invitation not yet accepted: the unused account is deleted and its link
    no longer works (409 `invitation_accepted`, `account_closed`)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, pk, member_id):
        rights_holder_invitation_cancel(member=self.member(pk, member_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AcceptSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=40)
    token = serializers.CharField(max_length=100)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class AcceptedSerializer(serializers.Serializer):
    username = serializers.CharField()


class RightsHolderInvitationAcceptApi(APIView):
    """An invited rights holder's user chooses their password with the invitation's uid
    and token (400 `invalid_invitation`, `weak_password`), then logs in at
    `/api/v1/auth/token/`. Rate-limited like the logins."""

    permission_classes = [AllowAny]
    authentication_classes = []  # no session, hence no CSRF: the token authenticates
    throttle_classes = [LoginRateThrottle]

    @extend_schema(request=AcceptSerializer, responses=AcceptedSerializer)
    def post(self, request):
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = rights_holder_invitation_accept(**data.validated_data)
        return Response({"username": user.username})
