"""The demo rights reproduce the 2017 split and stay in force today."""

import datetime

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from rights.models import Contract, Medium, RightsGrant

pytestmark = pytest.mark.django_db


def _films_with(medium, on):
    in_force = Q(starts_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    return set(
        RightsGrant.objects.filter(in_force, medium=medium).values_list("film_id", flat=True)
    )


def test_demo_rights_split(demo_data):
    year_end = datetime.date(2017, 12, 31)
    home, dvd = _films_with(Medium.STREAM_HOME, year_end), _films_with(Medium.DVD, year_end)
    assert len(home) == 300
    assert len(home - dvd) == 39
    assert len(home & dvd) == 261
    assert len(dvd - home) == 581
    assert len(_films_with(Medium.STREAM_HOME, timezone.localdate())) == 300
    contracts = Contract.objects.count()
    call_command("seed_demo", verbosity=0)
    assert Contract.objects.count() == contracts
