"""Staff accounts of an institution (`/api/v1/institutions/{id}/staff/`): its staff read
the list; its administrators (and the cinema staff) invite a colleague by e-mail, change
a role, deactivate and reactivate an account. Another institution's accounts answer 404.

Passwords (`/api/v1/auth/password-reset/`): anyone asks for a one-time link by e-mail
(the answer is the same whether the address is known or not), then sets a new password
with it (`…/confirm/`) — the link of an invitation works the same way. Both are throttled
like the logins."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, staff
from accounts.models import User
from backend.api.pagination import PageNumberPagination
from backend.api.permissions import IsInstitutionStaffOrCinemaStaff
from backend.api.throttling import LoginRateThrottle
from institutions.selectors import institution_private_get_for

STAFF_ROLE_CHOICES = [
    (User.Role.INSTITUTION_ADMIN.value, User.Role.INSTITUTION_ADMIN.label),
    (User.Role.INSTITUTION_MEMBER.value, User.Role.INSTITUTION_MEMBER.label),
]


class StaffMemberSerializer(serializers.ModelSerializer):
    invitation_pending = serializers.SerializerMethodField(
        help_text=_("Invited, and no password chosen yet.")
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "role",
            "is_active",
            "invitation_pending",
            "date_joined",
            "last_login",
        ]
        read_only_fields = fields

    def get_invitation_pending(self, user) -> bool:
        return not user.has_usable_password()


class StaffInviteSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=150)
    role = serializers.ChoiceField(choices=STAFF_ROLE_CHOICES)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class StaffRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=STAFF_ROLE_CHOICES)


class InstitutionStaffListApi(APIView):
    """`GET` the institution's staff accounts; `POST` invites a colleague (administrators):
    the account is created without a password and a one-time link is e-mailed to them."""

    permission_classes = [IsInstitutionStaffOrCinemaStaff]

    @extend_schema(responses=StaffMemberSerializer(many=True))
    def get(self, request, pk):
        institution = institution_private_get_for(request.user, pk)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(
            selectors.staff_of(institution_id=institution.pk), request, view=self
        )
        return paginator.get_paginated_response(StaffMemberSerializer(page, many=True).data)

    @extend_schema(request=StaffInviteSerializer, responses={201: StaffMemberSerializer})
    def post(self, request, pk):
        institution = institution_private_get_for(request.user, pk)
        data = StaffInviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = staff.staff_invite(
            actor=request.user, institution=institution, **data.validated_data
        )
        return Response(StaffMemberSerializer(member).data, status=status.HTTP_201_CREATED)


class _StaffMemberApi(APIView):
    permission_classes = [IsInstitutionStaffOrCinemaStaff]

    def member(self, request, pk, member_id) -> User:
        institution = institution_private_get_for(request.user, pk)
        return selectors.staff_member_get_for(
            request.user, institution_id=institution.pk, member_id=member_id
        )


class InstitutionStaffDetailApi(_StaffMemberApi):
    """`GET` one staff account; `PATCH` changes its role (administrators; not one's own,
    and an institution keeps at least one active administrator)."""

    @extend_schema(responses=StaffMemberSerializer)
    def get(self, request, pk, member_id):
        return Response(StaffMemberSerializer(self.member(request, pk, member_id)).data)

    @extend_schema(request=StaffRoleSerializer, responses=StaffMemberSerializer)
    def patch(self, request, pk, member_id):
        member = self.member(request, pk, member_id)
        data = StaffRoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = staff.staff_role_change(
            actor=request.user, member=member, role=data.validated_data["role"]
        )
        return Response(StaffMemberSerializer(member).data)


class InstitutionStaffDeactivateApi(_StaffMemberApi):
    """Deactivate a colleague's account (administrators): no more sign-in, API tokens
    revoked. Not one's own; not the last active administrator."""

    @extend_schema(request=None, responses=StaffMemberSerializer)
    def post(self, request, pk, member_id):
        member = staff.staff_deactivate(
            actor=request.user, member=self.member(request, pk, member_id)
        )
        return Response(StaffMemberSerializer(member).data)


class InstitutionStaffReactivateApi(_StaffMemberApi):
    """Open a deactivated colleague's account again (administrators)."""

    @extend_schema(request=None, responses=StaffMemberSerializer)
    def post(self, request, pk, member_id):
        member = staff.staff_reactivate(
            actor=request.user, member=self.member(request, pk, member_id)
        )
        return Response(StaffMemberSerializer(member).data)


class InstitutionStaffInvitationResendApi(_StaffMemberApi):
    """E-mail a fresh one-time link to a colleague invited who has not chosen a password
    yet (administrators; 409 `no_pending_invitation` otherwise)."""

    @extend_schema(request=None, responses=StaffMemberSerializer)
    def post(self, request, pk, member_id):
        member = staff.staff_invitation_resend(
            actor=request.user, member=self.member(request, pk, member_id)
        )
        return Response(StaffMemberSerializer(member).data)


class PasswordResetApi(APIView):
    """Ask for a one-time link to choose a new password, sent to the address if an
    account uses it (the answer says nothing about whether one does)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LoginRateThrottle]

    class PasswordResetInputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)

    @extend_schema(request=PasswordResetInputSerializer, responses={202: None})
    def post(self, request):
        data = self.PasswordResetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        staff.password_reset_request(email=data.validated_data["email"])
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(APIView):
    """Choose a password with a one-time link's `uid` and `token` (a forgotten password,
    or an invitation). 400 `invalid_link` when the link was used or has expired; the
    password must pass the site's password rules (400 on `password`)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LoginRateThrottle]

    class PasswordSetInputSerializer(serializers.Serializer):
        uid = serializers.CharField(max_length=64)
        token = serializers.CharField(max_length=128)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema(request=PasswordSetInputSerializer, responses={204: None})
    def post(self, request):
        data = self.PasswordSetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        staff.password_set_with_link(
            uidb64=data.validated_data["uid"],
            token=data.validated_data["token"],
            password=data.validated_data["password"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
