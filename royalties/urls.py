from django.urls import path
from rest_framework.routers import SimpleRouter

from royalties.apis.holder import (
    HolderContractViewSet,
    HolderEndingSoonApi,
    HolderFilmViewSet,
    HolderGrantViewSet,
    HolderStatementViewSet,
    RightsHolderInvitationAcceptApi,
    RightsHolderInvitationCancelApi,
    RightsHolderInvitationResendApi,
    RightsHolderUsersApi,
)
from royalties.apis.staff import PaymentTermsViewSet, StatementViewSet

router = SimpleRouter()
router.register("payment-terms", PaymentTermsViewSet, basename="payment-terms")
router.register("royalty-statements", StatementViewSet, basename="royalty-statement")
router.register("my-rights/contracts", HolderContractViewSet, basename="my-rights-contract")
router.register("my-rights/grants", HolderGrantViewSet, basename="my-rights-grant")
router.register("my-rights/films", HolderFilmViewSet, basename="my-rights-film")
router.register("my-rights/statements", HolderStatementViewSet, basename="my-rights-statement")

urlpatterns = [
    path(
        "rights-holder-invitations/accept/",
        RightsHolderInvitationAcceptApi.as_view(),
        name="rights-holder-invitation-accept",
    ),
    path("my-rights/ending-soon/", HolderEndingSoonApi.as_view(), name="my-rights-ending-soon"),
    path(
        "rights-holders/<int:pk>/users/", RightsHolderUsersApi.as_view(), name="rights-holder-users"
    ),
    path(
        "rights-holders/<int:pk>/users/<int:member_id>/resend-invitation/",
        RightsHolderInvitationResendApi.as_view(),
        name="rights-holder-invitation-resend",
    ),
    path(
        "rights-holders/<int:pk>/users/<int:member_id>/cancel-invitation/",
        RightsHolderInvitationCancelApi.as_view(),
        name="rights-holder-invitation-cancel",
    ),
    *router.urls,
]
