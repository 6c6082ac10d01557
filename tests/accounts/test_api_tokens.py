"""API tokens (django-rest-knox): hashed, expiring, tied to two-factor sign-in, revoked with the
person's sessions, and audited under the token's id."""

import datetime

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from accounts.services import deactivate_user, end_user_sessions
from tests.factories import api_token_for, log_in_through_the_form

TOKEN_URL = "/api/v1/auth/token/"


def _me(token: str):
    return APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")


def _issue_from(client) -> dict:
    response = client.post(TOKEN_URL)
    assert response.status_code == 201, response.content
    return response.json()


def test_a_token_is_issued_to_a_signed_in_session_and_stored_only_as_a_hash(
    client, referrer_a, password
):
    log_in_through_the_form(client, referrer_a, password)
    issued = _issue_from(client)
    assert _me(issued["token"]).json()["email"] == referrer_a.email
    stored = AuthToken.objects.get(user=referrer_a)
    assert issued["token"] not in stored.digest
    assert stored.token_key == issued["token_id"] == issued["token"][: len(stored.token_key)]
    assert AuditEvent.objects.filter(action="api_token_issued", object_id=stored.token_key).exists()


def test_a_token_cannot_mint_another(referrer_a):
    token = api_token_for(referrer_a)
    response = APIClient().post(TOKEN_URL, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code in (401, 403)
    assert AuthToken.objects.filter(user=referrer_a).count() == 1


def test_a_token_expires_after_the_configured_time(referrer_a, settings):
    settings.API_TOKEN_IDLE_TIMEOUT_SECONDS = 0
    token = api_token_for(referrer_a)
    expiry = AuthToken.objects.get(user=referrer_a).expiry
    assert expiry - timezone.now() <= datetime.timedelta(seconds=settings.API_TOKEN_TTL_SECONDS)
    assert expiry - timezone.now() > datetime.timedelta(seconds=settings.API_TOKEN_TTL_SECONDS - 60)
    with time_machine.travel(expiry + datetime.timedelta(seconds=1)):
        assert _me(token).status_code in (401, 403)
    assert not AuthToken.objects.filter(user=referrer_a).exists()


def test_an_unused_token_lapses_like_an_idle_session(referrer_a, settings):
    token = api_token_for(referrer_a)
    idle = datetime.timedelta(seconds=settings.API_TOKEN_IDLE_TIMEOUT_SECONDS)
    with time_machine.travel(timezone.now() + idle - datetime.timedelta(minutes=2)):
        assert _me(token).status_code == 200
    with time_machine.travel(timezone.now() + 2 * idle):
        assert _me(token).status_code in (401, 403)
    assert AuditEvent.objects.filter(action="api_token_revoked", detail="idle timeout").exists()


def test_staff_who_need_two_factor_get_no_token_from_a_password_only_session(client, coordinator_x):
    client.force_login(coordinator_x)  # a session that never passed the second factor
    response = client.post(TOKEN_URL)
    assert response.status_code == 403
    assert not AuthToken.objects.filter(user=coordinator_x).exists()


def test_staff_get_a_token_after_signing_in_with_their_second_factor(
    client, coordinator_x, password
):
    log_in_through_the_form(client, coordinator_x, password)
    issued = _issue_from(client)
    assert _me(issued["token"]).status_code == 200


def test_a_token_issued_without_two_factor_stops_working_when_the_role_needs_it(
    referrer_a, settings
):
    token = api_token_for(referrer_a, mfa_verified=False)
    assert _me(token).status_code == 200
    settings.MFA_REQUIRED_FOR_REFERRERS = True
    response = _me(token)
    assert response.status_code in (401, 403)
    assert "two-factor" in response.json()["detail"]


def test_ending_a_users_sessions_revokes_their_tokens(referrer_a, manager):
    token = api_token_for(referrer_a)
    end_user_sessions(user=referrer_a, by=manager)
    assert _me(token).status_code in (401, 403)
    assert not AuthToken.objects.filter(user=referrer_a).exists()


def test_deactivating_a_user_revokes_their_tokens(
    referrer_a, manager, django_capture_on_commit_callbacks
):
    token = api_token_for(referrer_a)
    with django_capture_on_commit_callbacks(execute=True):
        deactivate_user(user=referrer_a, by=manager)
    assert _me(token).status_code in (401, 403)
    assert not AuthToken.objects.filter(user=referrer_a).exists()


def test_every_use_of_a_token_is_audited_with_its_id_not_its_secret(referrer_a):
    token = api_token_for(referrer_a)
    _me(token)
    key = AuthToken.objects.get(user=referrer_a).token_key
    used = AuditEvent.objects.get(action="api_token_used")
    assert (used.actor, used.object_type, used.object_id) == (referrer_a, "api_token", key)
    assert used.detail == "GET /api/v1/me/"
    assert len(key) < len(token)
    assert not AuditEvent.objects.filter(detail__contains=token).exists()


def test_a_token_can_revoke_itself(referrer_a):
    token = api_token_for(referrer_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/v1/auth/token/revoke/").status_code == 204
    assert _me(token).status_code in (401, 403)


def test_revoke_all_ends_every_token_of_the_user(referrer_a):
    first, second = api_token_for(referrer_a), api_token_for(referrer_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert client.post("/api/v1/auth/token/revoke-all/").status_code == 204
    assert _me(second).status_code in (401, 403)


def test_a_token_made_outside_the_service_is_refused(referrer_a):
    """Knox's own admin form makes tokens without the issue record: they are not honoured."""
    _, secret = AuthToken.objects.create(user=referrer_a)
    assert _me(secret).status_code in (401, 403)


def test_token_issue_needs_the_csrf_token_of_the_session(referrer_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(referrer_a)
    assert client.post(TOKEN_URL).status_code == 403
    assert not AuthToken.objects.filter(user=referrer_a).exists()
    assert reverse("api:token-issue") == TOKEN_URL
