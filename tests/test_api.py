import json

import pytest
from django.urls import reverse
from openapi_spec_validator import validate

from tests.factories import api_token_for


def test_schema_is_valid_openapi_3(client, referrer_a):
    client.force_login(referrer_a)
    response = client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    spec = json.loads(response.content)
    assert spec["openapi"].startswith("3.")
    validate(spec)


def test_swagger_ui_uses_local_assets(client, referrer_a):
    client.force_login(referrer_a)
    page = client.get(reverse("swagger-ui")).content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in page


def test_the_schema_and_swagger_ui_need_a_signed_in_user(client, db):
    assert client.get(reverse("schema")).status_code in (401, 403)
    page = client.get(reverse("swagger-ui"))
    assert page.status_code == 302
    assert page.url.startswith(reverse("account_login"))


def test_a_setting_opens_the_schema_and_swagger_ui_to_anyone(client, db, settings):
    settings.API_SCHEMA_PUBLIC = True
    assert client.get(reverse("schema")).status_code == 200
    assert client.get(reverse("swagger-ui")).status_code == 200


def test_the_schema_is_closed_unless_the_setting_says_otherwise():
    from config import settings as project_settings

    assert project_settings.API_SCHEMA_PUBLIC is False


def test_the_schema_documents_token_authentication(client, referrer_a):
    client.force_login(referrer_a)
    spec = client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    scheme = spec["components"]["securitySchemes"]["apiToken"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert "/api/v1/auth/token/" in spec["paths"]


def test_api_requires_authentication(client, db):
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_token_authentication_works(client, referrer_a):
    token = api_token_for(referrer_a)
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert response.json()["memberships"] == [
        {"role": "referrer", "organisation": "Practice A", "organisation_kind": "gp_practice"}
    ]


def test_session_authentication_works(client, coordinator_x, password):
    client.login(email=coordinator_x.email, password=password)
    assert client.get("/api/v1/me/").json()["email"] == coordinator_x.email


@pytest.mark.parametrize("path", ["/api/v1/me/"])
def test_api_responses_are_not_stored(client, coordinator_x, password, path):
    client.login(email=coordinator_x.email, password=password)
    assert "no-store" in client.get(path)["Cache-Control"]


def test_the_api_has_no_format_suffix_routes(client, coordinator_x, password):
    """`.json` variants of detail actions answered 500; the API speaks JSON only."""
    client.login(email=coordinator_x.email, password=password)
    assert client.post("/api/v1/referrals/1/accept.json").status_code == 404
    assert client.get("/api/v1/cases.json").status_code == 404
