"""The case's stored next review, which the caseload sorts and pages on, follows every review
service; the migration fills it in for cases that had reviews before it existed."""

import datetime
import importlib
from types import SimpleNamespace

from django.apps import apps
from django.db import connection
from django.utils import timezone

from coordinators import services
from coordinators.models import ReviewMode
from referrals.models import ClosureOutcome, Referral


def stored(case) -> datetime.datetime | None:
    return Referral.objects.get(pk=case.pk).next_review_at


def in_days(days: int) -> datetime.datetime:
    return timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)


def schedule(case, coordinator, days=7):
    return services.schedule_review(
        case=case, by=coordinator, scheduled_for=in_days(days), mode=ReviewMode.PHONE
    )


def test_scheduling_a_review_stores_its_time_on_the_case(case, coordinator_x):
    assert stored(case) is None
    review = schedule(case, coordinator_x)
    assert stored(case) == review.scheduled_for


def test_rescheduling_moves_the_stored_time(case, coordinator_x):
    review = schedule(case, coordinator_x)
    moved_to = in_days(20)
    services.reschedule_review(
        review=review, by=coordinator_x, scheduled_for=moved_to, mode=ReviewMode.PHONE
    )
    assert stored(case) == moved_to


def test_cancelling_clears_it(case, coordinator_x):
    review = schedule(case, coordinator_x)
    services.cancel_review(review=review, by=coordinator_x, reason="Patient away.")
    assert stored(case) is None


def test_a_missed_review_clears_it(case, coordinator_x, time_machine):
    review = schedule(case, coordinator_x, days=1)
    time_machine.move_to(review.scheduled_for + datetime.timedelta(hours=1))
    services.mark_review_missed(review=review, by=coordinator_x)
    assert stored(case) is None


def test_recording_a_review_stores_the_next_one_or_clears_it(case, coordinator_x):
    review = schedule(case, coordinator_x)
    next_time = in_days(40)
    recorded = services.record_review(
        review=review,
        by=coordinator_x,
        notes="Going well.",
        ratings=[],
        continue_case=True,
        next_review_at=next_time,
    )
    assert stored(case) == recorded.next_review.scheduled_for == next_time
    services.record_review(
        review=recorded.next_review,
        by=coordinator_x,
        notes="Ready to close.",
        ratings=[],
        continue_case=False,
    )
    assert stored(case) is None


def test_closing_the_case_clears_it(case, coordinator_x):
    schedule(case, coordinator_x)
    services.close_case(
        case=case, by=coordinator_x, outcome=ClosureOutcome.PATIENT_WITHDREW, summary="Done."
    )
    assert stored(case) is None


def test_the_migration_fills_in_cases_scheduled_before_it(case, coordinator_x):
    review = schedule(case, coordinator_x)
    Referral.objects.filter(pk=case.pk).update(next_review_at=None)
    migration = importlib.import_module("coordinators.migrations.0003_backfill_next_review_at")
    schema_editor = SimpleNamespace(connection=connection)  # all the migration reads of it
    migration.backfill(apps, schema_editor)
    assert stored(case) == review.scheduled_for
    migration.forget(apps, schema_editor)
    assert stored(case) is None


def test_refreshing_recomputes_from_the_reviews(case, coordinator_x):
    review = schedule(case, coordinator_x)
    Referral.objects.filter(pk=case.pk).update(next_review_at=in_days(99))
    assert services.refresh_next_reviews(cases=Referral.objects.filter(pk=case.pk)) == 1
    assert stored(case) == review.scheduled_for
