"""Behind proxies, the client's address is the X-Forwarded-For entry our outermost trusted
proxy appended: what the client wrote to its left is never recorded, and the login rate limits
count each real client, not the proxy."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.throttling import AnonRateThrottle

from accounts.middleware import client_ip
from accounts.models import AuditEvent
from tests.factories import log_in_through_the_form

PROXY = "10.0.0.1"


def _ip(xff=None, remote=PROXY):
    extra = {"HTTP_X_FORWARDED_FOR": xff} if xff is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


@pytest.mark.parametrize(
    ("proxies", "xff", "expected"),
    [
        (0, "6.6.6.6", PROXY),  # no proxy trusted: the header is the client's own words
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the spoofed leftmost entry is ignored
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", PROXY),  # fewer entries than proxies: not through them all
        (1, "6.6.6.6, not-an-address", PROXY),
        (1, None, PROXY),
    ],
)
def test_the_client_address_is_taken_from_the_trusted_proxies_entry(
    settings, proxies, xff, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert _ip(xff) == expected


def test_a_spoofed_leftmost_forwarded_for_is_not_recorded_in_the_audit_trail(
    client, settings, coordinator_x, password
):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_COUNT = 1
    log_in_through_the_form(
        client,
        coordinator_x,
        password,
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
    )
    assert AuditEvent.objects.get(action="login").ip_address == "203.0.113.7"


def _fail(client, email, xff):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": "wrong-password"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=xff,
    )


def test_failed_logins_from_one_client_behind_the_proxy_do_not_lock_out_another(
    client, settings, coordinator_x, manager, password
):
    settings.TRUSTED_PROXY_COUNT = 1
    for attempt in range(10):
        _fail(client, f"nobody{attempt}@example.org", "203.0.113.1")
    attacker = log_in_through_the_form(
        client, manager, password, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1"
    )
    assert "Too many failed login attempts" in attacker.content.decode()
    assert "_auth_user_id" not in client.session
    response = log_in_through_the_form(
        client, coordinator_x, password, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.2"
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(coordinator_x.pk)


def test_failed_logins_against_one_account_from_many_addresses_lock_that_account(
    client, settings, coordinator_x, password
):
    settings.TRUSTED_PROXY_COUNT = 1
    for attempt in range(5):
        _fail(client, coordinator_x.email, f"203.0.113.{attempt + 10}")
    response = log_in_through_the_form(
        client, coordinator_x, password, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.99"
    )
    assert "Too many failed login attempts" in response.content.decode()


def test_api_throttles_count_the_same_client_address(settings):
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT == 0
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert AnonRateThrottle().get_ident(request) == PROXY
