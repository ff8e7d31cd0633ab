"""Dated MARC update files: computed each morning for every subscribing library, new
records the day a film becomes available, delete records the day it leaves (same 001),
kept as delivered; parsed back with pymarc."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from pymarc import MARCReader

from records.models import RecordChange, RecordHolding
from records.services import record_updates_compute
from rights import services as rights_services
from rights.models import Medium
from subscriptions.services.subscriptions import subscription_cancel
from tests.factories import FilmFactory
from tests.rights.conftest import GrantFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _day(offset):
    return TODAY + datetime.timedelta(days=offset)


def _film(reference, *, starts_in=-365, ends_in=None, medium=Medium.STREAM_HOME):
    film = FilmFactory(reference=reference)
    grant = GrantFactory(
        film=film,
        medium=medium,
        starts_on=_day(starts_in),
        ends_on=_day(ends_in) if ends_in is not None else None,
    )
    return film, grant


def _parse(response):
    return list(MARCReader(io.BytesIO(response.content), to_unicode=True, force_utf8=True))


@pytest.mark.embedded
def test_new_and_delete_records_the_days_films_come_and_go(library, library_api, subscribed):
    leaving, _ = _film("CN-000101", ends_in=5)
    coming, _ = _film("CN-000102", starts_in=3)
    staying, _ = _film("CN-000103")
    _film("CN-000104", medium=Medium.DVD)  # not streamable: never in the records

    assert record_updates_compute(today=TODAY)["new"] == 2
    assert record_updates_compute(today=TODAY) == {"libraries": 1, "new": 0, "deleted": 0}
    record_updates_compute(today=_day(3))
    record_updates_compute(today=_day(6))

    files = library_api.get("/api/v1/records/updates/").json()["results"]
    assert [(f["day"], f["new"], f["deleted"]) for f in files] == [
        (_day(6).isoformat(), 0, 1),
        (_day(3).isoformat(), 1, 0),
        (TODAY.isoformat(), 2, 0),
    ]
    first = _parse(library_api.get(f"/api/v1/records/updates/{TODAY}/?format=marc21"))
    assert sorted(r["001"].data for r in first) == [leaving.reference, staying.reference]
    assert {r.leader[5] for r in first} == {"n"}
    arrived = _parse(library_api.get(f"/api/v1/records/updates/{_day(3)}/?format=unimarc"))
    assert [r["001"].data for r in arrived] == [coming.reference]
    # the delete file lists exactly the film that left, as a delete record
    response = library_api.get(f"/api/v1/records/updates/{_day(6)}/?format=marc21")
    assert response["X-Deleted-Record-Count"] == "1"
    gone = _parse(response)
    assert [(r["001"].data, r.leader[5]) for r in gone] == [(leaving.reference, "d")]
    xml = library_api.get(f"/api/v1/records/updates/{_day(6)}/?format=marcxml")
    assert xml.status_code == 200 and leaving.reference.encode() in xml.content
    assert set(
        RecordHolding.objects.filter(institution=library).values_list("film_id", flat=True)
    ) == {coming.pk, staying.pk}


def test_a_delivered_file_stays_as_delivered(library, library_api, subscribed):
    film, grant = _film("CN-000201")
    record_updates_compute(today=TODAY)
    # the grant is corrected afterwards as if it had never started: the file of that day
    # still holds what the library received, and the next file deletes it
    rights_services.grant_update(grant=grant, starts_on=_day(30))
    again = _parse(library_api.get(f"/api/v1/records/updates/{TODAY}/"))
    assert [r["001"].data for r in again] == [film.reference]
    record_updates_compute(today=_day(1))
    assert list(RecordChange.objects.filter(day=_day(1)).values_list("film_id", "kind")) == [
        (film.pk, "delete")
    ]


def test_a_library_that_stops_subscribing_gets_its_records_deleted(
    library, library_api, subscribed
):
    film, _ = _film("CN-000301")
    record_updates_compute(today=TODAY)
    subscription_cancel(subscription=subscribed)
    assert record_updates_compute(today=_day(1))["deleted"] == 1
    gone = _parse(library_api.get(f"/api/v1/records/updates/{_day(1)}/"))
    assert [(r["001"].data, r.leader[5]) for r in gone] == [(film.reference, "d")]


def test_update_files_are_private_and_bad_days_refused(
    library, library_api, other_library_api, subscribed
):
    _film("CN-000401")
    call_command("record_updates", "--date", TODAY.isoformat())
    url = f"/api/v1/records/updates/?institution={library.pk}"
    assert other_library_api.get(url).status_code == 404
    file_url = f"/api/v1/records/updates/{TODAY}/?institution={library.pk}"
    assert other_library_api.get(file_url).status_code == 404
    response = library_api.get("/api/v1/records/updates/yesterday/", HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, list(response.json()["fields"])) == (400, ["day"])
    assert library_api.get(f"/api/v1/records/updates/{_day(-1)}/").status_code == 404


def test_the_files_of_given_libraries_only(library, other_library, network, subscribed):
    """`institutions`: only these libraries' files (the demo seed's); the others are left
    to the daily run, which then gives them theirs."""
    from tests.factories import InstitutionFactory, MembershipFactory

    MembershipFactory(network=network, library=other_library)
    _film("CN-000201")
    alone = InstitutionFactory()  # in no subscribing network: no file
    assert record_updates_compute(today=TODAY, institutions=[alone])["libraries"] == 0
    done = record_updates_compute(today=TODAY, institutions=[library])
    assert done == {"libraries": 1, "new": 1, "deleted": 0}
    assert set(RecordChange.objects.values_list("institution_id", flat=True)) == {library.pk}
    assert record_updates_compute(today=TODAY)["new"] == 1  # the other's, now
    assert set(RecordChange.objects.values_list("institution_id", flat=True)) == {
        library.pk,
        other_library.pk,
    }
