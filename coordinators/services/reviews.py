"""Reviews: scheduled → completed | missed | cancelled, one function per action of the review's
machine (`coordinators.models.REVIEW_MACHINE`), each through `common.state_machine.change_state`
once the case is locked. The case carries its scheduled review's time so the caseload sorts on
an index."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from common.enqueue import send_task_after_commit
from common.input_limits import check_event_dates
from common.state_machine import StateChange, change_state
from referrals.models import Referral

from ..errors import IllegalReviewChange
from ..models import (
    REVIEW_MACHINE,
    CaseEventKind,
    Goal,
    GoalProgress,
    MeasureOccasion,
    Review,
    ReviewAction,
    ReviewMode,
    ReviewStatus,
    WellbeingMeasure,
)
from ..selectors.reviews import default_next_review_at
from .checks import MESSAGE_BACK_TASK, _choice, _locked_open_case, _record, _recorder
from .wellbeing import _create_measure


def _check_review_time(scheduled_for: datetime.datetime, field: str = "scheduled_for") -> None:
    if scheduled_for <= timezone.now():
        raise ValidationError({field: "The review must be in the future."})
    check_event_dates(**{field: scheduled_for})


_DOING = {
    ReviewAction.RESCHEDULE: "reschedule it",
    ReviewAction.CANCEL: "cancel it",
    ReviewAction.MISSED: "mark it missed",
    ReviewAction.RECORD: "record it",
}


def _refusal(review: Review, action: ReviewAction) -> IllegalReviewChange:
    return IllegalReviewChange(
        f"This review is {review.get_status_display().lower()}, so you cannot {_DOING[action]}."
    )


def _set_next_review(case: Referral, when: datetime.datetime | None) -> None:
    """The case carries its scheduled review's time (at most one is scheduled at once), so the
    caseload sorts and pages on an index instead of reading every case's reviews."""
    case.next_review_at = when
    case.save(update_fields=["next_review_at"])


def refresh_next_reviews(*, cases: QuerySet[Referral] | None = None) -> int:
    """Recompute the stored next review from the reviews, for rows written around the review
    services (the scale seed's COPY, the demo's back-dated reviews, the benchmark's retiming)."""
    cases = Referral.objects.all() if cases is None else cases
    scheduled = Review.objects.filter(
        referral=OuterRef("pk"), status=ReviewStatus.SCHEDULED
    ).order_by("scheduled_for")
    return cases.update(next_review_at=Subquery(scheduled.values("scheduled_for")[:1]))


def _when(value: datetime.datetime) -> str:
    return f"{timezone.localtime(value):%-d %b %Y %H:%M}"


def _schedule(
    *,
    case: Referral,
    by: User,
    scheduled_for: datetime.datetime,
    mode: str,
    with_whom: str,
    field: str,
) -> Review:
    _check_review_time(scheduled_for, field)
    _choice(mode, ReviewMode.values, "mode", "Choose how the review will happen.")
    if Review.objects.filter(referral=case, status=ReviewStatus.SCHEDULED).exists():
        raise IllegalReviewChange(
            "A review is already scheduled for this case: reschedule or cancel it instead."
        )
    review = Review.objects.create(
        referral=case,
        scheduled_for=scheduled_for,
        mode=mode,
        with_whom=with_whom.strip(),
        scheduled_by=by,
    )
    _set_next_review(case, scheduled_for)
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.REVIEW_SCHEDULED,
        summary=f"Review scheduled for {_when(scheduled_for)} ({review.get_mode_display()})",
        action="create",
        obj=review,
        object_type="review",
    )
    return review


@transaction.atomic
def schedule_review(
    *, case: Referral, by: User, scheduled_for: datetime.datetime, mode: str, with_whom: str = ""
) -> Review:
    case = _locked_open_case(case, by, "schedule a review")
    return _schedule(
        case=case,
        by=by,
        scheduled_for=scheduled_for,
        mode=mode,
        with_whom=with_whom,
        field="scheduled_for",
    )


@transaction.atomic
def reschedule_review(
    *,
    review: Review,
    by: User,
    scheduled_for: datetime.datetime,
    mode: str,
    with_whom: str = "",
) -> Review:
    case = _locked_open_case(review.referral, by, _DOING[ReviewAction.RESCHEDULE])
    moved_from = ""

    def moved(locked: Review) -> dict[str, object]:
        nonlocal moved_from
        _check_review_time(scheduled_for)
        _choice(mode, ReviewMode.values, "mode", "Choose how the review will happen.")
        moved_from = _when(locked.scheduled_for)
        return {"scheduled_for": scheduled_for, "mode": mode, "with_whom": with_whom.strip()}

    review = change_state(
        review,
        machine=REVIEW_MACHINE,
        action=ReviewAction.RESCHEDULE,
        refuse=_refusal,
        changes=moved,
        record=_recorder(
            case=case,
            by=by,
            kind=CaseEventKind.REVIEW_RESCHEDULED,
            summary=lambda change: f"Review moved from {moved_from} to {_when(scheduled_for)}",
            object_type="review",
        ),
    ).instance
    _set_next_review(case, scheduled_for)
    return review


def _ended(how: str) -> Callable[[StateChange[Review, ReviewAction, str]], str]:
    """The timeline's words for a review that will not happen: when it was, how, and why."""

    def summary(change: StateChange[Review, ReviewAction, str]) -> str:
        review = change.instance
        why = f": {review.notes}" if review.notes else ""
        return f"Review of {_when(review.scheduled_for)} {how}{why}"

    return summary


