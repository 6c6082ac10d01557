"""/metrics: off unless METRICS_ENABLED, then only with the bearer token, and with our gauges."""

import pytest
from django.utils import timezone

from accounts.audit_chain import write_audit_checkpoint
from accounts.models import Reminder, ReminderStatus

TOKEN = "a-metrics-token-0123456789-abcdefghijklmnop"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_ENABLED = True
    settings.METRICS_TOKEN = TOKEN


def _scrape(client):
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


def test_metrics_are_not_found_when_switched_off(client, db):
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404


def test_metrics_need_the_token(client, db, metrics_on):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert _scrape(client).status_code == 200


def test_metrics_count_reminders_waiting_and_failed(client, db, metrics_on, coordinator_x):
    for number, status in enumerate(
        [ReminderStatus.PENDING, ReminderStatus.PENDING, ReminderStatus.FAILED, ReminderStatus.SENT]
    ):
        Reminder.objects.create(
            kind="referral_waiting",
            target_type="referral",
            target_id=str(number),
            occurrence="triage",
            recipient=coordinator_x,
            recipient_key=f"user:{coordinator_x.pk}",
            channel="email",
            status=status,
            next_attempt_at=timezone.now(),
        )
    body = _scrape(client).content.decode()
    assert 'sp_reminders{status="pending"} 2.0' in body
    assert 'sp_reminders{status="failed"} 1.0' in body
    assert 'sp_reminders{status="claimed"} 0.0' in body


def test_the_audit_checkpoint_age_is_minus_one_until_the_first_and_then_seconds(
    client, db, metrics_on
):
    assert "sp_audit_checkpoint_age_seconds -1.0" in _scrape(client).content.decode()
    write_audit_checkpoint()
    line = next(
        line
        for line in _scrape(client).content.decode().splitlines()
        if line.startswith("sp_audit_checkpoint_age_seconds ")
    )
    assert 0 <= float(line.split()[1]) < 60


@pytest.mark.redis
def test_metrics_report_the_depth_of_each_celery_queue(client, db, metrics_on):
    assert 'sp_celery_queue_depth{queue="celery"}' in _scrape(client).content.decode()


def test_a_feature_registers_its_own_gauge_through_common_metrics(client, db, metrics_on):
    from common.metrics import _gauges, register_gauge

    register_gauge("sp_test_failures", "Failures of a feature under test.", lambda: 3)
    try:
        assert "sp_test_failures 3.0" in _scrape(client).content.decode()
    finally:
        _gauges.pop("sp_test_failures")
