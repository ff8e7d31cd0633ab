"""Catalogue records for a library's own catalogue: MARC21, UNIMARC and MARCXML files of
the films it may stream (as the rights engine decides), parsed back with pymarc."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pymarc import MARCReader, parse_xml_to_array

from catalogue.models import Country, Language
from records.models import RecordSettings
from rights.models import Medium
from tests.editorial.conftest import film_with
from tests.factories import PersonFactory
from tests.records.conftest import subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(subscribed):
    varda = PersonFactory(name="Agnès Varda", sort_name="Varda, Agnès")
    other = PersonFactory(name="Chris Marker", sort_name="Marker, Chris")
    france = Country.objects.create(code="FR", name="France")
    belgium = Country.objects.create(code="BE", name="Belgique")
    french = Language.objects.create(code="fr", name="français")
    streamed = film_with(
        Medium.STREAM_HOME,
        reference="CN-000042",
        title="Les Glaneurs et la Glaneuse",
        original_title="The Gleaners and I",
        year=2000,
        runtime_minutes=82,
        synopsis="Glaneurs d'hier et d'aujourd'hui.",
        has_french_subtitles=True,
    )
    streamed.directors.add(varda, other)
    streamed.countries.add(france, belgium)
    streamed.original_languages.add(french)
    return {
        "streamed": streamed,
        "onsite": film_with(Medium.STREAM_ONSITE, reference="CN-000043", is_animated=True),
        "dvd_only": film_with(Medium.DVD, reference="CN-000044"),
        "departmental": film_with(
            Medium.STREAM_HOME, reference="CN-000045", kinds=["departmental"]
        ),
        "ended": film_with(Medium.STREAM_HOME, reference="CN-000046", ends_in=-1),
    }


def _records(client, fmt, **params):
    query = "&".join([f"format={fmt}", *(f"{k}={v}" for k, v in params.items())])
    response = client.get(f"/api/v1/records/?{query}")
    assert response.status_code == 200, response.content
    return response


def _marc(response):
    return list(MARCReader(io.BytesIO(response.content), to_unicode=True, force_utf8=True))


@pytest.mark.embedded
def test_marc21_file_holds_only_the_films_the_library_may_stream(library_api, library, catalogue):
    response = _records(library_api, "marc21")
    assert response["Content-Type"] == "application/marc"
    assert response["Content-Disposition"].endswith('.mrc"')
    records = _marc(response)
    assert [r["001"].data for r in records] == ["CN-000042", "CN-000043"]
    record = records[0]
    assert record.leader[5:8] == "ngm" and record.leader[9] == "a"
    assert record["245"]["a"] == "Les Glaneurs et la Glaneuse"
    assert record["245"]["c"] == "réalisé par Chris Marker, Agnès Varda"
    assert record["246"]["a"] == "The Gleaners and I"
    assert [f["a"] for f in record.get_fields("700")] == ["Marker, Chris", "Varda, Agnès"]
    assert {f["a"] for f in record.get_fields("257")} == {"France", "Belgique"}
    assert record["041"].get_subfields("a", "j") == ["fre", "fre"]
    assert record["008"].data[7:11] == "2000" and record["008"].data[18:21] == "082"
    assert record["264"]["c"] == "2000"
    assert record["300"]["a"] == "1 ressource en ligne (82 min)"
    assert record["306"]["a"] == "012200"
    assert record["520"]["a"] == "Glaneurs d'hier et d'aujourd'hui."
    link = record["856"]["u"]
    assert link == f"http://testserver-front/films/CN-000042?bib={library.code}"
    assert records[1]["008"].data[34] == "a"  # animated


def test_unimarc_file(library_api, library, catalogue):
    records = _marc(_records(library_api, "unimarc"))
    assert [r["001"].data for r in records] == ["CN-000042", "CN-000043"]
    record = records[0]
    assert record.leader[5:8] == "ngm"
    assert record["100"]["a"][26:28] == "50" and len(record["100"]["a"]) == 36
    assert record["200"]["a"] == "Les Glaneurs et la Glaneuse"
    assert record["200"]["f"] == "réalisé par Chris Marker, Agnès Varda"
    assert record["101"].get_subfields("a", "j") == ["fre", "fre"]
    assert record["102"].get_subfields("a") == ["BE", "FR"]
    assert record["210"]["d"] == "2000"
    assert record["215"]["a"] == "1 ressource en ligne (82 min)"
    assert record["330"]["a"] == "Glaneurs d'hier et d'aujourd'hui."
    assert (record["700"]["a"], record["700"]["b"], record["700"]["4"]) == (
        "Marker",
        "Chris",
        "300",
    )
    assert (record["701"]["a"], record["701"]["b"]) == ("Varda", "Agnès")
    assert record["856"]["u"].endswith(f"/films/CN-000042?bib={library.code}")


def test_marcxml_and_the_proxy_prefix(library_api, library, catalogue):
    RecordSettings.objects.create(
        institution=library, proxy_prefix="https://proxy.bib.example/login?url="
    )
    response = _records(library_api, "marcxml")
    assert response["Content-Type"] == "application/marcxml+xml"
    records = parse_xml_to_array(io.BytesIO(response.content))
    assert [r["001"].data for r in records] == ["CN-000042", "CN-000043"]
    assert records[0]["856"]["u"] == (
        "https://proxy.bib.example/login?url=http://testserver-front/films/CN-000042"
        f"?bib={library.code}"
    )


def test_a_departmental_library_gets_its_own_films(catalogue):
    from accounts.models import User
    from tests.conftest import client_for
    from tests.factories import InstitutionFactory, UserFactory

    bdp = InstitutionFactory(kind="departmental")
    subscribe(bdp)
    client = client_for(UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=bdp))
    assert [r["001"].data for r in _marc(_records(client, "marc21"))] == [
        "CN-000042",
        "CN-000043",
        "CN-000045",
    ]


def test_constant_number_of_queries(library_api, catalogue):
    def count():
        with CaptureQueriesContext(connection) as captured:
            _records(library_api, "unimarc")
        return len(captured)

    few = count()
    for index in range(10):
        film = film_with(Medium.STREAM_HOME, reference=f"CN-1000{index:02d}")
        film.directors.add(PersonFactory())
    assert count() == few


def test_who_may_read_which_library_records(
    library, other_library_api, patron_api, editor_api, api, catalogue
):
    url = f"/api/v1/records/?format=marc21&institution={library.pk}"
    assert other_library_api.get(url).status_code == 404
    assert patron_api.get(url).status_code == 404
    assert api.get(url).status_code == 401
    staff = editor_api.get(url)
    assert staff.status_code == 200
    assert len(_marc(staff)) == 2
    refused = editor_api.get("/api/v1/records/?format=marc21")
    assert refused.status_code == 400
    assert refused.json()["code"] == "institution_required"


def test_bad_format_is_refused_in_french_and_english(library_api, catalogue):
    response = library_api.get("/api/v1/records/?format=pdf")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_format"
    assert response.json()["detail"] == "Choisissez le format marc21, unimarc ou marcxml."
    english = library_api.get("/api/v1/records/?format=pdf", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"] == "Choose the format marc21, unimarc or marcxml."
    assert library_api.get("/api/v1/records/?institution=abc").status_code == 400
    asking_json = library_api.get("/api/v1/records/?format=unimarc", HTTP_ACCEPT="application/json")
    assert asking_json["Content-Type"] == "application/marc"
    json_format = library_api.get("/api/v1/records/?format=json")
    assert json_format.json()["code"] == "invalid_format"
    default = library_api.get("/api/v1/records/")
    assert default["Content-Type"] == "application/marc"
    assert len(_marc(default)) == 2


def test_library_admin_sets_the_proxy_prefix(library, library_api, editor_api, catalogue):
    url = f"/api/v1/institutions/{library.pk}/record-settings/"
    assert library_api.get(url).json() == {"proxy_prefix": ""}
    prefix = "https://proxy.bib.example/login?url="
    assert library_api.put(url, {"proxy_prefix": prefix}, format="json").json() == {
        "proxy_prefix": prefix
    }
    records = _marc(_records(library_api, "marc21"))
    assert records[0]["856"]["u"].startswith(prefix + "http://testserver-front/films/")
    # a member of staff reads but may not change; nor may another library
    from accounts.models import User
    from tests.conftest import client_for
    from tests.factories import UserFactory

    member = client_for(UserFactory(role=User.Role.INSTITUTION_MEMBER, institution=library))
    assert member.get(url).status_code == 200
    refused = member.put(url, {"proxy_prefix": ""}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "admin_required")
    bad = library_api.put(url, {"proxy_prefix": "pas une adresse"}, format="json")
    assert bad.status_code == 400 and "proxy_prefix" in bad.json()["fields"]
    assert editor_api.put(url, {"proxy_prefix": ""}, format="json").status_code == 200
    assert RecordSettings.objects.get(institution=library).proxy_prefix == ""


def test_other_library_cannot_read_or_set_the_settings(library, other_library_api):
    url = f"/api/v1/institutions/{library.pk}/record-settings/"
    assert other_library_api.get(url).status_code == 404
    assert other_library_api.put(url, {"proxy_prefix": ""}, format="json").status_code == 404
    assert not RecordSettings.objects.exists()


def test_changes_between_two_days_make_new_and_delete_records(library):
    import datetime

    from catalogue.models import Film
    from records.marc import DELETED, NEW, records_file
    from records.selectors import changes_between, film_records
    from tests.editorial.conftest import day
    from tests.rights.conftest import GrantFactory

    staying = film_with(Medium.STREAM_HOME, reference="CN-000001")
    leaving = film_with(Medium.STREAM_HOME, reference="CN-000002", ends_in=3)
    coming = film_with(reference="CN-000003")
    GrantFactory(film=coming, medium=Medium.STREAM_ONSITE, starts_on=day(5), ends_on=None)
    added, removed = changes_between(library, since=day(0), on=day(10))
    assert (added, removed) == ({coming.pk}, {leaving.pk})
    assert staying.pk not in added | removed
    now = datetime.datetime(2026, 1, 2, 3, 4, 5)
    new_file = records_file(
        film_records(Film.objects.filter(pk__in=added), institution=library),
        flavour="unimarc",
        status=NEW,
        now=now,
    )
    delete_file = records_file(
        film_records(Film.objects.filter(pk__in=removed), institution=library),
        flavour="marc21",
        status=DELETED,
        now=now,
    )
    parsed_new = list(MARCReader(io.BytesIO(new_file), to_unicode=True, force_utf8=True))
    parsed_deleted = list(MARCReader(io.BytesIO(delete_file), to_unicode=True, force_utf8=True))
    assert [(r["001"].data, r.leader[5]) for r in parsed_new] == [("CN-000003", "n")]
    assert [(r["001"].data, r.leader[5]) for r in parsed_deleted] == [("CN-000002", "d")]


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "streaming platform"), ("fr", "plateforme de streaming")],
)
def test_a_library_without_a_streaming_subscription_gets_no_records(
    library, network, library_api, editor_api, language, message
):
    film_with(Medium.STREAM_HOME, reference="CN-000050")
    subscribe(network, plan="discovery-3")  # screenings only
    for client in (library_api, editor_api):
        response = client.get(
            f"/api/v1/records/?format=marc21&institution={library.pk}",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 403
        assert response.json()["code"] == "not_a_subscriber"
        assert message in response.json()["detail"]
    subscribe(library)
    assert [r["001"].data for r in _marc(_records(library_api, "marc21"))] == ["CN-000050"]
