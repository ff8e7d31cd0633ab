"""Authentication endpoints: log in for an API token, list and revoke one's tokens (one per
device), read who I am."""

from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.authentication import TokenAuthentication
from accounts.errors import AccountErrorCode
from accounts.lockout import login_attempt
from accounts.models import ApiToken
from backend.api.throttling import LoginRateThrottle
from backend.errors import ApplicationError, NotFoundError


def device_of(request, given: str = "") -> str:
    """How a login's device is named: what the client said, else its User-Agent."""
    return (given or request.headers.get("User-Agent", ""))[:200]


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send it as `Authorization: Token <token>`."))
    id = serializers.CharField(help_text=_("The token's public id, to revoke it."))
    expiry = serializers.DateTimeField()
    role = serializers.CharField()


def token_response_data(token: ApiToken, key: str) -> dict:
    return TokenOutputSerializer(
        {"token": key, "id": token.token_key, "expiry": token.expiry, "role": token.user.role}
    ).data


class TokenApi(APIView):
    """`POST` logs in with a username and password: a new API token for this device, which
    expires. `DELETE` logs this device out (revokes the token the request carries).

    Login attempts are rate-limited per client address, and an account is locked for a
    while after repeated failures (429 `login_locked`). Patrons registered with a library
    card log in with it (`/patrons/login/`), not here."""

    permission_classes = [AllowAny]

    class TokenInputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False)
        device = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def _is_login(self) -> bool:
        request = getattr(self, "request", None)  # None while the schema is generated
        return request is not None and request.method == "POST"

    def get_throttles(self):
        return [LoginRateThrottle()] if self._is_login() else []

    def get_authenticators(self):
        # a login reads no credentials but the body's (a client may still send its expired
        # token); only a token can be revoked
        return [] if self._is_login() else [TokenAuthentication()]

    @extend_schema(request=TokenInputSerializer, responses={200: TokenOutputSerializer})
    def post(self, request):
        data = self.TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = login_attempt(
            request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None:
            raise ApplicationError(
                AccountErrorCode.INVALID_CREDENTIALS,
                _("Unknown username or wrong password."),
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, key = services.api_token_create(
            user=user, device=device_of(request, data.validated_data.get("device", ""))
        )
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response(token_response_data(token, key))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        if not isinstance(request.auth, ApiToken):
            raise NotAuthenticated
        services.api_token_revoke(user=request.user, token_key=request.auth.token_key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="token_key")
    current = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "device", "created", "expiry", "current"]

    def get_current(self, token) -> bool:
        auth = self.context["request"].auth
        return isinstance(auth, ApiToken) and auth.digest == token.digest


class ApiTokenListApi(APIView):
    """The caller's API tokens that have not expired, one per device logged in (`GET`);
    `DELETE` revokes them all: every device is logged out."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ApiTokenSerializer(many=True))
    def get(self, request):
        tokens = selectors.api_tokens_live(user=request.user)
        return Response(ApiTokenSerializer(tokens, many=True, context={"request": request}).data)

    @extend_schema(operation_id="v1_auth_tokens_revoke_all", request=None, responses={204: None})
    def delete(self, request):
        services.api_tokens_revoke_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenDetailApi(APIView):
    """`DELETE` logs one of the caller's devices out (its token's `id`)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, token_id):
        if not services.api_token_revoke(user=request.user, token_key=token_id):
            raise NotFoundError("not_found", _("No such token."))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    """Who the caller is: role and institution."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "id": serializers.IntegerField(),
                "username": serializers.CharField(),
                "role": serializers.CharField(),
                "institution": serializers.IntegerField(allow_null=True),
                "institution_name": serializers.CharField(allow_null=True),
            },
        )
    )
    def get(self, request):
        user = request.user
        return Response(
            {
                "id": user.pk,
                "username": user.username,
                "role": user.role,
                "institution": user.institution_id,
                "institution_name": user.institution.name if user.institution_id else None,
            }
        )
