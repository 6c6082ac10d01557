"""PostgreSQL or Redis refusing connections: a clear 503 (page or JSON) with Retry-After, /healthz
names the part that is down, nothing half-written, and recovery without a restart."""

import datetime
import socket

import pytest
from django.core import mail
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone

from accounts.models import Reminder, ReminderStatus
from accounts.services import create_reminders, deliver_reminder, recover_reminders, user_recipient
from config.celery import app as celery_app
from referrals.models import ReferralEvent, ReferralStatus
from tests.accounts.conftest import queued
from tests.referrals.conftest import token_client
from tests.referrals.factories import ReferralFactory, TeamCoverageFactory


def refused_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DatabaseSwitch:
    """Points the default connection at a refused port and back; the app is not told."""

    def __init__(self):
        self.original = connection.settings_dict["PORT"]

    def down(self):
        connection.close()
        connection.settings_dict["PORT"] = refused_port()

    def back(self):
        connection.close()
        connection.settings_dict["PORT"] = self.original


@pytest.fixture
def database():
    switch = DatabaseSwitch()
    yield switch
    switch.back()


@pytest.fixture
def broker_down():
    """Point Celery at a refused port (fresh connection pools); `back()` restores the broker."""
    original = celery_app.conf.broker_url

    def point_at(url):
        celery_app.conf.broker_url = url
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    point_at(f"redis://127.0.0.1:{refused_port()}/0")
    yield lambda: point_at(original)
    point_at(original)


@pytest.fixture
def browser():
    return Client(raise_request_exception=False)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pages_answer_a_clear_503_while_the_database_is_down_and_recover_by_themselves(
    browser, coordinator_x, database
):
    browser.force_login(coordinator_x)
    assert browser.get("/notifications/").status_code == 200
    database.down()

    response = browser.get("/notifications/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Sorry, the service is unavailable" in page
    assert "The database is not available." in page
    assert "nhsuk-header" in page
    assert "Traceback" not in page and "OperationalError" not in page
    health = Client().get("/healthz")  # a load balancer sends no session cookie
    assert health.status_code == 503
    assert health.json() == {"status": "unavailable", "database": "down", "broker": "up"}

    database.back()
    assert browser.get("/notifications/").status_code == 200
    assert Client().get("/healthz").json()["database"] == "up"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_api_answers_503_json_while_the_database_is_down_and_recovers(coordinator_x, database):
    api = token_client(coordinator_x)
    api.raise_request_exception = False
    database.down()

    response = api.get("/api/v1/cases/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "detail": "The database is not available. Please try again in a few minutes.",
        "code": "service_unavailable",
        "unavailable": "database",
    }
    database.back()
    assert api.get("/api/v1/cases/").status_code == 200


def test_a_change_cut_off_by_the_database_leaves_nothing_half_written(
    practice_a, referrer_a, team_x, coordinator_x, monkeypatch
):
    TeamCoverageFactory(practice=practice_a, team=team_x)
    referral = ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)

    def connection_lost(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    # The status is saved and the event written before the audit row fails.
    monkeypatch.setattr("referrals.services.record_audit_event", connection_lost)
    api = token_client(coordinator_x)
    api.raise_request_exception = False

    response = api.post(f"/api/v1/referrals/{referral.pk}/accept/", {}, format="json")

    assert response.status_code == 503
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED
    assert referral.assigned_to is None
    assert ReferralEvent.objects.filter(referral=referral).count() == 1


@pytest.mark.redis
def test_the_api_answers_503_json_while_the_cache_is_down_and_recovers(coordinator_x, settings):
    api = token_client(coordinator_x)
    api.raise_request_exception = False
    working = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{refused_port()}/0",
        }
    }

    response = api.get("/api/v1/me/")

    assert response.status_code == 503
    assert response.json()["unavailable"] == "cache"
    settings.CACHES = working
    assert api.get("/api/v1/me/").status_code == 200


@pytest.mark.redis
def test_reminders_created_while_the_broker_is_down_are_delivered_once_it_is_back(
    django_capture_on_commit_callbacks, coordinator_x, team_x, broker_down, reminder_queue
):
    with django_capture_on_commit_callbacks(execute=True):
        (in_app, email) = create_reminders(
            kind="referral_waiting",
            target_type="referral",
            target_id=1,
            occurrence="triage",
            recipients=[user_recipient(coordinator_x)],
            context={
                "referral_reference": "SP-TEST2345",
                "urgent": False,
                "received_display": "2 March 2026 10:00",
                "team_name": team_x.name,
            },
            link="/referrals/SP-TEST2345/",
            team=team_x,
        )
    # The broker refused the task: the reminder is kept, pending, and nothing was sent.
    email.refresh_from_db()
    assert email.status == ReminderStatus.PENDING
    assert mail.outbox == []

    broker_down()  # the broker is back
    later = timezone.now() + datetime.timedelta(hours=1)
    assert recover_reminders(now=later) == 1
    assert queued(reminder_queue) == 1
    assert deliver_reminder(reminder_id=email.pk).status == "sent"  # what the worker does
    assert Reminder.objects.get(pk=email.pk).status == ReminderStatus.SENT
    assert len(mail.outbox) == 1
