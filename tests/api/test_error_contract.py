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
