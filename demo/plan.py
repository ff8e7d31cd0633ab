"""The figures the demo data reproduces (year 2017 of the national catalogue) and the
deterministic plan of films shared by the apps that seed them.

Source: the annual report quoted in shared/DOMAIN.md. Every figure is multiplied by
`--scale` for benchmarks.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

YEAR = 2017
YEAR_END = datetime.date(YEAR, 12, 31)

FILMS_IN_CATALOGUE = 881
FILMS_PLATFORM_ONLY = 39
FILMS_ALL_MEDIA = 261
FILMS_DVD_ONLY = FILMS_IN_CATALOGUE - FILMS_PLATFORM_ONLY - FILMS_ALL_MEDIA  # 581
FILMS_WITHDRAWN_IN_YEAR = 170
FILMS_WITHDRAWN_BEFORE = 140
NEW_ON_PLATFORM_IN_YEAR = 26
NEW_ON_PLATFORM_YEAR_BEFORE = 15
RENEGOTIATION_TITLES = 500
FILMS_PROPOSED = 12
FILMS_IN_ACQUISITION = 9

DVD_AUTHORISED_LIBRARIES = 645
DVD_JOINED_IN_YEAR = 5
DVD_SUSPENDED_LIBRARIES = 4

SUBSCRIBERS = 33
LIBRARIES_COVERED = 1069
#: member counts of the subscribing networks; the other subscribers are single libraries
SUBSCRIBING_NETWORK_SIZES = (180, 150, 130, 110, 95, 85, 75, 65, 55, 45, 35, 23)
SINGLE_LIBRARY_SUBSCRIBERS = SUBSCRIBERS - len(SUBSCRIBING_NETWORK_SIZES)  # 21
NON_SUBSCRIBING_NETWORK_SIZES = (40, 30, 25, 20)
OTHER_LIBRARIES = 420

DVD_COPIES_ORDERED = 221
DVD_TITLES_ORDERED = 151
ORDERING_LIBRARIES = 31

assert sum(SUBSCRIBING_NETWORK_SIZES) + SINGLE_LIBRARY_SUBSCRIBERS == LIBRARIES_COVERED


class Category:
    """Which media a film's rights cover (the rights demo turns these into grants)."""

    PLATFORM_ONLY = "platform_only"
    ALL_MEDIA = "all_media"
    DVD_ONLY = "dvd_only"
    WITHDRAWN_IN_YEAR = "withdrawn_in_year"
    WITHDRAWN_BEFORE = "withdrawn_before"
    PROPOSED = "proposed"
    IN_ACQUISITION = "in_acquisition"


@dataclass(frozen=True)
class FilmPlan:
    index: int
    category: str
    added_on: datetime.date | None
    withdrawn_on: datetime.date | None
    #: among DVD-only films, the titles of the renegotiation campaign
    in_renegotiation: bool = False


@dataclass
class DemoContext:
    scale: int = 1
    stdout: object = None

    def random(self, name: str) -> random.Random:
        """A generator of its own for each app, so that an app's demo data is the same
        whether or not the apps before it had already been seeded."""
        return random.Random(f"{YEAR}-{name}-{self.scale}")

    def say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)


def _date_in(rng: random.Random, year: int, month_from: int = 1, month_to: int = 12):
    month = rng.randint(month_from, month_to)
    return datetime.date(year, month, rng.randint(1, 28))


def film_plan(scale: int) -> list[FilmPlan]:
    """The films to create, in a fixed order, with their category and dates."""
    rng = random.Random(YEAR * 7 + scale)
    plans: list[FilmPlan] = []

    def add(category, count, added, withdrawn=None, renegotiation=0):
        for i in range(count * scale):
            plans.append(
                FilmPlan(
                    index=len(plans),
                    category=category,
                    added_on=added() if added else None,
                    withdrawn_on=withdrawn() if withdrawn else None,
                    in_renegotiation=i < renegotiation * scale,
                )
            )

    old = lambda: _date_in(rng, rng.randint(2006, 2014))  # noqa: E731
    add(Category.PLATFORM_ONLY, NEW_ON_PLATFORM_IN_YEAR, lambda: _date_in(rng, YEAR))
    add(
        Category.PLATFORM_ONLY,
        FILMS_PLATFORM_ONLY - NEW_ON_PLATFORM_IN_YEAR,
        lambda: _date_in(rng, YEAR - 1, 9, 12),
    )
    add(
        Category.ALL_MEDIA,
        NEW_ON_PLATFORM_YEAR_BEFORE - (FILMS_PLATFORM_ONLY - NEW_ON_PLATFORM_IN_YEAR),
        lambda: _date_in(rng, YEAR - 1, 9, 12),
    )
    add(
        Category.ALL_MEDIA,
        FILMS_ALL_MEDIA
        - (NEW_ON_PLATFORM_YEAR_BEFORE - (FILMS_PLATFORM_ONLY - NEW_ON_PLATFORM_IN_YEAR)),
        old,
    )
    add(Category.DVD_ONLY, FILMS_DVD_ONLY, old, renegotiation=RENEGOTIATION_TITLES)
    add(Category.WITHDRAWN_IN_YEAR, FILMS_WITHDRAWN_IN_YEAR, old, lambda: _date_in(rng, YEAR))
    add(
        Category.WITHDRAWN_BEFORE,
        FILMS_WITHDRAWN_BEFORE,
        lambda: _date_in(rng, rng.randint(2004, 2008)),
        lambda: _date_in(rng, rng.randint(2012, YEAR - 1)),
    )
    add(Category.PROPOSED, FILMS_PROPOSED, None)
    add(Category.IN_ACQUISITION, FILMS_IN_ACQUISITION, None)
    return plans
