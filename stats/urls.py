"""Routes of the stats app, included under /api/v1/ by backend.urls."""

from django.urls import path

from stats import apis, sushi_apis

urlpatterns = [
    path("stats/views/", apis.ViewStatsApi.as_view(), name="stats-views"),
    path("stats/screenings/", apis.ScreeningStatsApi.as_view(), name="stats-screenings"),
    path("stats/orders/", apis.OrderStatsApi.as_view(), name="stats-orders"),
    path("stats/home-areas/", apis.HomeAreaStatsApi.as_view(), name="stats-home-areas"),
    path("stats/charts/monthly/", apis.MonthlyChartApi.as_view(), name="stats-chart-monthly"),
    path(
        "stats/charts/home-areas/", apis.HomeAreaChartApi.as_view(), name="stats-chart-home-areas"
    ),
    path("reports/annual/<int:year>/", apis.AnnualReportApi.as_view(), name="report-annual"),
    path(
        "reports/counter/title-requests/",
        apis.CounterTitleReportApi.as_view(),
        name="report-counter-title-requests",
    ),
    path(
        "institutions/<int:pk>/sushi-credentials/",
        sushi_apis.SushiCredentialListApi.as_view(),
        name="institution-sushi-credentials",
    ),
    path(
        "institutions/<int:pk>/sushi-credentials/<int:credential_pk>/revoke/",
        sushi_apis.SushiCredentialRevokeApi.as_view(),
        name="institution-sushi-credential-revoke",
    ),
    # SUSHI (COUNTER_SUSHI5, Release 5.1): harvested with requestor_id + api_key
    path("sushi/status", sushi_apis.SushiStatusApi.as_view(), name="sushi-status"),
    path("sushi/members", sushi_apis.SushiMembersApi.as_view(), name="sushi-members"),
    path("sushi/reports", sushi_apis.SushiReportListApi.as_view(), name="sushi-reports"),
    path("sushi/reports/ir_m1", sushi_apis.SushiIrM1Api.as_view(), name="sushi-report-ir-m1"),
    path("sushi/reports/pr_p1", sushi_apis.SushiPrP1Api.as_view(), name="sushi-report-pr-p1"),
]
