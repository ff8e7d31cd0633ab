"""One JSON error shape everywhere, in French by default and in English on request."""

import pytest

pytestmark = pytest.mark.django_db


def test_french_is_the_default_language(api):
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "detail": "Informations d'authentification non fournies.",
    }


def test_english_on_request(api):
    response = api.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "Authentication credentials were not provided."


def test_validation_errors_are_translated(editor_api):
    fr = editor_api.post("/api/v1/films/", {}, format="json", HTTP_ACCEPT_LANGUAGE="fr").json()
    en = editor_api.post("/api/v1/films/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert fr["code"] == en["code"] == "validation_error"
    assert fr["detail"] == "La requête contient des champs invalides."
    assert en["detail"] == "The request has invalid fields."
    assert fr["fields"]["title"] == [{"code": "required", "message": "Ce champ est obligatoire."}]
    assert en["fields"]["title"] == [{"code": "required", "message": "This field is required."}]


def test_domain_refusals_are_translated(editor_api, library):
    url = f"/api/v1/institutions/{library.pk}/members/"
    fr = editor_api.post(url, {"library": library.pk}, format="json").json()
    en = editor_api.post(
        url, {"library": library.pk}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert fr["code"] == en["code"] == "not_a_network"
    assert en["detail"] == "This institution is not a network."
    assert fr["detail"] == "Cet établissement n'est pas un réseau."


def test_malformed_json_is_a_400(editor_api):
    response = editor_api.generic(
        "POST", "/api/v1/films/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_unsupported_media_type(editor_api):
    response = editor_api.generic("POST", "/api/v1/films/", "x", content_type="text/csv")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_unknown_object_is_a_404_with_code(api):
    response = api.get("/api/v1/films/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_non_numeric_id_is_a_404_not_a_500(api, library_api):
    assert api.get("/api/v1/films/abc/").status_code == 404
    assert library_api.get("/api/v1/institutions/abc/").status_code == 404
    assert library_api.get("/api/v1/institutions/abc/users/").status_code == 404


def test_method_not_allowed(api):
    response = api.delete("/api/v1/films/")
    assert response.status_code in (401, 403, 405)
    assert "code" in response.json()


def test_schema_and_docs_are_served(api):
    assert api.get("/api/schema/").status_code == 200
    assert api.get("/api/docs/").status_code == 200


def test_trivial_endpoint(api):
    assert api.get("/api/v1/ping/").json() == {"pong": True}


def test_schema_generates_without_warnings():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


# --- what Django itself answers under /api/ --------------------------------------------
@pytest.mark.parametrize(
    "path",
    ["/api/v1/nothing-here/", "/api/v1/films/1/nothing/", "/api/nothing", "/api/v1/films/1.2/"],
)
def test_an_unknown_path_under_api_is_a_json_404(api, path):
    response = api.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_an_unknown_path_elsewhere_stays_an_html_page(api):
    response = api.get("/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_method_a_plain_view_does_not_take_is_a_json_405(api):
    """The local store's part URLs are plain Django views (they stand in for S3's)."""
    response = api.get("/api/v1/media/local-store/parts/some-token/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 405
    assert response["Allow"] == "PUT"
    assert response.json() == {"code": "method_not_allowed", "detail": 'Method "GET" not allowed.'}


def test_a_method_a_drf_view_does_not_take_is_a_json_405(editor_api):
    response = editor_api.delete("/api/v1/films/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_a_body_django_refuses_to_read_is_a_json_400(editor_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = editor_api.post(
        "/api/v1/films/", {"title": "x" * 200}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request", "detail": "The request cannot be read."}


# --- bodies that used to crash the JSON parser or the renderer ---------------------------
@pytest.mark.parametrize("path", ["/api/v1/films/", "/api/v1/auth/token/"])
def test_json_nested_too_deep_is_a_400(api, editor_api, path):
    client = editor_api if path == "/api/v1/films/" else api
    for body in ("[" * 20_000 + "]" * 20_000, '{"a":' * 33 + "1" + "}" * 33):
        response = client.generic("POST", path, body, content_type="application/json")
        assert response.status_code == 400
        assert response.json() == {
            "code": "json_too_deep",
            "detail": "Le corps JSON est imbriqué sur plus de 32 niveaux.",
        }


def test_json_as_deep_as_allowed_is_read(editor_api):
    body = '{"title": "Film", "synopsis": ' + "[" * 31 + "]" * 31 + "}"
    response = editor_api.generic("POST", "/api/v1/films/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"  # read, then refused field by field


def test_a_lone_surrogate_is_a_400_in_french_and_english(editor_api):
    from rights.models import RightsGrant

    body = '{"contract": 1, "film": 1, "medium": "\\ud800", "starts_on": "2020-01-01"}'
    fr = editor_api.generic("POST", "/api/v1/grants/", body, content_type="application/json")
    en = editor_api.generic(
        "POST", "/api/v1/grants/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert fr.status_code == en.status_code == 400
    assert fr.json()["code"] == en.json()["code"] == "invalid_unicode"
    assert en.json()["detail"] == (
        "The body holds a lone surrogate (\\ud800-\\udfff), which is not a character."
    )
    assert fr.json()["detail"].startswith("Le corps contient une moitié de paire UTF-16")
    key = '{"\\udfff": 1}'
    answer = editor_api.generic("POST", "/api/v1/films/", key, content_type="application/json")
    assert answer.json()["code"] == "invalid_unicode"
    assert not RightsGrant.objects.exists()


def test_a_screening_in_year_1_is_refused(library_api):
    response = library_api.post(
        "/api/v1/screenings/",
        {"film": 1, "starts_at": "0001-01-01", "venue": "Salle", "expected_audience": 10},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["starts_at"] == [
        {"code": "out_of_range", "message": "Give a date between 1900-01-01 and 2199-12-31."}
    ]


def test_a_subscription_starting_in_9999_is_refused(library_api, library):
    response = library_api.post(
        "/api/v1/subscriptions/",
        {"subscriber": library.pk, "plan": 1, "starts_on": "9999-12-31"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["starts_on"][0]["code"] == "out_of_range"