@transaction.atomic
def cancel_review(*, review: Review, by: User, reason: str = "") -> Review:
    case = _locked_open_case(review.referral, by, _DOING[ReviewAction.CANCEL])
    review = change_state(
        review,
        machine=REVIEW_MACHINE,
        action=ReviewAction.CANCEL,
        refuse=_refusal,
        changes={"notes": reason.strip()},
        record=_recorder(
            case=case,
            by=by,
            kind=CaseEventKind.REVIEW_CANCELLED,
            summary=_ended("cancelled"),
            object_type="review",
        ),
    ).instance
    _set_next_review(case, None)
    return review


@transaction.atomic
def mark_review_missed(*, review: Review, by: User, note: str = "") -> Review:
    case = _locked_open_case(review.referral, by, _DOING[ReviewAction.MISSED])

    def missed(locked: Review) -> dict[str, object]:
        if locked.scheduled_for > timezone.now():
            raise IllegalReviewChange("A review cannot be missed before its time.")
        return {"notes": note.strip(), "recorded_by": by, "recorded_at": timezone.now()}

    review = change_state(
        review,
        machine=REVIEW_MACHINE,
        action=ReviewAction.MISSED,
        refuse=_refusal,
        changes=missed,
        record=_recorder(
            case=case,
            by=by,
            kind=CaseEventKind.REVIEW_MISSED,
            summary=_ended("missed"),
            object_type="review",
        ),
    ).instance
    _set_next_review(case, None)
    return review


@dataclass(frozen=True)
class GoalRating:
    goal_id: int
    rating: int
    note: str = ""


@dataclass(frozen=True)
class RecordedReview:
    review: Review
    next_review: Review | None
    measure: WellbeingMeasure | None


@transaction.atomic
def record_review(
    *,
    review: Review,
    by: User,
    notes: str,
    ratings: list[GoalRating],
    continue_case: bool,
    measure: dict[str, Any] | None = None,
    next_review_at: datetime.datetime | None = None,
    next_mode: str | None = None,
    next_with_whom: str | None = None,
    held_at: datetime.datetime | None = None,
) -> RecordedReview:
    """Notes, progress per goal, an optional measure, whether to go on, and the next review.
    `held_at` is when the review really happened (by default now), never in the future: a
    review recorded early or late keeps its real time, not the time it was scheduled for."""
    case = _locked_open_case(review.referral, by, _DOING[ReviewAction.RECORD])
    recorded_measure = None
    now = timezone.now()
    held_at = held_at or now
    if held_at > now:
        raise ValidationError({"held_at": "The review cannot have happened in the future."})
    check_event_dates(held_at=held_at)

    def recorded(locked: Review) -> dict[str, object]:
        nonlocal recorded_measure
        if not notes.strip():
            raise ValidationError({"notes": "Write a few notes about the review."})
        goals = {goal.pk: goal for goal in Goal.objects.filter(referral=case)}
        for rating in ratings:
            goal = goals.get(rating.goal_id)
            if goal is None:
                raise ValidationError({f"goal_{rating.goal_id}": "That goal is not on this case."})
            if not goal.is_active:
                raise ValidationError(
                    {f"goal_{goal.pk}": "Progress can only be recorded for an active goal."}
                )
            if isinstance(rating.rating, bool) or not 0 <= int(rating.rating) <= 10:
                raise ValidationError({f"goal_{goal.pk}": "Rate progress from 0 to 10."})
        GoalProgress.objects.bulk_create(
            GoalProgress(
                goal_id=rating.goal_id,
                review=locked,
                rating=int(rating.rating),
                note=rating.note.strip(),
                recorded_by=by,
                recorded_at=now,
            )
            for rating in ratings
        )
        if measure:
            recorded_measure = _create_measure(
                case=case,
                by=by,
                instrument=measure.get("instrument", ""),
                occasion=MeasureOccasion.REVIEW,
                answers=measure.get("answers", {}),
                taken_on=timezone.localdate(held_at),
                review=locked,
            )
        return {
            "notes": notes.strip(),
            "continue_case": continue_case,
            "recorded_by": by,
            "recorded_at": now,
            "held_at": held_at,
        }

    review = change_state(
        review,
        machine=REVIEW_MACHINE,
        action=ReviewAction.RECORD,
        refuse=_refusal,
        changes=recorded,
        record=_recorder(
            case=case,
            by=by,
            kind=CaseEventKind.REVIEW_RECORDED,
            summary=lambda change: (
                f"Review recorded ({len(ratings)} goal rating"
                f"{'s' if len(ratings) != 1 else ''})"
                + ("; the case continues" if continue_case else "; ready to close")
            ),
            object_type="review",
        ),
    ).instance
    if not continue_case:
        _set_next_review(case, None)  # otherwise the next review, scheduled below, replaces it
    next_review = None
    if continue_case:
        next_review = _schedule(
            case=case,
            by=by,
            scheduled_for=next_review_at or default_next_review_at(review),
            mode=next_mode or review.mode,
            with_whom=review.with_whom if next_with_whom is None else next_with_whom,
            field="next_review_at",
        )
    send_task_after_commit(MESSAGE_BACK_TASK, case_id=case.pk, moment="review", review_id=review.pk)
    return RecordedReview(review=review, next_review=next_review, measure=recorded_measure)
