"""The annual activity report of the service for a calendar year, computed from the
records (nothing is stored): the catalogue at year end and its split by media, the films
withdrawn and the films new on the platform in the year, DVD orders, the libraries
authorised to order, the platform's subscribers and the libraries they cover, and the
platform's use (views, screenings).

Which media a film may be used on is the rights engine's answer
(`rights.selectors.films_available_somewhere`: the rule of `films_available` for every
territory and kind of library at once): a film counts for a medium when some library may
use it on that medium.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from backend.errors import ApplicationError
from catalogue.models import Film
from institutions.models import Institution, NetworkMembership
from rights.models import Medium
from rights.selectors import films_available_somewhere
from stats.errors import StatsErrorCode
from stats.selectors.scope import Period, StatsScope
from stats.selectors.usage import ORDERS, SCREENINGS, VIEWS
from subscriptions.models import Plan, Subscription

FIRST_YEAR = 2000
PLATFORM_MEDIA = (Medium.STREAM_ONSITE, Medium.STREAM_HOME)


def films_usable_on(media, *, on: datetime.date, among: QuerySet | None = None) -> Q:
    """Films (of `among`) some library open to the public may use on one of `media` on
    the day `on`, as the rights engine decides it (one subquery)."""
    among = Film.objects.all() if among is None else among
    return Q(pk__in=films_available_somewhere(among, media=media, on=on).values("pk"))


def films_in_catalogue(on: datetime.date) -> QuerySet[Film]:
    """Films added to the catalogue by that day and not withdrawn by then."""
    return Film.objects.filter(added_on__lte=on).exclude(withdrawn_on__lte=on)


def covered_libraries(on: datetime.date) -> tuple[QuerySet, QuerySet]:
    """(platform subscriptions in force that day, libraries they cover): a library that
    subscribes, and the members that day of a network that subscribes."""
    subscriptions = Subscription.objects.filter(
        plan__kind=Plan.Kind.PLATFORM,
        status__in=[Subscription.Status.ACTIVE, Subscription.Status.EXPIRED],
        starts_on__lte=on,
        ends_on__gte=on,
    )
    members = NetworkMembership.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gt=on),
        joined_on__lte=on,
        network__in=subscriptions.values("subscriber"),
    )
    libraries = Institution.objects.filter(
        Q(is_network=False, pk__in=subscriptions.values("subscriber"))
        | Q(pk__in=members.values("library"))
    )
    return subscriptions, libraries


def _average(total: int, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def annual_report(year: int) -> dict:
    """Every figure of the year's report (about ten aggregate queries)."""
    if not FIRST_YEAR <= year <= datetime.date.today().year + 1:
        raise ApplicationError(
            StatsErrorCode.INVALID_YEAR,
            _("Choose a year between %(first)s and next year.") % {"first": FIRST_YEAR},
            field="year",
        )
    year_end = datetime.date(year, 12, 31)
    previous_end = datetime.date(year - 1, 12, 31)
    period = Period(datetime.date(year, 1, 1), year_end)
    national = StatsScope(None)

    in_catalogue = films_in_catalogue(year_end)
    platform = films_usable_on(PLATFORM_MEDIA, on=year_end, among=in_catalogue)
    dvd = films_usable_on([Medium.DVD], on=year_end, among=in_catalogue)
    before = films_usable_on(PLATFORM_MEDIA, on=previous_end, among=in_catalogue)
    catalogue = in_catalogue.aggregate(
        films=Count("pk"),
        platform_only=Count("pk", filter=platform & ~dvd),
        all_media=Count("pk", filter=platform & dvd),
        dvd_only=Count("pk", filter=dvd & ~platform),
        new_on_platform=Count("pk", filter=platform & ~before),
    )
    withdrawn = Film.objects.filter(withdrawn_on__year=year).count()

    lines = ORDERS.queryset(national, period)
    orders = lines.aggregate(
        copies=Coalesce(Sum("quantity"), 0), titles=ORDERS.measures["titles"]()
    )
    # one number per ordering library (a few hundred aggregated rows at most)
    per_library = list(
        lines.order_by()
        .values(ORDERS.institution)
        .annotate(copies=Sum("quantity"))
        .values_list("copies", flat=True)
    )

    authorised = Institution.objects.filter(
        is_network=False, dvd_authorised_since__lte=year_end, dvd_suspended=False
    ).aggregate(
        total=Count("pk"),
        joined=Count("pk", filter=Q(dvd_authorised_since__gte=period.start)),
    )
    subscriptions, covered = covered_libraries(year_end)

    views = VIEWS.queryset(national, period).aggregate(
        **{name: make() for name, make in VIEWS.measures.items()}
    )
    screenings = SCREENINGS.queryset(national, period).aggregate(
        **{name: make() for name, make in SCREENINGS.measures.items()}
    )
    return {
        "year": year,
        "films_in_catalogue": catalogue["films"],
        "films_platform_only": catalogue["platform_only"],
        "films_all_media": catalogue["all_media"],
        "films_dvd_only": catalogue["dvd_only"],
        "films_withdrawn": withdrawn,
        "films_new_on_platform": catalogue["new_on_platform"],
        "dvd_copies_ordered": orders["copies"],
        "dvd_titles_ordered": orders["titles"],
        "ordering_libraries": len(per_library),
        "copies_per_library_min": min(per_library, default=None),
        "copies_per_library_max": max(per_library, default=None),
        "copies_per_library_average": _average(orders["copies"], len(per_library)),
        "authorised_libraries": authorised["total"],
        "authorised_libraries_joined": authorised["joined"],
        "platform_subscribers": subscriptions.values("subscriber").distinct().count(),
        "libraries_covered": covered.count(),
        "views": views["views"],
        "viewing_minutes": round(views["seconds"] / 60),
        "viewers": views["viewers"],
        "screenings_held": screenings["held"],
        "screening_attendance": screenings["attendance"],
    }


#: the report's figures, in the report's order, with their label
FIGURE_LABELS = {
    "year": _lazy("Year"),
    "films_in_catalogue": _lazy("Films in the catalogue at year end"),
    "films_platform_only": _lazy("of which on the platform only"),
    "films_all_media": _lazy("of which on every medium"),
    "films_dvd_only": _lazy("of which on DVD only"),
    "films_withdrawn": _lazy("Films withdrawn in the year"),
    "films_new_on_platform": _lazy("Films new on the platform in the year"),
    "dvd_copies_ordered": _lazy("DVD copies ordered"),
    "dvd_titles_ordered": _lazy("DVD titles ordered"),
    "ordering_libraries": _lazy("Libraries that ordered DVDs"),
    "copies_per_library_min": _lazy("Fewest copies ordered by a library"),
    "copies_per_library_max": _lazy("Most copies ordered by a library"),
    "copies_per_library_average": _lazy("Average copies per ordering library"),
    "authorised_libraries": _lazy("Libraries authorised to order DVDs"),
    "authorised_libraries_joined": _lazy("of which authorised in the year"),
    "platform_subscribers": _lazy("Platform subscribers"),
    "libraries_covered": _lazy("Libraries covered by the platform subscriptions"),
    "views": _lazy("Views on the platform"),
    "viewing_minutes": _lazy("Minutes watched"),
    "viewers": _lazy("Distinct viewers"),
    "screenings_held": _lazy("Public screenings held"),
    "screening_attendance": _lazy("Screening attendance"),
}


def annual_report_rows(report: dict) -> list[list]:
    """The report as (figure, label, value) lines, for CSV."""
    return [[name, str(label), report[name]] for name, label in FIGURE_LABELS.items()]
