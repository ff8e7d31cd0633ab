"""Patrons (pseudonymous): registration, login by card and PIN or by the library portal's signed link, the portal key, a patron's own streaming month."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.apis import device_of
from backend.api.permissions import IsInstitutionStaffOrCinemaStaff
from backend.api.schema import ErrorSerializer
from backend.api.throttling import LoginRateThrottle
from backend.errors import ApplicationError
from institutions.selectors import institution_private_get_for
from subscriptions import selectors
from subscriptions.errors import PatronErrorCode
from subscriptions.models import Patron
from subscriptions.models.patrons import validate_home_area as home_area_validator
from subscriptions.services import patrons, quotas


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
    # the PIN policy (subscriptions.pins) gives the reason a PIN is refused
    pin = serializers.CharField(max_length=32, trim_whitespace=False)
    home_area = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        help_text=_("A department code (35, 2A, 974) or a commune's INSEE code (35238)."),
    )

    def validate_home_area(self, value):
        value = value.upper()
        home_area_validator(value)
        return value


class PatronCardSerializer(serializers.Serializer):
    card = serializers.CharField(max_length=64, trim_whitespace=True)


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

    @extend_schema(request=PatronCardSerializer, responses={204: None})
    @action(detail=False, methods=["post"])
    def unlock(self, request):
        """Lift the lockout of one of the library's cards (after too many wrong PINs)."""
        user = request.user
        if not user.is_institution_staff:
            raise ApplicationError(
                PatronErrorCode.NOT_A_LIBRARY_STAFF,
                _("Only the library's staff can unlock its cards."),
                status=403,
            )
        data = PatronCardSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        patrons.patron_card_unlock(institution=user.institution, card=data.validated_data["card"])
        return Response(status=status.HTTP_204_NO_CONTENT)

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
    """A patron logs in with their library's code, card number and PIN: an API token for
    this device. Attempts are rate-limited per client address; after repeated failures the
    card is locked for a while, even for the right PIN (429 `login_locked`), or until the
    library's staff unlock it."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LoginRateThrottle]

    class PatronLoginInputSerializer(serializers.Serializer):
        institution = serializers.CharField(max_length=40)
        card = serializers.CharField(max_length=64)
        pin = serializers.CharField(max_length=8, trim_whitespace=False)
        device = serializers.CharField(max_length=200, required=False, allow_blank=True)

    @extend_schema(
        request=PatronLoginInputSerializer,
        responses={200: PatronTokenSerializer, 401: ErrorSerializer},
    )
    def post(self, request):
        data = self.PatronLoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        patron, token = patrons.patron_login(
            request=request,
            institution_code=data.validated_data["institution"],
            card=data.validated_data["card"],
            pin=data.validated_data["pin"],
            device=device_of(request, data.validated_data.get("device", "")),
        )
        return Response({"token": token, "patron": patron.pk})


class PatronLinkLoginApi(APIView):
    """A patron arrives from their library's portal with a signed link:
    signature = HMAC-SHA256(portal key, "institution\\ncard\\nexpires\\nnonce"), hex.
    Links live at most a few minutes and work once."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LoginRateThrottle]

    class PatronLinkInputSerializer(serializers.Serializer):
        institution = serializers.CharField(max_length=40)
        card = serializers.CharField(max_length=64)
        expires = serializers.IntegerField(min_value=0, max_value=2**40)
        nonce = serializers.CharField(min_length=8, max_length=64)
        signature = serializers.RegexField(r"^[0-9a-fA-F]{64}$")

    @extend_schema(
        request=PatronLinkInputSerializer,
        responses={200: PatronTokenSerializer, 401: ErrorSerializer},
    )
    def post(self, request):
        data = self.PatronLinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        patron, token = patrons.patron_login_with_link(
            request=request,
            device=device_of(request),
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
        key = patrons.portal_key_rotate_by(actor=request.user, institution=institution)
        return Response(
            {"institution": institution.code, "secret": key.secret},
            status=status.HTTP_201_CREATED,
        )


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
