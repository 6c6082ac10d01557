"""Referrer and provider emails whose enqueue was lost (the broker was down when the change
committed) are enqueued again by the reminders' recovery job, once, and only while they are still
worth sending."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Reminder, ReminderStatus
from accounts.services import recover_reminders
from referrals import services
from referrals.models import ReferralEvent

LATER = datetime.timedelta(minutes=15)  # past the 10-minute grace


@pytest.fixture
def accepted_event(referral_a, coordinator_x):
    """The referral accepted, its email never enqueued (on_commit callbacks do not run here)."""
    services.accept_referral(referral=referral_a, by=coordinator_x)
    return ReferralEvent.objects.get(referral=referral_a, to_status="accepted")


def test_a_referrer_email_lost_with_the_broker_is_sent_once_by_the_recovery_job(
    accepted_event, referrer_a, eager_celery, mailoutbox
):
    assert Reminder.objects.get(kind="referral_updated").status == ReminderStatus.PENDING
    assert recover_reminders(now=timezone.now() + LATER) == 1
    assert [message.to for message in mailoutbox] == [[referrer_a.email]]
    assert recover_reminders(now=timezone.now() + LATER) == 0
    assert len(mailoutbox) == 1


def test_nothing_is_enqueued_within_the_grace_period(accepted_event, eager_celery, mailoutbox):
    assert recover_reminders(now=timezone.now()) == 0
    assert mailoutbox == []


def test_an_email_older_than_the_window_is_left_alone(accepted_event, eager_celery, mailoutbox):
    assert recover_reminders(now=timezone.now() + datetime.timedelta(hours=49)) == 0
    assert mailoutbox == []
    assert Reminder.objects.get(kind="referral_updated").status == ReminderStatus.SKIPPED


def test_a_referrer_without_an_email_address_is_not_tried_again_and_again(
    referral_a, referrer_a, coordinator_x, eager_celery
):
    referrer_a.email = ""
    referrer_a.save()
    services.accept_referral(referral=referral_a, by=coordinator_x)
    assert recover_reminders(now=timezone.now() + LATER) == 0


def test_a_lost_provider_link_email_is_sent_once(service_referral, eager_celery, mailoutbox):
    assert Reminder.objects.get(kind="provider_link").status == ReminderStatus.PENDING
    assert recover_reminders(now=timezone.now() + LATER) == 1
    assert len(mailoutbox) == 1 and "/respond/" in mailoutbox[0].body
    assert recover_reminders(now=timezone.now() + LATER) == 0


def test_a_lost_provider_link_email_is_never_sent_once_the_link_has_expired(
    service_referral, eager_celery, mailoutbox
):
    link = service_referral.links.get()
    assert recover_reminders(now=link.expires_at + LATER) == 0
    assert mailoutbox == []
    assert Reminder.objects.get(kind="provider_link").status == ReminderStatus.SKIPPED


def test_the_recovery_job_runs_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["recover-reminders"]
    assert entry["task"] == "accounts.recover_reminders"
