from rest_framework.routers import SimpleRouter

from royalties.apis.staff import PaymentTermsViewSet, StatementViewSet

router = SimpleRouter()
router.register("payment-terms", PaymentTermsViewSet, basename="payment-terms")
router.register("royalty-statements", StatementViewSet, basename="royalty-statement")

urlpatterns = [*router.urls]
