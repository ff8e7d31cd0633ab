"""COUNTER 5.1 reports through the SUSHI API: IR_M1 equals a direct count of the view
events (hypothesis), PR_P1 agrees with IR_M1, a network counts its members only while
they are members, and each report is a constant number of queries."""

import datetime
from collections import defaultdict

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from stats.services import sushi_credential_create
from tests.factories import FilmFactory, InstitutionFactory, MembershipFactory, NetworkFactory
from tests.stats.conftest import make_view

pytestmark = pytest.mark.django_db

MONTH = datetime.date(2024, 3, 1)
JOINED = datetime.date(2024, 3, 10)
LEFT = datetime.date(2024, 3, 20)


@pytest.fixture
def world(db):
    network = NetworkFactory(code="NET-S")
    member = InstitutionFactory(code="LIB-M")  # a member since 2020
    passing = InstitutionFactory(code="LIB-P")  # a member from 10 to 20 March only
    outsider = InstitutionFactory(code="LIB-O")
    MembershipFactory(network=network, library=member, joined_on=datetime.date(2020, 1, 1))
    MembershipFactory(network=network, library=passing, joined_on=JOINED, left_on=LEFT)
    films = [FilmFactory(title=f"Film {i}") for i in range(3)]
    keys = {
        inst.code: sushi_credential_create(institution=inst)
        for inst in (network, member, passing, outsider)
    }
    return {"network": network, "libraries": [member, passing, outsider], "films": films}, keys


def harvest(keys, code, report, customer=None, **period):
    new = keys[code]
    query = {
        "requestor_id": new.credential.requestor_id,
        "api_key": new.api_key,
        "customer_id": customer or code,
        "begin_date": "2024-03",
        "end_date": "2024-03",
        **period,
    }
    return APIClient().get(f"/api/v1/sushi/reports/{report}", query)


def ir_m1_table(body) -> dict:
    table = {}
    for item in body["Report_Items"]:
        performance = item["Attribute_Performance"][0]["Performance"]
        for metric, months in performance.items():
            for month, count in months.items():
                table[(item["Item"], metric, month)] = count
    return table


views = st.lists(
    st.tuples(
        st.integers(0, 2),  # library
        st.integers(0, 2),  # film
        st.integers(-3, 33),  # day after 1 March (a few outside March)
        st.sampled_from([0, 1, 12, 23]),  # hour in Paris
        st.integers(0, 3),  # viewer
    ),
    max_size=30,
)


@pytest.mark.embedded
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(generated=views)
def test_ir_m1_and_pr_p1_equal_direct_counts(world, generated):
    data, keys = world
    libraries, films = data["libraries"], data["films"]
    with transaction.atomic():
        for lib, film, offset, hour, viewer in generated:
            make_view(
                library=libraries[lib],
                film=films[film],
                day=MONTH + datetime.timedelta(days=offset),
                hour=hour,
                viewer=f"viewer-{viewer}",
            )
        for code, counted in (
            ("LIB-M", lambda lib, day: lib == 0),
            ("NET-S", lambda lib, day: lib == 0 or (lib == 1 and JOINED <= day < LEFT)),
        ):
            total, sessions = defaultdict(int), defaultdict(set)
            for lib, film, offset, _hour, viewer in generated:
                day = MONTH + datetime.timedelta(days=offset)
                if day.month != 3 or not counted(lib, day):
                    continue
                total[films[film].title] += 1
                sessions[films[film].title].add((viewer, day))
            expected = {}
            for title, count in total.items():
                expected[(title, "Total_Item_Requests", "2024-03")] = count
                expected[(title, "Unique_Item_Requests", "2024-03")] = len(sessions[title])
            response = harvest(keys, code, "ir_m1")
            assert response.status_code == 200
            assert ir_m1_table(response.json()) == expected

            platform = harvest(keys, code, "pr_p1").json()
            items = platform["Report_Items"]
            if not total:
                assert items == []
                codes = [e["Code"] for e in platform["Report_Header"]["Exceptions"]]
                assert codes == [3030]
                continue
            performance = items[0]["Attribute_Performance"][0]["Performance"]
            assert performance["Total_Item_Requests"] == {"2024-03": sum(total.values())}
            unique = sum(len(s) for s in sessions.values())
            assert performance["Unique_Item_Requests"] == {"2024-03": unique}
            assert performance["Unique_Title_Requests"] == {"2024-03": unique}
        transaction.set_rollback(True)


def test_report_header_is_counter_5_1(world):
    data, keys = world
    make_view(library=data["libraries"][0], film=data["films"][0], day=datetime.date(2024, 3, 2))
    body = harvest(keys, "LIB-M", "ir_m1", begin_date="2024-03-15", end_date="2024-03-16").json()
    header = body["Report_Header"]
    assert header["Release"] == "5.1"
    assert header["Report_ID"] == "IR_M1"
    assert header["Customer_ID"] == "LIB-M"
    assert header["Institution_Name"] == data["libraries"][0].name
    assert header["Report_Filters"]["Begin_Date"] == "2024-03-01"  # whole months
    assert header["Report_Filters"]["End_Date"] == "2024-03-31"
    assert header["Exceptions"] == []
    assert header["Created"].endswith("Z") and header["Created_By"]
    item = body["Report_Items"][0]
    assert item["Attribute_Performance"][0]["Data_Type"] == "Multimedia"


def test_a_network_harvests_a_current_member_but_not_one_that_left(world):
    data, keys = world
    make_view(library=data["libraries"][0], film=data["films"][0], day=datetime.date(2024, 3, 2))
    member = harvest(keys, "NET-S", "ir_m1", customer="LIB-M")
    assert member.status_code == 200
    assert member.json()["Report_Header"]["Customer_ID"] == "LIB-M"
    assert harvest(keys, "NET-S", "ir_m1", customer="LIB-P").status_code == 403
    # and a member does not harvest its network
    assert harvest(keys, "LIB-M", "ir_m1", customer="NET-S").json()["Code"] == 2010


@pytest.mark.parametrize("report", ["ir_m1", "pr_p1"])
def test_reports_take_a_constant_number_of_queries(world, report):
    data, keys = world

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert harvest(keys, "NET-S", report, end_date="2024-12").status_code == 200
        return len(ctx.captured_queries)

    make_view(library=data["libraries"][0], film=data["films"][0], day=datetime.date(2024, 3, 2))
    few = count()
    for month in range(3, 13):
        for film in [*data["films"], FilmFactory()]:
            for library in data["libraries"]:
                make_view(library=library, film=film, day=datetime.date(2024, month, 12))
    assert count() == few
