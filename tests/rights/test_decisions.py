"""The rights decision on every boundary, and the bulk form against the single one."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.models import Film
from institutions.models import Institution
from rights.decisions import Decision, decide, decide_many, register_usage_provider
from rights.decisions import _usage_providers as usage_providers
from rights.models import Contract, Medium
from rights.selectors import films_available
from tests.factories import FilmFactory, InstitutionFactory, NetworkFactory
from tests.rights.conftest import ContractFactory, GrantFactory

pytestmark = pytest.mark.django_db

D = datetime.date
START, END = D(2017, 3, 1), D(2017, 10, 31)
ALL_KINDS = list(Institution.Kind.values)
UNSIGNED = (Contract.Status.DRAFT, Contract.Status.IN_NEGOTIATION)


def _case(**overrides):
    grant = {"starts_on": START, "ends_on": END}
    grant.update(overrides.pop("grant", {}))
    return grant, overrides


# (label, grant fields (None: no grant), day, institution fields, usage, expected decision)
CASES = [
    ("day before start", {}, D(2017, 2, 28), {}, None, (False, "not_yet", D(2017, 2, 28))),
    ("first day", {}, START, {}, None, (True, "ok", END)),
    ("last day", {}, END, {}, None, (True, "ok", END)),
    ("day after", {}, D(2017, 11, 1), {}, None, (False, "expired", None)),
    ("open end", {"ends_on": None}, D(2030, 1, 1), {}, None, (True, "ok", None)),
    ("no grant", None, START, {}, None, (False, "no_rights", None)),
    (
        "overseas library, metropolitan right",
        {"territories": ["FR-MET"]},
        START,
        {"department_code": "974", "region_code": "04"},
        None,
        (False, "territory", None),
    ),
    (
        "overseas library, overseas right",
        {"territories": ["FR-DOM"]},
        START,
        {"department_code": "974", "region_code": "04"},
        None,
        (True, "ok", END),
    ),
    (
        "association-run library, default kinds",
        {},
        START,
        {"kind": Institution.Kind.ASSOCIATION},
        None,
        (True, "ok", END),
    ),
    (
        "association-run library, excluded",
        {"eligible_kinds": ["municipal", "departmental"]},
        START,
        {"kind": Institution.Kind.ASSOCIATION},
        None,
        (False, "institution_kind", None),
    ),
    (
        "holdback, day before",
        {"holdback_until": D(2017, 5, 1)},
        D(2017, 4, 30),
        {},
        None,
        (False, "holdback", D(2017, 4, 30)),
    ),
    (
        "holdback, first day",
        {"holdback_until": D(2017, 5, 1)},
        D(2017, 5, 1),
        {},
        None,
        (True, "ok", END),
    ),
    (
        "screening cap reached",
        {"medium": Medium.PUBLIC_SCREENING, "max_screenings_per_year": 3},
        D(2017, 4, 1),
        {},
        3,
        (False, "cap_reached", END),
    ),
    (
        "screening cap not reached",
        {"medium": Medium.PUBLIC_SCREENING, "max_screenings_per_year": 3},
        D(2017, 4, 1),
        {},
        2,
        (True, "ok", END),
    ),
]


@pytest.mark.parametrize(
    ("grant", "day", "where", "usage", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_decide_boundaries(grant, day, where, usage, expected):
    film = FilmFactory()
    institution = InstitutionFactory(**where)
    medium = (grant or {}).get("medium", Medium.STREAM_HOME)
    made = None
    if grant is not None:
        made = GrantFactory(film=film, **{"starts_on": START, "ends_on": END, **grant})
    decision = decide(institution, film, medium, on=day, usage=usage)
    assert (decision.allowed, decision.reason, decision.valid_until) == expected
    if decision.reason in {"ok", "holdback", "cap_reached", "not_yet", "expired"}:
        assert decision.grant_id == made.pk
    bulk = decide_many(institution, [film], [medium], on=day, usage={film.pk: usage})
    assert bulk[film.pk][medium] == decision


def test_withdrawn_film_is_refused_from_its_withdrawal_day():
    film = FilmFactory(status=Film.Status.WITHDRAWN, withdrawn_on=D(2017, 6, 1))
    GrantFactory(film=film, ends_on=None)
    library = InstitutionFactory()
    assert decide(library, film, Medium.STREAM_HOME, on=D(2017, 6, 1)) == Decision(
        False, "film_withdrawn", None, None
    )
    before = decide(library, film, Medium.STREAM_HOME, on=D(2017, 5, 31))
    assert (before.allowed, before.valid_until) == (True, D(2017, 5, 31))


def test_a_network_is_judged_by_its_own_kind():
    film = FilmFactory()
    GrantFactory(film=film, eligible_kinds=["municipal"])
    network = NetworkFactory()  # departmental
    assert decide(network, film, Medium.STREAM_HOME, on=START).reason == "institution_kind"


def test_renewal_extends_valid_until_and_other_media_are_separate():
    film = FilmFactory()
    first = GrantFactory(film=film)
    GrantFactory(
        film=film, contract=first.contract, starts_on=D(2018, 1, 1), ends_on=D(2018, 12, 31)
    )
    library = InstitutionFactory()
    assert decide(library, film, Medium.STREAM_HOME, on=START).valid_until == D(2018, 12, 31)
    assert decide(library, film, Medium.DVD, on=START).reason == "no_rights"


def test_usage_provider_is_asked_when_the_caller_gives_no_count():
    film = FilmFactory()
    GrantFactory(film=film, medium=Medium.PUBLIC_SCREENING, max_screenings_per_year=1)
    library = InstitutionFactory()

    def provider(*, institution, film_ids, medium, year):
        return dict.fromkeys(film_ids, 1)

    register_usage_provider(provider)
    try:
        assert decide(library, film, Medium.PUBLIC_SCREENING, on=START).reason == "cap_reached"
        bulk = decide_many(library, [film], Medium.PUBLIC_SCREENING, on=START)
        assert bulk[film.pk][Medium.PUBLIC_SCREENING].reason == "cap_reached"
    finally:
        usage_providers.remove(provider)


def test_decide_many_costs_constant_queries(django_assert_num_queries):
    films = [FilmFactory() for _ in range(6)]
    for film in films:
        GrantFactory(film=film)
    library = InstitutionFactory()
    # the grants, and the screenings the library used (the bookings' usage provider)
    with django_assert_num_queries(2):
        decide_many(library, films[:2], on=START)
    with django_assert_num_queries(2):
        decide_many(library, films, on=START)
    with django_assert_num_queries(1):  # no capped medium asked: the grants only
        decide_many(library, films, [Medium.STREAM_HOME, Medium.DVD], on=START)


# --- property: decide_many == decide == the catalogue filter, on random data ------------

days = st.dates(min_value=D(2016, 6, 1), max_value=D(2019, 6, 1))
#: a contract's state: (status, termination date); signed on 2016-01-01 unless unsigned
contract_strategy = st.one_of(
    st.tuples(st.just(Contract.Status.SIGNED), st.none()),
    st.tuples(st.sampled_from([Contract.Status.DRAFT, Contract.Status.IN_NEGOTIATION]), st.none()),
    st.tuples(st.just(Contract.Status.TERMINATED), days),
)
grant_strategy = st.fixed_dictionaries(
    {
        "contract": st.integers(0, 2),
        "film": st.integers(0, 3),
        "medium": st.sampled_from([Medium.STREAM_HOME, Medium.DVD]),
        "starts_on": days,
        "length": st.one_of(st.none(), st.integers(0, 400)),
        "territories": st.sampled_from([["FR-MET"], ["FR-DOM"], ["FR-DOM", "FR-MET"]]),
        "eligible_kinds": st.sampled_from([ALL_KINDS, ["municipal"], ["association"]]),
        "holdback": st.one_of(st.none(), days),
    }
)


@pytest.mark.embedded
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    grants=st.lists(grant_strategy, max_size=8),
    contracts=st.lists(contract_strategy, min_size=3, max_size=3),
    on=days,
    kind=st.sampled_from(["municipal", "association", "departmental"]),
    overseas=st.booleans(),
    withdrawn=st.one_of(st.none(), days),
)
def test_bulk_single_and_filter_agree(grants, contracts, on, kind, overseas, withdrawn):
    """The three forms of the decision agree on any grants, under contracts signed,
    unsigned or terminated from any day."""
    where = {"department_code": "974", "region_code": "04"} if overseas else {}
    institution = InstitutionFactory(kind=kind, **where)
    films = [FilmFactory() for _ in range(4)]
    if withdrawn:
        Film.objects.filter(pk=films[0].pk).update(
            status=Film.Status.WITHDRAWN, withdrawn_on=withdrawn, added_on=None
        )
        films[0].refresh_from_db()
    contract_rows = [
        ContractFactory(
            status=status,
            signed_on=None if status in UNSIGNED else D(2016, 1, 1),
            terminated_on=terminated_on,
        )
        for status, terminated_on in contracts
    ]
    contract_of = {}  # grant id -> (status, termination date) as generated
    for spec in grants:
        ends = (
            None
            if spec["length"] is None
            else spec["starts_on"] + datetime.timedelta(days=spec["length"])
        )
        grant = GrantFactory(
            contract=contract_rows[spec["contract"]],
            film=films[spec["film"]],
            medium=spec["medium"],
            starts_on=spec["starts_on"],
            ends_on=ends,
            territories=spec["territories"],
            eligible_kinds=spec["eligible_kinds"],
            holdback_until=spec["holdback"],
        )
        contract_of[grant.pk] = contracts[spec["contract"]]
    media = [Medium.STREAM_HOME, Medium.DVD]
    bulk = decide_many(institution, films, media, on=on)

    def available_on(day, medium, film_ids):
        return set(
            films_available(
                Film.objects.filter(pk__in=film_ids), institution=institution, medium=medium, on=day
            ).values_list("pk", flat=True)
        )

    for medium in media:
        for film in films:
            answer = bulk[film.pk][medium]
            assert answer == decide(institution, film, medium, on=on)
            if answer.allowed:
                # only a contract signed (or terminated from a later day) gives rights
                status, terminated_on = contract_of[answer.grant_id]
                assert status == Contract.Status.SIGNED or (
                    status == Contract.Status.TERMINATED and on < terminated_on
                )
                if answer.valid_until is not None:
                    # the SQL form agrees on the last day and on the day after
                    last = answer.valid_until
                    assert available_on(last, medium, [film.pk]) == {film.pk}
                    assert (
                        available_on(last + datetime.timedelta(days=1), medium, [film.pk]) == set()
                    )
        available = available_on(on, medium, [f.pk for f in films])
        assert available == {f.pk for f in films if bulk[f.pk][medium].allowed}


def test_films_available_somewhere_is_the_union_over_every_profile(db):
    """The reports' bulk form equals asking `films_available` for every territory and
    kind of institution."""
    from types import SimpleNamespace

    from catalogue.models import Film
    from institutions.models import Institution
    from rights.selectors import films_available, films_available_somewhere
    from tests.factories import FilmFactory
    from tests.rights.conftest import GrantFactory

    day = datetime.date(2020, 6, 1)
    overseas_associations = GrantFactory(
        territories=["FR-DOM"], eligible_kinds=["association"], ends_on=None
    ).film
    held_back = GrantFactory(ends_on=None, holdback_until=datetime.date(2021, 1, 1)).film
    ended = GrantFactory(ends_on=datetime.date(2019, 12, 31)).film
    withdrawn = GrantFactory(ends_on=None).film
    Film.objects.filter(pk=withdrawn.pk).update(
        status=Film.Status.WITHDRAWN, withdrawn_on=datetime.date(2020, 1, 1)
    )
    other_medium = GrantFactory(medium=Medium.DVD, ends_on=None).film
    FilmFactory()
    media = [Medium.STREAM_HOME, Medium.STREAM_ONSITE]
    union = set()
    for department in ("69", "971"):
        for kind in Institution.Kind.values:
            profile = SimpleNamespace(department_code=department, kind=kind)
            for medium in media:
                union |= set(
                    films_available(
                        Film.objects.all(), institution=profile, medium=medium, on=day
                    ).values_list("pk", flat=True)
                )
    somewhere = set(
        films_available_somewhere(Film.objects.all(), media=media, on=day).values_list(
            "pk", flat=True
        )
    )
    assert somewhere == union == {overseas_associations.pk}
    assert held_back.pk not in somewhere and ended.pk not in somewhere
    assert other_medium.pk not in somewhere


# --- contracts: only a signed contract gives rights ---------------------------------------


def _terminated(terminated_on):
    return ContractFactory(status=Contract.Status.TERMINATED, terminated_on=terminated_on)


def test_a_terminated_contract_yields_to_a_later_signed_one():
    film = FilmFactory()
    library = InstitutionFactory()
    old = GrantFactory(film=film, contract=_terminated(D(2017, 3, 1)), ends_on=None)
    new = GrantFactory(film=film, starts_on=D(2017, 6, 1), ends_on=None)
    before = decide(library, film, Medium.STREAM_HOME, on=D(2017, 2, 1))
    assert (before.allowed, before.valid_until, before.grant_id) == (True, D(2017, 2, 28), old.pk)
    between = decide(library, film, Medium.STREAM_HOME, on=D(2017, 4, 1))
    assert (between.reason, between.valid_until, between.grant_id) == (
        "contract_terminated",
        D(2017, 5, 31),
        old.pk,
    )
    after = decide(library, film, Medium.STREAM_HOME, on=D(2017, 6, 1))
    assert (after.reason, after.valid_until, after.grant_id) == ("ok", None, new.pk)


def test_grants_to_come_under_a_contract_that_will_not_give_rights():
    film = FilmFactory()
    library = InstitutionFactory()
    GrantFactory(
        film=film,
        contract=ContractFactory(status=Contract.Status.DRAFT, signed_on=None),
        starts_on=D(2018, 1, 1),
        ends_on=None,
    )
    day = D(2017, 6, 1)
    assert decide(library, film, Medium.STREAM_HOME, on=day) == Decision(
        False, "contract_not_signed", None, Film.objects.get().rights_grants.get().pk
    )
    other = FilmFactory()
    grant = GrantFactory(
        film=other, contract=_terminated(D(2017, 12, 1)), starts_on=D(2018, 1, 1), ends_on=None
    )
    assert decide(library, other, Medium.STREAM_HOME, on=day) == Decision(
        False, "contract_terminated", None, grant.pk
    )
    # terminated after the grant starts: it comes, then ends with the contract
    later = FilmFactory()
    grant = GrantFactory(
        film=later, contract=_terminated(D(2018, 3, 1)), starts_on=D(2018, 1, 1), ends_on=None
    )
    assert decide(library, later, Medium.STREAM_HOME, on=day) == Decision(
        False, "not_yet", D(2017, 12, 31), grant.pk
    )
    assert decide(library, later, Medium.STREAM_HOME, on=D(2018, 1, 1)).valid_until == D(
        2018, 2, 28
    )


def test_the_longest_lasting_grant_counts_its_contract_termination():
    film = FilmFactory()
    library = InstitutionFactory()
    GrantFactory(film=film, contract=_terminated(D(2017, 5, 1)), ends_on=None)
    lasting = GrantFactory(film=film, ends_on=D(2017, 10, 31))
    decision = decide(library, film, Medium.STREAM_HOME, on=D(2017, 4, 1))
    assert (decision.grant_id, decision.valid_until) == (lasting.pk, D(2017, 10, 31))


def test_an_allowed_answer_carries_the_terms_of_its_grant():
    film = FilmFactory()
    library = InstitutionFactory()
    GrantFactory(film=film, max_concurrent_streams=2)
    GrantFactory(film=film, medium=Medium.PUBLIC_SCREENING, screening_quality="sd")
    streaming = decide(library, film, Medium.STREAM_HOME, on=START)
    assert (streaming.max_concurrent_streams, streaming.screening_quality) == (2, "hd")
    screening = decide(library, film, Medium.PUBLIC_SCREENING, on=START)
    assert (screening.max_concurrent_streams, screening.screening_quality) == (None, "sd")
    refused = decide(library, film, Medium.STREAM_HOME, on=D(2018, 1, 1))
    assert (refused.allowed, refused.max_concurrent_streams) == (False, None)
    assert decide_many(library, [film], on=START)[film.pk][Medium.STREAM_HOME] == streaming
