"""System clients: registered by a superuser on a page, secrets hashed, tokens by client
credentials with SMART system scopes, every call audited with the client id, revocable."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from oauth2_provider.models import Application

from accounts.models import AuditEvent
from config.test_settings import PRODUCTION_PASSWORD_HASHERS
from interop import services
from interop.models import FhirClient
from tests.interop.conftest import fhir_client
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.postgres


def test_a_superuser_registers_a_client_on_the_page_and_sees_the_secret_once(
    client, superuser, practice_a, settings
):
    settings.PASSWORD_HASHERS = PRODUCTION_PASSWORD_HASHERS
    client.force_login(superuser)
    response = client.post("/fhir-clients/", {"organisation": practice_a.pk, "name": "EMIS Web"})
    assert response.status_code == 200
    registered = FhirClient.objects.get()
    page = response.content.decode()
    assert registered.client_id in page
    secret = page.split('data-testid="client-secret">')[1].split("<")[0]
    assert len(secret) > 30
    assert secret not in client.get("/fhir-clients/").content.decode()
    stored = Application.objects.get().client_secret
    assert stored != secret and stored.startswith("pbkdf2_")
    assert registered.system_user.memberships.get().organisation == practice_a


def test_only_a_superuser_may_open_the_clients_page(client, manager):
    client.force_login(manager)
    assert client.get("/fhir-clients/").status_code == 403


def test_a_client_gets_a_token_with_its_organisations_scopes(practice_a_client):
    response = Client().post(
        "/fhir/auth/token",
        {
            "grant_type": "client_credentials",
            "client_id": practice_a_client.client.client_id,
            "client_secret": practice_a_client.secret,
            "scope": "system/Task.rs",
        },
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "system/Task.rs"


def test_a_team_client_cannot_ask_for_a_scope_its_organisation_lacks(team_x_client):
    response = Client().post(
        "/fhir/auth/token",
        {
            "grant_type": "client_credentials",
            "client_id": team_x_client.client.client_id,
            "client_secret": team_x_client.secret,
            "scope": "system/ServiceRequest.c",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_a_wrong_secret_gets_no_token(practice_a_client):
    response = Client().post(
        "/fhir/auth/token",
        {
            "grant_type": "client_credentials",
            "client_id": practice_a_client.client.client_id,
            "client_secret": "not-the-secret",
        },
    )
    assert response.status_code == 401


def test_a_token_without_the_scope_is_refused_with_an_operation_outcome(
    practice_a_client, practice_a, referrer_a, team_x
):
    referral = ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    api = fhir_client(practice_a_client, scope="system/Task.s")
    response = api.get(f"/fhir/R4/Task/{referral.reference}")
    assert response.status_code == 403
    assert "system/Task.r" in response.json()["issue"][0]["diagnostics"]
    assert api.get("/fhir/R4/Task").status_code == 200


def test_every_call_is_audited_with_the_client_id(practice_a_client, practice_a_api):
    practice_a_api.get("/fhir/R4/Task")
    event = AuditEvent.objects.filter(action="fhir_client_call").get()
    assert event.object_id == practice_a_client.client.client_id
    assert event.detail == "GET /fhir/R4/Task"


def test_no_token_is_a_401_operation_outcome_with_a_bearer_challenge(db):
    response = Client().get("/fhir/R4/Task")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["issue"][0]["code"] == "login"


def test_a_revoked_client_loses_its_tokens_and_gets_no_new_one(
    client, superuser, practice_a_client
):
    api = fhir_client(practice_a_client)
    client.force_login(superuser)
    response = client.post(f"/fhir-clients/{practice_a_client.client.pk}/revoke/")
    assert response.status_code == 302
    assert api.get("/fhir/R4/Task").status_code == 401
    denied = Client().post(
        "/fhir/auth/token",
        {
            "grant_type": "client_credentials",
            "client_id": practice_a_client.client.client_id,
            "client_secret": practice_a_client.secret,
        },
    )
    assert denied.status_code == 401
    assert AuditEvent.objects.filter(action="fhir_client_revoke").exists()


def test_only_a_superuser_registers_a_client_through_the_service(manager, practice_a):
    with pytest.raises(PermissionDenied):
        services.register_client(organisation=practice_a, name="X", by=manager)
    assert not FhirClient.objects.exists()


def test_a_signed_in_persons_session_may_call_the_api_with_their_own_scope(
    client, referrer_b, practice_a, referrer_a, team_x
):
    referral = ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    client.force_login(referrer_b)
    assert client.get(f"/fhir/R4/Task/{referral.reference}").status_code == 404
    client.force_login(referrer_a)
    assert client.get(f"/fhir/R4/Task/{referral.reference}").status_code == 200


def test_a_vetter_has_no_use_of_the_fhir_api(client, vetter):
    client.force_login(vetter)
    assert client.get("/fhir/R4/Task").status_code == 403


def test_a_client_credentials_token_cannot_be_had_by_another_grant(practice_a_client):
    response = Client().post(
        "/fhir/auth/token",
        {
            "grant_type": "password",
            "username": "x",
            "password": "y",
            "client_id": practice_a_client.client.client_id,
            "client_secret": practice_a_client.secret,
        },
    )
    assert response.status_code in (400, 401)
    assert "access_token" not in response.json()


def test_clients_registered_before_the_directory_are_granted_its_scopes_and_back(
    practice_a_client,
):
    """The data migration 0003, run forwards (twice: it adds each scope once) and backwards."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "interop.migrations.0003_grant_existing_clients_directory_and_casework_scopes"
    )
    client = practice_a_client.client
    before = "system/Task.crus system/Patient.crs"
    type(client).objects.filter(pk=client.pk).update(scopes=before)
    with connection.schema_editor() as editor:  # the migration works on the editor's database
        migration.grant(apps, editor)
        migration.grant(apps, editor)
    client.refresh_from_db()
    assert client.scopes.split() == [
        *before.split(),
        "system/HealthcareService.rs",
        "system/Location.rs",
        "system/Organization.rs",
        "system/Goal.rs",
        "system/Observation.rs",
    ]
    with connection.schema_editor() as editor:
        migration.withdraw(apps, editor)
    client.refresh_from_db()
    assert client.scopes == before
