"""Routes of the stats app, included under /api/v1/ by backend.urls."""

from django.urls import path

from stats import apis

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
]
