"""The review-due sweep at scale: a fixed number of statements per chunk however many reviews
are due, each chunk committed on its own, and nothing created twice."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.audit_chain import verify_audit_chain
from accounts.models import AuditEvent, Notification, Reminder, ReminderStatus
from accounts.services import reminders as reminder_services
from coordinators.models import Review
from coordinators.services import sweep_review_due
from tests.coordinators.conftest import open_case


def due_reviews(count, *, practice, referrer, team, coordinator, now):
    for n in range(count):
        case = open_case(practice=practice, referrer=referrer, team=team, coordinator=coordinator)
        Review.objects.create(
            referral=case,
            scheduled_for=now + datetime.timedelta(hours=2, minutes=n),
            mode="phone",
            scheduled_by=coordinator,
        )


@pytest.fixture
def cast(practice_a, referrer_a, team_x, coordinator_x):
    return {
        "practice": practice_a,
        "referrer": referrer_a,
        "team": team_x,
        "coordinator": coordinator_x,
    }


def sweep_queries(now) -> int:
    with CaptureQueriesContext(connection) as captured:
        sweep_review_due(now)
    return len(captured.captured_queries)


def test_the_sweep_makes_the_same_number_of_queries_for_3_reviews_as_for_12(cast, settings):
    settings.REMINDER_SWEEP_CHUNK_SIZE = 100
    now = timezone.now()
    due_reviews(3, now=now, **cast)
    few = sweep_queries(now)
    Reminder.objects.filter(kind="review_due").delete()
    due_reviews(9, now=now, **cast)
    many = sweep_queries(now)
    assert Reminder.objects.filter(kind="review_due").count() == 24  # 12 reviews × 2 channels
    assert many == few


def test_each_review_gets_one_in_app_notification_and_one_email_and_an_audit_event(
    cast, coordinator_x, settings
):
    settings.REMINDER_SWEEP_CHUNK_SIZE = 2
    now = timezone.now()
    due_reviews(5, now=now, **cast)
    created = sweep_review_due(now)
    assert len(created) == 10
    in_app = [r for r in created if r.channel == "in_app"]
    assert {r.status for r in in_app} == {ReminderStatus.SENT}
    assert Notification.objects.filter(recipient=coordinator_x, verb="review_due").count() == 5
    assert {r.status for r in created if r.channel == "email"} == {ReminderStatus.PENDING}
    assert AuditEvent.objects.filter(action="reminder_created", object_type="review").count() == 10
    assert verify_audit_chain().intact


def test_a_second_sweep_creates_nothing_and_sends_nothing_again(cast, settings):
    settings.REMINDER_SWEEP_CHUNK_SIZE = 2
    now = timezone.now()
    due_reviews(3, now=now, **cast)
    assert len(sweep_review_due(now)) == 6
    assert sweep_review_due(now + datetime.timedelta(minutes=5)) == []
    assert Notification.objects.filter(verb="review_due").count() == 3


def test_reminders_another_process_created_meanwhile_are_skipped_not_duplicated(
    cast, coordinator_x
):
    """The insert meets the unique key (a concurrent sweep got there first): each reminder is
    then created on its own, and only the new ones come back."""
    now = timezone.now()
    due_reviews(2, now=now, **cast)
    recipient = reminder_services.user_recipient(coordinator_x)

    def unsaved_reminders():
        return [
            reminder_services._new_reminder(
                reminder_services.ReminderRequest(
                    kind="review_due",
                    target_type="review",
                    target_id=review.pk,
                    occurrence="x",
                    recipients=[recipient],
                    context={},
                ),
                recipient,
                channel,
                now=now,
            )
            for review in Review.objects.order_by("pk")
            for channel in recipient.channels
        ]

    unsaved_reminders()[0].save()  # the other process's row
    created = reminder_services._insert_reminders(unsaved_reminders())
    assert len(created) == 3
    assert Reminder.objects.filter(kind="review_due").count() == 4


@pytest.mark.django_db(transaction=True)
def test_each_chunk_is_committed_and_enqueued_as_soon_as_it_is_done(cast, settings, monkeypatch):
    settings.REMINDER_SWEEP_CHUNK_SIZE = 2
    now = timezone.now()
    due_reviews(5, now=now, **cast)  # each case's acceptance emails the referrer: not counted
    enqueued: list[list[int]] = []
    monkeypatch.setattr(reminder_services, "enqueue_reminder_deliveries", enqueued.append)
    sweep_review_due(now)
    assert [len(batch) for batch in enqueued] == [2, 2, 1]  # one email per review, per chunk


@pytest.mark.django_db(transaction=True)
def test_a_failing_chunk_keeps_the_chunks_before_it(cast, settings, monkeypatch):
    settings.REMINDER_SWEEP_CHUNK_SIZE = 2
    monkeypatch.setattr(reminder_services, "enqueue_reminder_deliveries", lambda ids: None)
    now = timezone.now()
    due_reviews(5, now=now, **cast)
    real = reminder_services.record_audit_events
    calls = []

    def fail_third_chunk(*, entries):
        calls.append(entries)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(entries=entries)

    monkeypatch.setattr(reminder_services, "record_audit_events", fail_third_chunk)
    with pytest.raises(RuntimeError):
        sweep_review_due(now)
    assert Reminder.objects.filter(kind="review_due").count() == 8  # 2 chunks × 2 reviews × 2
    monkeypatch.setattr(reminder_services, "record_audit_events", real)
    assert len(sweep_review_due(now)) == 2  # the next run does the rest
