"""Password strength (zxcvbn) and what a password change does to the person's other sessions."""

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.demo import DEMO_PASSWORD
from accounts.models import AuditEvent
from tests.factories import PASSWORD, api_token_for, log_in_through_the_form

NEW_PASSWORD = "lantern-orchard-pebble-77"  # noqa: S105 - synthetic


@pytest.mark.parametrize(
    "guessable", ["qwertyuiop123", "asdfghjkl;1234", "1qaz2wsx3edc4rfv", "Password12345!"]
)
def test_keyboard_walks_and_common_patterns_are_refused_with_a_clear_message(guessable, db):
    with pytest.raises(ValidationError) as refused:
        validate_password(guessable)
    messages = " ".join(refused.value.messages)
    assert "too easy to guess" in messages


def test_the_demo_and_test_passwords_are_strong_enough(db):
    validate_password(DEMO_PASSWORD)
    validate_password(PASSWORD)
    validate_password(NEW_PASSWORD)


def test_the_change_password_form_names_the_weak_password(client, referrer_a, password):
    log_in_through_the_form(client, referrer_a, password)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": "qwertyuiop123", "password2": "qwertyuiop123"},
    )
    assert response.status_code == 200
    assert "too easy to guess" in response.content.decode()


def test_a_password_change_ends_the_other_sessions_and_tokens_and_keeps_this_one(
    referrer_a, password
):
    here, elsewhere = Client(), Client()
    log_in_through_the_form(here, referrer_a, password)
    # The other device's sign-in, made outside a request (a second form login here would trip
    # the N+1 guard inside allauth's own session bookkeeping).
    elsewhere.force_login(referrer_a)
    other_key = elsewhere.session.session_key
    UserSession.objects.get_or_create(
        session_key=other_key, defaults={"user": referrer_a, "ip": "192.0.2.1"}
    )
    token = api_token_for(referrer_a)
    response = here.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not SessionStore().exists(other_key)
    assert not UserSession.objects.filter(session_key=other_key).exists()
    assert not AuthToken.objects.filter(user=referrer_a).exists()
    assert here.get(reverse("referrals:practice-home")).status_code == 200
    assert elsewhere.get(reverse("referrals:practice-home")).status_code == 302
    ended = AuditEvent.objects.get(action="sessions_ended", actor=referrer_a)
    assert ended.detail.startswith("1 session(s) ended, 1 API token(s) revoked")
    assert APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code in (
        401,
        403,
    )


def test_a_password_reset_ends_every_session_and_token(referrer_a):
    from allauth.account.signals import password_reset
    from django.test import RequestFactory

    token = api_token_for(referrer_a)
    password_reset.send(sender=type(referrer_a), request=RequestFactory().get("/"), user=referrer_a)
    assert APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code in (
        401,
        403,
    )
