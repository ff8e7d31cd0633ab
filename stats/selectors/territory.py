"""Where a library's patrons live, against where the library is.

A patron's home area is coarse on purpose — a department code, or a commune (INSEE) code
of which only the department is kept here — declared by the patron or given by the
library; never an address or an IP address. Views are attributed through the playback
session to the viewer's patron record; a view whose patron was erased or never declared
an area counts as "unknown".
"""

from __future__ import annotations

from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Substr, Upper
from django.utils.translation import gettext_lazy as _

from institutions.geography import DEPARTMENT_REGION, REGIONS
from institutions.models import Institution
from media.models import ViewEvent
from stats.selectors.scope import Period
from subscriptions.models import Patron

UNKNOWN = ""

RELATIONS = {
    "library_department": _("the library's department"),
    "library_region": _("another department of the library's region"),
    "elsewhere": _("another region"),
    "unknown": _("unknown"),
}


def department_of_area(area_field: str) -> Case:
    """The department of a home area, in SQL: a department code as it is; a five-digit
    commune code gives its first two characters (three overseas: 971…976; 2A/2B)."""
    area = Upper(F(area_field))
    return Case(
        When(**{f"{area_field}__isnull": True}, then=Value(UNKNOWN)),
        When(Q(**{f"{area_field}": ""}), then=Value(UNKNOWN)),
        When(Q(**{f"{area_field}__regex": r"^[0-9AaBb]{2,3}$"}), then=area),
        When(Q(**{f"{area_field}__startswith": "97"}), then=Substr(area, 1, 3)),
        When(Q(**{f"{area_field}__regex": r"^[0-9AaBb]{5}$"}), then=Substr(area, 1, 2)),
        default=Value(UNKNOWN),
        output_field=CharField(),
    )


def _relation(library: Institution, department: str) -> str:
    region = DEPARTMENT_REGION.get(department)
    if region is None:
        return "unknown"
    if department == library.department_code:
        return "library_department"
    if region == library.region_code:
        return "library_region"
    return "elsewhere"


def home_areas(*, library: Institution, period: Period) -> list[dict]:
    """By the patrons' home department: registered patrons (not erased) and the views,
    viewing minutes and distinct viewers of the period at this library (two aggregate
    queries). A network gets its own patrons and views (its members' are theirs)."""
    patrons = (
        Patron.objects.filter(institution=library, erased_at__isnull=True)
        .annotate(department=department_of_area("home_area"))
        .order_by()
        .values("department")
        .annotate(patrons=Count("pk"))
    )
    first, after = period.bounds()
    views = (
        ViewEvent.objects.filter(institution=library, started_at__gte=first, started_at__lt=after)
        .annotate(
            department=Coalesce(
                department_of_area("session__user__patron__home_area"), Value(UNKNOWN)
            )
        )
        .order_by()
        .values("department")
        .annotate(
            views=Count("pk"),
            seconds=Coalesce(Sum("seconds_watched"), 0),
            viewers=Count("viewer_pseudonym", distinct=True),
        )
    )
    table: dict[str, dict] = {}

    def row(department: str) -> dict:
        known = department if department in DEPARTMENT_REGION else UNKNOWN
        return table.setdefault(
            known,
            {
                "department": known,
                "region": DEPARTMENT_REGION.get(known, ""),
                "region_name": REGIONS.get(DEPARTMENT_REGION.get(known, ""), ""),
                "relation": _relation(library, known),
                "patrons": 0,
                "views": 0,
                "minutes": 0,
                "viewers": 0,
                "_seconds": 0,
            },
        )

    for item in patrons:  # one row per department
        row(item["department"])["patrons"] += item["patrons"]
    for item in views:  # one row per department
        entry = row(item["department"])
        entry["views"] += item["views"]
        entry["_seconds"] += item["seconds"]
        entry["viewers"] += item["viewers"]
    order = list(RELATIONS)
    rows = sorted(
        table.values(), key=lambda r: (order.index(r["relation"]), -r["views"], r["department"])
    )
    for entry in rows:
        entry["minutes"] = round(entry.pop("_seconds") / 60)
        entry["relation_label"] = str(RELATIONS[entry["relation"]])
    return rows


def home_area_summary(rows: list[dict]) -> list[dict]:
    """The same table folded by relation to the library (for the territorial chart)."""
    summary = {
        relation: {"relation": relation, "label": str(label), "patrons": 0, "views": 0}
        for relation, label in RELATIONS.items()
    }
    for entry in rows:
        summary[entry["relation"]]["patrons"] += entry["patrons"]
        summary[entry["relation"]]["views"] += entry["views"]
    return list(summary.values())
