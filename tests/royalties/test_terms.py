"""Payment terms through the staff API: versions, their history, and bad input refused
with a reason code and nothing written."""

import pytest

from royalties.models import PaymentTerms, PerUseRate
from tests.royalties.conftest import ContractFactory, D, make_terms

URL = "/api/v1/payment-terms/"


@pytest.fixture
def contract(db):
    return ContractFactory()


def _body(contract, **extra):
    return {
        "contract": contract.pk,
        "valid_from": "2017-01-01",
        "flat_fee": "1200.00",
        "fee_schedule": "instalments",
        "instalments": 4,
        "minimum_guarantee": "300.00",
        "advance": "500.00",
        "rates": [
            {"medium": "stream_home", "unit": "view", "rate": "0.40"},
            {"medium": "stream_home", "unit": "minute", "rate": "0.0100"},
            {"medium": "dvd", "unit": "copy", "rate": "3.00"},
        ],
        **extra,
    }


def test_a_version_is_created_with_its_rates_and_its_history(editor_api, editor, contract):
    response = editor_api.post(URL, _body(contract), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rounding"] == "cents_half_up" and body["created_by"] == "editor"
    assert {(r["medium"], r["unit"], r["rate"]) for r in body["rates"]} == {
        ("stream_home", "view", "0.4000"),
        ("stream_home", "minute", "0.0100"),
        ("dvd", "copy", "3.0000"),
    }
    changed = editor_api.patch(f"{URL}{body['id']}/", {"advance": "600.00"}, format="json")
    assert changed.status_code == 200 and changed.json()["advance"] == "600.00"
    history = editor_api.get(f"{URL}{body['id']}/history/").json()
    terms_changes = [entry for entry in history if entry["object"] == "terms"]
    assert [entry["change"] for entry in terms_changes] == ["created", "changed"]
    assert terms_changes[1]["who"] == "editor"
    assert terms_changes[1]["changes"] == [
        {"field": "advance", "before": "500.00", "after": "600.00"}
    ]


def test_a_new_version_closes_the_open_one_before_it(editor_api, contract):
    first = make_terms(contract, D(2017, 1, 1))
    response = editor_api.post(URL, _body(contract, valid_from="2018-01-01"), format="json")
    assert response.status_code == 201
    first.refresh_from_db()
    assert first.valid_to == D(2017, 12, 31)


@pytest.mark.parametrize(
    ("extra", "status", "code"),
    [
        ({"flat_fee": "-1.00"}, 400, "negative_amount"),
        ({"advance": "-0.01"}, 400, "negative_amount"),
        ({"rates": [{"medium": "dvd", "unit": "copy", "rate": "-2.00"}]}, 400, "negative_amount"),
        (
            {"rates": [{"medium": "dvd", "unit": "view", "rate": "2.00"}]},
            400,
            "unit_not_for_medium",
        ),
        (
            {
                "rates": [
                    {"medium": "dvd", "unit": "copy", "rate": "1"},
                    {"medium": "dvd", "unit": "copy", "rate": "2"},
                ]
            },
            400,
            "duplicate_rate",
        ),
        ({"valid_to": "2016-12-31"}, 400, "terms_window_reversed"),
        ({"instalments": None}, 400, "instalments_required"),
        ({"valid_from": "2017-06-01", "valid_to": "2017-12-31"}, 400, "overlapping_terms"),
    ],
)
def test_bad_terms_are_refused_with_nothing_written(editor_api, contract, extra, status, code):
    if code == "overlapping_terms":
        make_terms(contract, D(2017, 3, 1), D(2017, 9, 30))
    before = (
        PaymentTerms.objects.count(),
        PerUseRate.objects.count(),
        PaymentTerms.history.count(),
    )
    response = editor_api.post(URL, _body(contract, **extra), format="json")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert (
        PaymentTerms.objects.count(),
        PerUseRate.objects.count(),
        PaymentTerms.history.count(),
    ) == before


def test_terms_frozen_by_an_approved_statement_are_not_changed(editor_api, contract):
    from royalties.periods import year
    from royalties.services import statement_approve, statement_draft

    terms = make_terms(contract, D(2017, 1, 1))
    statement_approve(statement=statement_draft(contract=contract, period=year(2017)))
    for response in (
        editor_api.patch(f"{URL}{terms.pk}/", {"flat_fee": "9.00"}, format="json"),
        editor_api.delete(f"{URL}{terms.pk}/"),
        editor_api.post(URL, _body(contract, valid_from="2017-06-01"), format="json"),
    ):
        assert (response.status_code, response.json()["code"]) == (409, "terms_in_use")
    terms.refresh_from_db()
    assert terms.flat_fee == 0 and terms.valid_to is None
    assert PaymentTerms.objects.count() == 1
    assert (
        editor_api.post(URL, _body(contract, valid_from="2018-01-01"), format="json").status_code
        == 201
    )


def test_only_the_cinema_staff_reach_the_terms(library_api, patron_api, api, contract):
    assert library_api.get(URL).status_code == 403
    assert patron_api.post(URL, _body(contract), format="json").status_code == 403
    assert api.get(URL).status_code == 401
