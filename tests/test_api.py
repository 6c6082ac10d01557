import json

import pytest
from django.urls import reverse
from openapi_spec_validator import validate
from rest_framework.authtoken.models import Token


def test_schema_is_valid_openapi_3(client, db):
    response = client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    spec = json.loads(response.content)
    assert spec["openapi"].startswith("3.")
    validate(spec)


def test_swagger_ui_uses_local_assets(client, db):
    page = client.get(reverse("swagger-ui")).content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in page


def test_api_requires_authentication(client, db):
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_token_authentication_works(client, referrer_a):
    token = Token.objects.create(user=referrer_a)
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
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
