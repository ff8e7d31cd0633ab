from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from accounts.apis import ApiTokenDetailApi, ApiTokenListApi, MeApi, TokenApi
from backend.api import docs
from backend.api.throttling import login_rate_limited
from backend.api.views import PingApi, healthz
from catalogue.apis import FilmViewSet, PersonViewSet, ThemeViewSet
from institutions.apis import InstitutionViewSet
from media.urls import player_urlpatterns
from notices.apis import LeavingSoonApi, WithdrawalNoticeViewSet
from orders.apis import DvdEditionViewSet, InstitutionOrderListApi, OrderViewSet
from rights.apis import (
    CampaignViewSet,
    ContractViewSet,
    ExpiringGrantsReportApi,
    FilmAvailabilityApi,
    FilmRightsTimelineApi,
    FilmsLosingLastMediumReportApi,
    GrantViewSet,
    NegotiationViewSet,
    RightsHolderViewSet,
    WithdrawnFilmsReportApi,
)
from subscriptions.apis import (
    InvoiceViewSet,
    MyStreamingQuotaApi,
    PatronLinkLoginApi,
    PatronLoginApi,
    PatronViewSet,
    PlanViewSet,
    PortalKeyApi,
    ScreeningBookingViewSet,
    StripeWebhookApi,
    SubscriptionViewSet,
)

router = DefaultRouter()
router.register("films", FilmViewSet, basename="film")
router.register("people", PersonViewSet, basename="person")
router.register("themes", ThemeViewSet, basename="theme")
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("rights-holders", RightsHolderViewSet, basename="rights-holder")
router.register("contracts", ContractViewSet, basename="contract")
router.register("grants", GrantViewSet, basename="grant")
router.register("negotiations", NegotiationViewSet, basename="negotiation")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("withdrawal-notices", WithdrawalNoticeViewSet, basename="withdrawal-notice")
router.register("plans", PlanViewSet, basename="plan")
router.register("subscriptions", SubscriptionViewSet, basename="subscription")
router.register("screenings", ScreeningBookingViewSet, basename="screening")
router.register("patrons", PatronViewSet, basename="patron")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("dvd-editions", DvdEditionViewSet, basename="dvd-edition")
router.register("orders", OrderViewSet, basename="order")

api_v1 = [
    # URL resolution tries the patterns in order: the trivial ping (the benchmarks'
    # baseline) and the router's list and detail routes, the most requested, come first;
    # only paths that a router route would take (`patrons/<pk>/`) must precede it
    # (tests/api/test_urls.py checks that no route shadows another).
    path("ping/", PingApi.as_view(), name="ping"),
    # segment links and heartbeats: every few seconds for every viewer
    path("", include(player_urlpatterns)),
    path("patrons/login/", PatronLoginApi.as_view(), name="patron-login"),
    path("patrons/link-login/", PatronLinkLoginApi.as_view(), name="patron-link-login"),
    path("", include(router.urls)),
    path("auth/token/", TokenApi.as_view(), name="auth-token"),
    path("auth/tokens/", ApiTokenListApi.as_view(), name="auth-tokens"),
    path("auth/tokens/<str:token_id>/", ApiTokenDetailApi.as_view(), name="auth-token-detail"),
    path("me/", MeApi.as_view(), name="me"),
    path("me/streaming-quota/", MyStreamingQuotaApi.as_view(), name="my-streaming-quota"),
    path(
        "institutions/<int:pk>/portal-key/", PortalKeyApi.as_view(), name="institution-portal-key"
    ),
    path(
        "institutions/<int:pk>/dvd-orders/",
        InstitutionOrderListApi.as_view(),
        name="institution-dvd-orders",
    ),
    path("payments/stripe/webhook/", StripeWebhookApi.as_view(), name="stripe-webhook"),
    path("films/<int:pk>/availability/", FilmAvailabilityApi.as_view(), name="film-availability"),
    path(
        "films/<int:pk>/rights-timeline/",
        FilmRightsTimelineApi.as_view(),
        name="film-rights-timeline",
    ),
    path(
        "rights-reports/expiring-grants/",
        ExpiringGrantsReportApi.as_view(),
        name="rights-report-expiring-grants",
    ),
    path(
        "rights-reports/films-losing-last-medium/",
        FilmsLosingLastMediumReportApi.as_view(),
        name="rights-report-films-losing-last-medium",
    ),
    path(
        "rights-reports/withdrawn-films/",
        WithdrawnFilmsReportApi.as_view(),
        name="rights-report-withdrawn-films",
    ),
    path("leaving-soon/", LeavingSoonApi.as_view(), name="leaving-soon"),
    path("", include("media.urls")),
    path("", include("stats.urls")),
    path("", include("editorial.urls")),
    path("", include("records.urls")),
    path("", include("royalties.urls")),
    path("", include("accounts.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI and ReDoc from our own static files (backend/api/docs.py)
    path("api/docs/", docs.swagger_ui, name="api-docs"),
    path("api/redoc/", docs.redoc, name="api-redoc"),
    # the browsable API's and the admin's login forms, under the login rate limit (the
    # failed-login lockout applies through authenticate())
    path(
        "api-auth/login/",
        login_rate_limited(LoginView.as_view(template_name="rest_framework/login.html")),
        name="api-auth-login",
    ),
    path("api-auth/", include("rest_framework.urls")),
    path("admin/login/", login_rate_limited(admin.site.login), name="admin-login"),
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("web.urls")),
]

# Under /api/ Django's own refusals and crashes answer the API's error shape, not HTML pages.
handler400 = "backend.api.views.bad_request"
handler403 = "backend.api.views.permission_denied"
handler404 = "backend.api.views.page_not_found"
handler500 = "backend.api.views.server_error"
