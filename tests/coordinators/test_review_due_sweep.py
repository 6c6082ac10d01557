import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification, Reminder
from accounts.services import run_sweep
from coordinators import services

pytestmark = pytest.mark.django_db


def _soon(hours: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours)


def _schedule(case, by, when):
    return services.schedule_review(case=case, by=by, scheduled_for=when, mode="phone")


def test_a_review_starting_within_a_day_reminds_its_coordinator_once(
    case, coordinator_x, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    _schedule(case, coordinator_x, _soon(5))
    with django_capture_on_commit_callbacks(execute=True):
        first = run_sweep(kind="review_due", sweep=services.sweep_review_due)
    again = run_sweep(kind="review_due", sweep=services.sweep_review_due)
    assert (first.created_count, again.created_count) == (2, 0)
    assert Notification.objects.get(recipient=coordinator_x).link == f"/cases/{case.reference}/"
    assert [m.to for m in mail.outbox] == [[coordinator_x.email]]
    assert case.reference in mail.outbox[0].subject


def test_a_review_further_away_is_not_reminded_yet(case, coordinator_x):
    _schedule(case, coordinator_x, _soon(30))
    assert services.sweep_review_due(timezone.now()) == []


def test_a_rescheduled_review_is_reminded_again_for_its_new_time(case, coordinator_x):
    review = _schedule(case, coordinator_x, _soon(5))
    services.sweep_review_due(timezone.now())
    services.reschedule_review(
        review=review, by=coordinator_x, scheduled_for=_soon(8), mode="phone"
    )
    assert len(services.sweep_review_due(timezone.now())) == 2
    assert Reminder.objects.filter(kind="review_due", channel="email").count() == 2
