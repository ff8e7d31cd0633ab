"""Routes of the accounts app's staff and password endpoints, under /api/v1/."""

from django.urls import path

from accounts import staff_apis

urlpatterns = [
    path(
        "institutions/<int:pk>/staff/",
        staff_apis.InstitutionStaffListApi.as_view(),
        name="institution-staff",
    ),
    path(
        "institutions/<int:pk>/staff/<int:member_id>/",
        staff_apis.InstitutionStaffDetailApi.as_view(),
        name="institution-staff-detail",
    ),
    path(
        "institutions/<int:pk>/staff/<int:member_id>/deactivate/",
        staff_apis.InstitutionStaffDeactivateApi.as_view(),
        name="institution-staff-deactivate",
    ),
    path(
        "institutions/<int:pk>/staff/<int:member_id>/reactivate/",
        staff_apis.InstitutionStaffReactivateApi.as_view(),
        name="institution-staff-reactivate",
    ),
    path(
        "institutions/<int:pk>/staff/<int:member_id>/resend-invitation/",
        staff_apis.InstitutionStaffInvitationResendApi.as_view(),
        name="institution-staff-resend-invitation",
    ),
    path("auth/password-reset/", staff_apis.PasswordResetApi.as_view(), name="password-reset"),
    path(
        "auth/password-reset/confirm/",
        staff_apis.PasswordResetConfirmApi.as_view(),
        name="password-reset-confirm",
    ),
]
