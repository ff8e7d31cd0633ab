"""The public tariff grid and quotes."""

from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db


def test_plans_of_this_year_are_public(api, grid, next_grid):
    body = api.get("/api/v1/plans/").json()
    assert {p["year"] for p in body["results"]} == {grid.year}
    codes = {p["code"] for p in body["results"]}
    assert codes == {"platform", "discovery-3", "discovery-5", "discovery-8"}
    platform = next(p for p in body["results"] if p["code"] == "platform")
    assert [t["price_excl_vat"] for t in platform["tiers"]] == ["300.00", "600.00", "1500.00"]


def test_plans_of_another_year(api, grid, next_grid):
    body = api.get("/api/v1/plans/", {"year": next_grid.year}).json()
    assert {p["year"] for p in body["results"]} == {next_grid.year}


@pytest.mark.parametrize(
    ("population", "excl", "vat", "incl"),
    [
        (0, "300.00", "60.00", "360.00"),
        (5_000, "300.00", "60.00", "360.00"),
        (5_001, "600.00", "120.00", "720.00"),
        (20_000, "600.00", "120.00", "720.00"),
        (2_000_000, "1500.00", "300.00", "1800.00"),
    ],
)
def test_quote_by_population_uses_the_tier_bounds(api, platform, population, excl, vat, incl):
    response = api.get(f"/api/v1/plans/{platform.pk}/quote/", {"population": population})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["price_excl_vat"], body["vat_amount"], body["price_incl_vat"]) == (excl, vat, incl)
    assert body["tier"]["population_from"] <= population


def test_vat_rate_is_configurable_per_grid(api, db, today):
    from tests.subscriptions.conftest import make_grid

    grid = make_grid(today.year + 2, vat_rate="0.0550")
    plan = grid.plans.get(code="discovery-3")
    body = api.get(f"/api/v1/plans/{plan.pk}/quote/", {"population": 10}).json()
    # 39.00 × 5.5 % = 2.145 → 2.15 (rounded half up)
    assert body["vat_amount"] == "2.15"
    assert Decimal(body["price_incl_vat"]) == Decimal("41.15")


def test_quote_for_an_institution_needs_login_and_visibility(
    api, library_api, platform, library, other_library
):
    assert (
        api.get(f"/api/v1/plans/{platform.pk}/quote/", {"institution": library.pk}).status_code
        == 401
    )
    mine = library_api.get(f"/api/v1/plans/{platform.pk}/quote/", {"institution": library.pk})
    assert mine.status_code == 200
    assert mine.json()["population_served"] == library.population_served
    theirs = library_api.get(
        f"/api/v1/plans/{platform.pk}/quote/", {"institution": other_library.pk}
    )
    assert theirs.status_code == 404


@pytest.mark.parametrize(
    "params", [{}, {"population": -1}, {"population": "many"}, {"population": 5, "institution": 1}]
)
def test_bad_quote_input_is_400(api, platform, params):
    response = api.get(f"/api/v1/plans/{platform.pk}/quote/", params)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
