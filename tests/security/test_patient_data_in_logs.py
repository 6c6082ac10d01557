"""Production defaults keep patient data out of the logs: message bodies and contact details
are not logged with DEBUG off, no console backend is picked in production, and the token of a
provider or attendance link never reaches a log line."""

import logging
import subprocess
import sys

import pytest
from django.core import signing
from django.urls import reverse

from accounts.sms import ConsoleSMSBackend
from referrals import attendance_links, provider_links
from tests.test_settings import ROOT, _production_env

PHONE, NAME = "07700900123", "Ada Lovelace-Test"
BODY = f"Hello {NAME}, your review is on 3 May at 10:00 at the Grange Library."


def test_the_console_sms_backend_with_debug_off_logs_no_phone_name_or_body(settings, caplog):
    settings.DEBUG = False
    with caplog.at_level(logging.DEBUG):
        ConsoleSMSBackend().send(to=PHONE, body=BODY, reference="ref-123")
    assert caplog.records
    assert "ref-123" in caplog.text
    for secret in (PHONE, NAME, "3 May", "Grange Library"):
        assert secret not in caplog.text


def test_the_console_sms_backend_logs_the_message_in_debug(settings, caplog):
    settings.DEBUG = True
    with caplog.at_level(logging.INFO):
        ConsoleSMSBackend().send(to=PHONE, body=BODY, reference="ref-123")
    assert BODY in caplog.text


def _settings_in(env: dict) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.SMS_BACKEND)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _without_mail_or_sms(env: dict) -> dict:
    unset = {"EMAIL_HOST", "EMAIL_BACKEND", "SMS_BACKEND", "NOTIFY_API_KEY"}
    return {k: v for k, v in env.items() if k not in unset}


def test_production_settings_without_a_mail_server_do_not_pick_a_console_backend():
    backends = _settings_in(_without_mail_or_sms(_production_env()))
    assert "console" not in backends.lower()
    assert "Unconfigured" in backends


def test_development_settings_keep_the_console_backends():
    env = {**_without_mail_or_sms(_production_env()), "DEBUG": "1"}
    backends = _settings_in(env)
    assert "django.core.mail.backends.console.EmailBackend" in backends
    assert "accounts.sms.ConsoleSMSBackend" in backends


def test_the_system_check_warns_when_production_has_nowhere_to_send_messages():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_without_mail_or_sms(_production_env()),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "accounts.W001" in result.stderr and "accounts.W002" in result.stderr


def test_the_console_email_backend_with_debug_off_is_refused():
    env = {
        **_production_env(),
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "accounts.E001" in result.stderr


def test_unconfigured_backends_send_nothing_and_say_so(settings, caplog):
    from django.core.mail import send_mail

    from accounts.sms import DeliveryError, get_sms_backend

    settings.EMAIL_BACKEND = "accounts.mail.UnconfiguredEmailBackend"
    settings.SMS_BACKEND = "accounts.sms.UnconfiguredSMSBackend"
    with caplog.at_level(logging.WARNING):
        assert send_mail("Subject", BODY, None, ["someone@test.example"]) == 0
        with pytest.raises(DeliveryError):
            get_sms_backend().send(to=PHONE, body=BODY, reference="ref-9")
    assert "not sent" in caplog.text
    for secret in (PHONE, NAME, "someone@test.example"):
        assert secret not in caplog.text


def test_a_request_to_a_provider_link_logs_the_token_redacted(client, db, caplog):
    token = signing.dumps({"link": 987654}, salt=provider_links.SALT)
    with caplog.at_level(logging.INFO):
        response = client.get(reverse("referrals:provider-link", args=[token]))
    assert response.status_code >= 400
    assert caplog.records, "the 4xx is logged by django.request"
    assert token not in caplog.text
    assert "/respond/[redacted]/" in caplog.text


@pytest.mark.parametrize(
    "logger_name", ["django.server", "django.request", "gunicorn.access", "gunicorn.error"]
)
@pytest.mark.parametrize(
    "path",
    [
        lambda: reverse("referrals:provider-link", args=["eyJsaW5rIjoxfQ:1tQx:AbCdEf-_12"]),
        lambda: attendance_links.url_for(42, "yes"),
    ],
    ids=["provider link", "attendance link"],
)
def test_access_log_lines_carry_no_link_token(logger_name, path):
    """Logged straight to the logger (django.server does not propagate to the root)."""
    url = path()
    token = url.rstrip("/").rsplit("/", 1)[-1]
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger(logger_name)
    # Another test in the worker may have loaded a logging config that disables existing loggers
    # (gunicorn's, in the deploy kit's tests): the filter under test is on the logger either way.
    was_disabled, logger.disabled = logger.disabled, False
    logger.addHandler(handler)
    try:
        logger.warning('"%s" %s %s', f"GET {url} HTTP/1.1", "200", "512")
    finally:
        logger.removeHandler(handler)
        logger.disabled = was_disabled
    (record,) = records
    assert token not in record.getMessage()
    assert "[redacted]" in record.getMessage()
