import uuid

import pytest
import redis
from django.conf import settings as django_settings

from accounts import sms
from accounts.services import create_reminders, user_recipient

TEST_TEMPLATES = django_settings.BASE_DIR / "tests" / "templates"


@pytest.fixture
def test_templates(settings):
    """Templates for a test-only reminder kind (a patient message)."""
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], TEST_TEMPLATES]}]


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "accounts.sms.LocmemSMSBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def reminder_queue(settings):
    """A queue of its own on the real broker, so no other test's worker takes its tasks."""
    name = f"test-reminders-{uuid.uuid4().hex[:12]}"
    settings.REMINDER_QUEUE = name
    yield name
    if settings.REDIS_URL:
        redis.Redis.from_url(settings.REDIS_URL).delete(name)


def queued(queue: str) -> int:
    return redis.Redis.from_url(django_settings.REDIS_URL).llen(queue)


@pytest.fixture
def make_reminders(team_x):
    """Reminders of the referral-waiting kind for some users (in-app and email each)."""

    def _make(*users, target_id=1, occurrence="triage"):
        return create_reminders(
            kind="referral_waiting",
            target_type="referral",
            target_id=target_id,
            occurrence=occurrence,
            recipients=[user_recipient(user) for user in users],
            context={
                "referral_reference": "SP-TEST2345",
                "urgent": False,
                "received_display": "2 March 2026 10:00",
                "team_name": team_x.name,
            },
            link="/referrals/SP-TEST2345/",
            team=team_x,
        )

    return _make
