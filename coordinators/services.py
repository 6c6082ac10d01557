"""Every write to casework. The case is an accepted referral; its status changes stay in
`referrals.services` (closing wraps `close_referral`), everything else is here."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Reminder, Role, User
from accounts.services import (
    Listed,
    ReminderRequest,
    create_reminders_in_chunks,
    record_audit_event,
    record_list_viewed,
    user_recipient,
)
from accounts.working_days import add_working_days
from common.input_limits import check_event_dates
from community_services.models import Service
from community_services.need_domains import NeedDomain
from referrals.models import (
    OPEN_STATUSES,
    ClosureOutcome,
    Patient,
    Referral,
    ReferralPatientDetails,
    ReferralStatus,
    ServiceReferral,
)
from referrals.selectors import team_members
from referrals.services import close_referral, create_service_referral, patient_recipient

from . import measures
from .errors import CaseNotOpen, IllegalGoalChange, IllegalReviewChange, NotManagerOfTeam
from .models import (
    ActionOwner,
    CaseEvent,
    CaseEventKind,
    Goal,
    GoalPriority,
    GoalProgress,
    GoalStatus,
    MeasureOccasion,
    PlanAction,
    PlanActionStatus,
    Review,
    ReviewMode,
    ReviewStatus,
    WellbeingMeasure,
    WhatMattersConversation,
)

TEAM_ROLES = (Role.COORDINATOR, Role.MANAGER)
CASEWORK_STATUSES = (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)
FINAL_GOAL_STATUSES = tuple(s for s in GoalStatus.values if s != GoalStatus.ACTIVE)


# --- Shared checks


def _require_team_member(user: User, case: Referral) -> None:
    if not Membership.objects.filter(
        user=user, organisation_id=case.team_id, role__in=TEAM_ROLES
    ).exists():
        raise CaseNotOpen("Only the case's coordinator team can do this.")


def _locked_open_case(case: Referral, by: User, doing: str) -> Referral:
    """Lock the referral row (no joins) and check the case still takes casework."""
    _require_team_member(by, case)
    case = Referral.objects.select_for_update().get(pk=case.pk)
    if case.status not in CASEWORK_STATUSES:
        raise CaseNotOpen(
            f"Case {case.reference} is {case.get_status_display().lower()}, so you cannot {doing}."
        )
    return case


def _record(
    *, case: Referral, by: User, kind: str, summary: str, action: str, obj, object_type: str
) -> None:
    """The timeline row and the audit row that go with every casework write."""
    CaseEvent.objects.create(
        referral=case, actor=by, occurred_at=timezone.now(), kind=kind, summary=summary[:300]
    )
    record_audit_event(
        actor=by,
        action=action,
        object_type=object_type,
        object_id=obj.pk,
        patient_id=case.patient_id,
        team_id=case.team_id,
        detail=f"{case.reference}: {summary}"[:500],
    )


def _choice(value: str, choices, field: str, message: str) -> None:
    if value not in choices:
        raise ValidationError({field: message})


# --- Conversation and goals


@transaction.atomic
def record_conversation(
    *,
    case: Referral,
    by: User,
    held_on: datetime.date,
    what_matters: str,
    what_is_hard: str = "",
    enjoys_and_good_at: str = "",
    who_is_there: str = "",
    three_months: str = "",
) -> WhatMattersConversation:
    case = _locked_open_case(case, by, "record a conversation")
    if not what_matters.strip():
        raise ValidationError({"what_matters": "Write down what matters to the patient."})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The conversation date must be today or in the past."})
    check_event_dates(held_on=held_on)
    conversation = WhatMattersConversation.objects.create(
        referral=case,
        held_on=held_on,
        what_matters=what_matters.strip(),
        what_is_hard=what_is_hard.strip(),
        enjoys_and_good_at=enjoys_and_good_at.strip(),
        who_is_there=who_is_there.strip(),
        three_months=three_months.strip(),
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.CONVERSATION,
        summary=f"What matters conversation held on {held_on:%-d %b %Y}",
        action="create",
        obj=conversation,
        object_type="conversation",
    )
    return conversation


def _check_goal_fields(*, statement: str, need_domain: str, priority: str, target_date) -> None:
    if not statement.strip():
        raise ValidationError({"statement": "Write the goal in the patient's own words."})
    _choice(need_domain, NeedDomain.values, "need_domain", "Choose the need this goal is about.")
    _choice(priority, GoalPriority.values, "priority", "Choose a priority.")
    if target_date and target_date < timezone.localdate():
        raise ValidationError({"target_date": "The target date must be today or later."})
    check_event_dates(target_date=target_date)


@transaction.atomic
def add_goal(
    *,
    case: Referral,
    by: User,
    statement: str,
    need_domain: str,
    priority: str = GoalPriority.MEDIUM,
    target_date: datetime.date | None = None,
    conversation: WhatMattersConversation | None = None,
) -> Goal:
    case = _locked_open_case(case, by, "add a goal")
    _check_goal_fields(
        statement=statement, need_domain=need_domain, priority=priority, target_date=target_date
    )
    if conversation is not None and conversation.referral_id != case.pk:
        raise ValidationError({"conversation": "That conversation belongs to another case."})
    goal = Goal.objects.create(
        referral=case,
        conversation=conversation,
        statement=statement.strip(),
        need_domain=need_domain,
        priority=priority,
        target_date=target_date,
        created_by=by,
        created_at=timezone.now(),
    )
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.GOAL_ADDED,
        summary=f"Goal added: {goal.statement}",
        action="create",
        obj=goal,
        object_type="goal",
    )
    return goal


@transaction.atomic
def update_goal(
    *,
    goal: Goal,
    by: User,
    statement: str,
    need_domain: str,
    priority: str,
    target_date: datetime.date | None,
) -> Goal:
    case = _locked_open_case(goal.referral, by, "change a goal")
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    if not goal.is_active:
        raise IllegalGoalChange("Only an active goal can be changed; reopen it first.")
    _check_goal_fields(
        statement=statement, need_domain=need_domain, priority=priority, target_date=target_date
    )
    goal.statement, goal.need_domain = statement.strip(), need_domain
    goal.priority, goal.target_date = priority, target_date
    goal.save(update_fields=["statement", "need_domain", "priority", "target_date"])
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.GOAL_CHANGED,
        summary=f"Goal changed: {goal.statement}",
        action="update",
        obj=goal,
        object_type="goal",
    )
    return goal


@transaction.atomic
def set_goal_status(*, goal: Goal, by: User, status: str) -> Goal:
    """Active → an end status (achieved, partly, not achieved, no longer relevant), or reopen."""
    case = _locked_open_case(goal.referral, by, "change a goal")
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    _choice(status, GoalStatus.values, "status", "Choose the goal's status.")
    if status == goal.status:
        raise IllegalGoalChange(f"The goal is already {goal.get_status_display().lower()}.")
    previous = goal.get_status_display().lower()
    goal.status, goal.status_changed_at = status, timezone.now()
    goal.save(update_fields=["status", "status_changed_at"])
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.GOAL_STATUS,
        summary=f"Goal {previous} → {goal.get_status_display().lower()}: {goal.statement}",
        action="update",
        obj=goal,
        object_type="goal",
    )
    return goal


# --- Wellbeing measures


def score_answers(instrument: str, answers: dict) -> measures.MeasureScore:
    """Score through the one measures module; its field errors become a ValidationError."""
    try:
        return measures.score(instrument, answers)
    except measures.MeasureAnswersInvalid as exc:
        raise ValidationError(exc.errors) from exc


def _create_measure(
    *,
    case: Referral,
    by: User,
    instrument: str,
    occasion: str,
    answers: dict,
    taken_on: datetime.date,
    review: Review | None = None,
) -> WellbeingMeasure:
    _choice(occasion, MeasureOccasion.values, "occasion", "Choose when the measure was taken.")
    scored = score_answers(instrument, answers)
    if taken_on > timezone.localdate():
        raise ValidationError({"taken_on": "The date must be today or in the past."})
    check_event_dates(taken_on=taken_on)
    if (
        occasion in (MeasureOccasion.BASELINE, MeasureOccasion.CLOSING)
        and WellbeingMeasure.objects.filter(
            referral=case, instrument=instrument, occasion=occasion
        ).exists()
    ):
        raise ValidationError(
            {
                "occasion": f"This case already has a {occasion} "
                f"{measures.INSTRUMENTS[instrument].name}."
            }
        )
    measure = WellbeingMeasure.objects.create(
        referral=case,
        instrument=instrument,
        occasion=occasion,
        review=review,
        answers=scored.answers,
        raw_total=scored.raw_total,
        metric_score=scored.metric_score,
        bands=scored.bands,
        taken_on=taken_on,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.MEASURE,
        summary=f"{measure.get_occasion_display()} {measure.instrument_definition.name}"
        + (f": {scored.metric_score}" if scored.metric_score is not None else ""),
        action="create",
        obj=measure,
        object_type="wellbeing_measure",
    )
    return measure


@transaction.atomic
def record_measure(
    *,
    case: Referral,
    by: User,
    instrument: str,
    occasion: str,
    answers: dict,
    taken_on: datetime.date | None = None,
) -> WellbeingMeasure:
    """Baseline at the start, repeats at reviews, closing at the end; scored when recorded."""
    case = _locked_open_case(case, by, "record a measure")
    return _create_measure(
        case=case,
        by=by,
        instrument=instrument,
        occasion=occasion,
        answers=answers,
        taken_on=taken_on or timezone.localdate(),
    )


# --- Plan


def _check_action_fields(
    *, case: Referral, goal: Goal, description: str, owner: str, due_date: datetime.date | None
) -> None:
    check_event_dates(due_date=due_date)
    if goal.referral_id != case.pk:
        raise ValidationError({"goal": "Choose one of this case's goals."})
    if not description.strip():
        raise ValidationError({"description": "Say what will happen."})
    _choice(owner, ActionOwner.values, "owner", "Choose who does it.")


@transaction.atomic
def add_plan_action(
    *,
    case: Referral,
    by: User,
    goal: Goal,
    description: str,
    owner: str,
    owner_detail: str = "",
    due_date: datetime.date | None = None,
) -> PlanAction:
    case = _locked_open_case(case, by, "add to the plan")
    _check_action_fields(
        case=case, goal=goal, description=description, owner=owner, due_date=due_date
    )
    action = PlanAction.objects.create(
        referral=case,
        goal=goal,
        description=description.strip(),
        owner=owner,
        owner_detail=owner_detail.strip(),
        due_date=due_date,
        created_by=by,
        created_at=timezone.now(),
    )
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.PLAN_ACTION_ADDED,
        summary=f"Plan action added: {action.description}",
        action="create",
        obj=action,
        object_type="plan_action",
    )
    return action


@transaction.atomic
def update_plan_action(
    *,
    action: PlanAction,
    by: User,
    goal: Goal,
    description: str,
    owner: str,
    owner_detail: str,
    due_date: datetime.date | None,
    status: str,
) -> PlanAction:
    case = _locked_open_case(action.referral, by, "change the plan")
    action = PlanAction.objects.select_for_update().get(pk=action.pk)
    _check_action_fields(
        case=case, goal=goal, description=description, owner=owner, due_date=due_date
    )
    _choice(status, PlanActionStatus.values, "status", "Choose the action's status.")
    if action.service_referral_id is not None and status != action.status:
        raise ValidationError(
            {
                "status": "This action follows its onward referral: record the provider's "
                "answer, or withdraw the referral, on the referral's page."
            }
        )
    action.goal, action.description = goal, description.strip()
    action.owner, action.owner_detail = owner, owner_detail.strip()
    action.due_date, action.status = due_date, status
    action.save(
        update_fields=["goal", "description", "owner", "owner_detail", "due_date", "status"]
    )
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.PLAN_ACTION_CHANGED,
        summary=f"Plan action {action.get_status_display().lower()}: {action.description}",
        action="update",
        obj=action,
        object_type="plan_action",
    )
    return action


@transaction.atomic
def refer_case_on(
    *,
    case: Referral,
    by: User,
    service: Service,
    goals: list[Goal],
    provider_needs_to_know: str,
    due_date: datetime.date | None = None,
) -> PlanAction:
    """Refer the patient on for some of their goals: the onward referral (referrals' rules:
    referable, not paused, consent to share) and its plan action, together or not at all.
    The action is for the first goal given (the one the coordinator started from)."""
    case = _locked_open_case(case, by, "refer the patient on")
    check_event_dates(due_date=due_date)
    goals = list(goals)
    if not goals:
        raise ValidationError({"goals": "Choose at least one goal this referral is for."})
    if any(goal.referral_id != case.pk or not goal.is_active for goal in goals):
        raise ValidationError({"goals": "Choose from this case's active goals."})
    service_referral = create_service_referral(
        referral=case,
        service=service,
        by=by,
        provider_needs_to_know=provider_needs_to_know,
        goals=goals,
    )
    action = PlanAction.objects.create(
        referral=case,
        goal=goals[0],
        description=f"Referred to {service.name}",
        owner=ActionOwner.COMMUNITY_SERVICE,
        owner_detail=service.name,
        due_date=due_date,
        status=PlanActionStatus.IN_PROGRESS,
        service_referral=service_referral,
        created_by=by,
        created_at=timezone.now(),
    )
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.PLAN_ACTION_ADDED,
        summary=f"Plan action added: referred to {service.name}",
        action="create",
        obj=action,
        object_type="plan_action",
    )
    return action


# --- Reviews: scheduled → completed | missed | cancelled


def _check_review_time(scheduled_for: datetime.datetime, field: str = "scheduled_for") -> None:
    if scheduled_for <= timezone.now():
        raise ValidationError({field: "The review must be in the future."})
    check_event_dates(**{field: scheduled_for})


def _locked_review(review: Review, by: User, doing: str) -> tuple[Referral, Review]:
    case = _locked_open_case(review.referral, by, doing)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.SCHEDULED:
        raise IllegalReviewChange(
            f"This review is {review.get_status_display().lower()}, so you cannot {doing}."
        )
    return case, review


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
    *, case: Referral, by: User, scheduled_for, mode: str, with_whom: str, field: str
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
    case, review = _locked_review(review, by, "reschedule it")
    _check_review_time(scheduled_for)
    _choice(mode, ReviewMode.values, "mode", "Choose how the review will happen.")
    before = _when(review.scheduled_for)
    review.scheduled_for, review.mode, review.with_whom = scheduled_for, mode, with_whom.strip()
    review.save(update_fields=["scheduled_for", "mode", "with_whom"])
    _set_next_review(case, scheduled_for)
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.REVIEW_RESCHEDULED,
        summary=f"Review moved from {before} to {_when(scheduled_for)}",
        action="update",
        obj=review,
        object_type="review",
    )
    return review


@transaction.atomic
def cancel_review(*, review: Review, by: User, reason: str = "") -> Review:
    case, review = _locked_review(review, by, "cancel it")
    review.status, review.notes = ReviewStatus.CANCELLED, reason.strip()
    review.save(update_fields=["status", "notes"])
    _set_next_review(case, None)
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.REVIEW_CANCELLED,
        summary=f"Review of {_when(review.scheduled_for)} cancelled"
        + (f": {review.notes}" if review.notes else ""),
        action="cancel",
        obj=review,
        object_type="review",
    )
    return review


@transaction.atomic
def mark_review_missed(*, review: Review, by: User, note: str = "") -> Review:
    case, review = _locked_review(review, by, "mark it missed")
    if review.scheduled_for > timezone.now():
        raise IllegalReviewChange("A review cannot be missed before its time.")
    review.status, review.notes = ReviewStatus.MISSED, note.strip()
    review.recorded_by, review.recorded_at = by, timezone.now()
    review.save(update_fields=["status", "notes", "recorded_by", "recorded_at"])
    _set_next_review(case, None)
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.REVIEW_MISSED,
        summary=f"Review of {_when(review.scheduled_for)} missed"
        + (f": {review.notes}" if review.notes else ""),
        action="update",
        obj=review,
        object_type="review",
    )
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


def default_next_review_at(review: Review) -> datetime.datetime:
    """The configured interval (REVIEW_INTERVAL_DAYS) after the review, never in the past."""
    base = max(review.scheduled_for, timezone.now())
    return base + datetime.timedelta(days=settings.REVIEW_INTERVAL_DAYS)


@transaction.atomic
def record_review(
    *,
    review: Review,
    by: User,
    notes: str,
    ratings: list[GoalRating],
    continue_case: bool,
    measure: dict | None = None,
    next_review_at: datetime.datetime | None = None,
    next_mode: str | None = None,
    next_with_whom: str | None = None,
) -> RecordedReview:
    """Notes, progress per goal, an optional measure, whether to go on, and the next review."""
    case, review = _locked_review(review, by, "record it")
    if not notes.strip():
        raise ValidationError({"notes": "Write a few notes about the review."})
    goals = {goal.pk: goal for goal in Goal.objects.filter(referral=case)}
    now = timezone.now()
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
            review=review,
            rating=int(rating.rating),
            note=rating.note.strip(),
            recorded_by=by,
            recorded_at=now,
        )
        for rating in ratings
    )
    recorded_measure = None
    if measure:
        recorded_measure = _create_measure(
            case=case,
            by=by,
            instrument=measure.get("instrument", ""),
            occasion=MeasureOccasion.REVIEW,
            answers=measure.get("answers", {}),
            taken_on=timezone.localdate(),
            review=review,
        )
    review.status, review.notes, review.continue_case = (
        ReviewStatus.COMPLETED,
        notes.strip(),
        (continue_case),
    )
    review.recorded_by, review.recorded_at = by, now
    review.save(update_fields=["status", "notes", "continue_case", "recorded_by", "recorded_at"])
    if not continue_case:
        _set_next_review(case, None)  # otherwise the next review, scheduled below, replaces it
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.REVIEW_RECORDED,
        summary=f"Review recorded ({len(ratings)} goal rating{'s' if len(ratings) != 1 else ''})"
        + ("; the case continues" if continue_case else "; ready to close"),
        action="update",
        obj=review,
        object_type="review",
    )
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
    return RecordedReview(review=review, next_review=next_review, measure=recorded_measure)


# --- Caseload and closing


@transaction.atomic
def reassign_case(*, case: Referral, by: User, to: User, note: str = "") -> Referral:
    """A manager gives an open case to another coordinator of the same team."""
    if not Membership.objects.filter(
        user=by, organisation_id=case.team_id, role=Role.MANAGER
    ).exists():
        raise NotManagerOfTeam("Only a manager of the case's team can reassign it.")
    case = _locked_open_case(case, by, "reassign it")
    if not team_members(case.team).filter(pk=to.pk).exists():
        raise ValidationError({"to": "Choose a coordinator in the case's team."})
    if case.assigned_to_id == to.pk:
        raise ValidationError({"to": f"The case is already with {to.display_name}."})
    previous = User.objects.filter(pk=case.assigned_to_id).first()
    case.assigned_to = to
    case.save(update_fields=["assigned_to"])
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.REASSIGNED,
        summary=f"Reassigned from {previous.display_name if previous else 'nobody'} to "
        f"{to.display_name}" + (f": {note.strip()}" if note.strip() else ""),
        action="reassign",
        obj=case,
        object_type="referral",
    )
    return case


@transaction.atomic
def close_case(
    *,
    case: Referral,
    by: User,
    outcome: str,
    summary: str,
    goal_statuses: dict[int, str] | None = None,
    closing_measures: list[dict] | None = None,
) -> Referral:
    """Final goal statuses, closing measures, then `close_referral` (the one status change),
    with the plain-language summary the referring practice sees. Scheduled reviews lapse."""
    case = _locked_open_case(case, by, "close it")
    if case.status != ReferralStatus.IN_PROGRESS:
        raise CaseNotOpen(
            f"Case {case.reference} has had no first contact yet, so it cannot be closed "
            "with an outcome."
        )
    _choice(outcome, ClosureOutcome.values, "outcome", "Choose the outcome.")
    if not summary.strip():
        raise ValidationError({"summary": "Write a summary for the referring practice."})
    goals = {goal.pk: goal for goal in Goal.objects.select_for_update().filter(referral=case)}
    for goal_id, status in (goal_statuses or {}).items():
        goal = goals.get(goal_id)
        if goal is None:
            raise ValidationError({f"goal_{goal_id}": "That goal is not on this case."})
        _choice(status, GoalStatus.values, f"goal_{goal_id}", "Choose how the goal went.")
        if status != goal.status:
            goal.status, goal.status_changed_at = status, timezone.now()
            goal.save(update_fields=["status", "status_changed_at"])
    still_active = [goal for goal in goals.values() if goal.is_active]
    if still_active:
        raise ValidationError(
            {f"goal_{goal.pk}": "Say how this goal went before closing." for goal in still_active}
        )
    for measure in closing_measures or []:
        _create_measure(
            case=case,
            by=by,
            instrument=measure.get("instrument", ""),
            occasion=MeasureOccasion.CLOSING,
            answers=measure.get("answers", {}),
            taken_on=timezone.localdate(),
        )
    for review in Review.objects.select_for_update().filter(
        referral=case, status=ReviewStatus.SCHEDULED
    ):
        review.status, review.notes = ReviewStatus.CANCELLED, "The case closed."
        review.save(update_fields=["status", "notes"])
    _set_next_review(case, None)
    case = close_referral(referral=case, by=by, outcome=outcome, summary=summary.strip())
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.CLOSED,
        summary=f"Case closed: {case.get_outcome_display().lower()}",
        action="close",
        obj=case,
        object_type="case",
    )
    return case


# --- Reads of case data are audited too


def record_case_viewed(*, case: Referral, by: User, what: str = "case", via: str = "page") -> None:
    record_audit_event(
        actor=by,
        action="view",
        object_type=what,
        object_id=case.pk,
        patient_id=case.patient_id,
        team_id=case.team_id,
        detail=f"viewed {what} of {case.reference} ({via})",
    )


def record_casework_list_viewed(
    *, by: User, what: str, object_type: str, records: Sequence[models.Model]
) -> None:
    """Each case (a referral) or piece of casework shown, with its patient: a case carries it;
    casework whose case is not loaded gets it in one query for the page."""
    records = list(records)
    unloaded = {
        record.referral_id
        for record in records
        if not isinstance(record, Referral) and not type(record).referral.is_cached(record)
    }
    patient_of_case = (
        dict(Referral.objects.filter(pk__in=unloaded).values_list("pk", "patient_id"))
        if unloaded
        else {}
    )

    def patient_of(record) -> int | str:
        if isinstance(record, Referral):
            return record.patient_id
        if record.referral_id in patient_of_case:
            return patient_of_case[record.referral_id]
        return record.referral.patient_id

    record_list_viewed(
        actor=by,
        what=what,
        object_type=object_type,
        listed=[Listed(record.pk, patient_of(record)) for record in records],
    )


def is_open_case(case: Referral) -> bool:
    return case.status in OPEN_STATUSES and case.accepted_at is not None


# --- Review reminders (run by beat through accounts.services.run_sweep)

# How the review will happen, in the patient's words.
_MODE_FOR_PATIENT = {
    ReviewMode.IN_PERSON: "in person",
    ReviewMode.PHONE: "by phone: we will call you",
    ReviewMode.VIDEO: "by video call: we will send you the details",
}


def plain_time(moment: datetime.datetime) -> str:
    """NHS style: 10am, 2:30pm, midday."""
    local = timezone.localtime(moment)
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def review_occurrence(review: Review) -> str:
    """The scheduled time is the occurrence: a rescheduled review is reminded afresh, a re-run
    of the sweep is not."""
    return review.scheduled_for.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%MZ")


def _review_context(review: Review) -> dict:
    local = timezone.localtime(review.scheduled_for)
    return {
        "referral_reference": review.referral.reference,
        "team_name": review.referral.team.name,
        "when_display": f"{local:%A %-d %B %Y} at {plain_time(local)}",
        "mode_display": review.get_mode_display().lower(),
        "mode_for_patient": _MODE_FOR_PATIENT[review.mode],
        "in_person": review.mode == ReviewMode.IN_PERSON,
    }


def _review_reminder(*, kind: str, review: Review, recipients, link: str = "") -> ReminderRequest:
    case = review.referral
    return ReminderRequest(
        kind=kind,
        target_type="review",
        target_id=review.pk,
        occurrence=review_occurrence(review),
        recipients=recipients,
        context=_review_context(review),
        link=link,
        team=case.team,
        patient_id=case.patient_id,
    )


def _case_coordinator(case: Referral) -> list:
    user = case.assigned_to
    return [user_recipient(user)] if user is not None and user.is_active else []


def sweep_review_due(now: datetime.datetime) -> list[Reminder]:
    """Scheduled reviews coming up: the coordinator REVIEW_DUE_COORDINATOR_HOURS (24) before,
    the patient REVIEW_DUE_PATIENT_HOURS (48) before on the channels they consented to."""
    coordinator_from = now + datetime.timedelta(hours=settings.REVIEW_DUE_COORDINATOR_HOURS)
    patient_from = now + datetime.timedelta(hours=settings.REVIEW_DUE_PATIENT_HOURS)
    reviews = (
        Review.objects.filter(
            status=ReviewStatus.SCHEDULED,
            scheduled_for__gt=now,
            scheduled_for__lte=max(coordinator_from, patient_from),
            referral__status__in=CASEWORK_STATUSES,
        )
        .select_related("referral__assigned_to", "referral__patient", "referral__team")
        .order_by("scheduled_for", "pk")
    )

    def requests(chunk: list[Review]):
        for review in chunk:
            case = review.referral
            if review.scheduled_for <= coordinator_from:
                yield _review_reminder(
                    kind="review_due",
                    review=review,
                    recipients=_case_coordinator(case),
                    link=reverse("coordinators:case", args=[case.reference]),
                )
            if review.scheduled_for <= patient_from:
                yield _review_reminder(
                    kind="review_due_patient",
                    review=review,
                    recipients=[patient_recipient(case.patient)],
                )

    return create_reminders_in_chunks(targets=reviews, build=requests)


def review_overdue_since(review: Review, working_days: int) -> datetime.datetime:
    return add_working_days(timezone.localtime(review.scheduled_for), working_days)


def sweep_review_overdue(now: datetime.datetime) -> list[Reminder]:
    """Reviews past their time and still not recorded: REVIEW_OVERDUE_WORKING_DAYS (2) working
    days after → the coordinator; REVIEW_OVERDUE_ESCALATION_WORKING_DAYS (5) → the team's
    managers. Once each per scheduled time."""
    first = settings.REVIEW_OVERDUE_WORKING_DAYS
    escalate = settings.REVIEW_OVERDUE_ESCALATION_WORKING_DAYS
    # n working days are at least n calendar days: the database narrows, Python decides.
    reviews = [
        review
        for review in Review.objects.filter(
            status=ReviewStatus.SCHEDULED,
            scheduled_for__lte=now - datetime.timedelta(days=min(first, escalate)),
            referral__status__in=CASEWORK_STATUSES,
        )
        .select_related("referral__assigned_to", "referral__team")
        .order_by("scheduled_for", "pk")
        if review_overdue_since(review, min(first, escalate)) <= now
    ]
    managers: dict[int, list] = {}
    for membership in (
        Membership.objects.filter(
            organisation_id__in={review.referral.team_id for review in reviews},
            role=Role.MANAGER,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user_id")
    ):
        managers.setdefault(membership.organisation_id, []).append(user_recipient(membership.user))

    def requests(chunk: list[Review]):
        for review in chunk:
            case = review.referral
            link = reverse("coordinators:case", args=[case.reference])
            if review_overdue_since(review, first) <= now:
                yield _review_reminder(
                    kind="review_overdue",
                    review=review,
                    recipients=_case_coordinator(case),
                    link=link,
                )
            if review_overdue_since(review, escalate) <= now:
                yield _review_reminder(
                    kind="review_overdue_escalation",
                    review=review,
                    recipients=managers.get(case.team_id, []),
                    link=link,
                )

    return create_reminders_in_chunks(targets=reviews, build=requests)


# --- Data protection: anonymising ended cases after the retention period

ENDED_STATUSES = (ReferralStatus.CLOSED, ReferralStatus.DECLINED, ReferralStatus.PATIENT_DECLINED)
REDACTED = "[anonymised]"
ANONYMISED_DETAILS_TEXT = (
    "sex_or_gender",
    "address",
    "postcode",
    "phone",
    "email",
    "language",
    "accessible_formats",
)


@dataclass(frozen=True)
class AnonymisationRun:
    cutoff: datetime.datetime
    references: list[str]
    patients: int
    dry_run: bool


def cases_due_for_anonymisation(*, now: datetime.datetime | None = None):
    """Ended referrals (closed, declined, patient declined) that ended before the cutoff and
    still hold free text."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.RETENTION_CLOSED_CASE_DAYS)
    due = Referral.objects.filter(
        status__in=ENDED_STATUSES, closed_at__lt=cutoff, anonymised_at__isnull=True
    )
    return cutoff, due


@transaction.atomic
def anonymise_closed_cases(
    *, now: datetime.datetime | None = None, dry_run: bool = False, by: User | None = None
) -> AnonymisationRun:
    """Remove patient identifiers and free text from cases ended longer ago than
    RETENTION_CLOSED_CASE_DAYS. Kept for reports: the rows themselves (counts), statuses, dates,
    need domains, urgency, outcomes, goal statuses and ratings, measure scores. The date of birth
    is coarsened to 1 January of its year (age bands still work). A patient is anonymised once
    none of their referrals is open or within retention. Idempotent: done cases are skipped."""
    now = now or timezone.now()
    cutoff, due = cases_due_for_anonymisation(now=now)
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    if dry_run:
        references = list(Referral.objects.filter(pk__in=ids).values_list("reference", flat=True))
        patient_count = len(_patients_to_anonymise(ids, pending=set(ids)))
        return AnonymisationRun(cutoff, references, patient_count, dry_run=True)
    cases = list(Referral.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    for case in cases:
        _anonymise_case(case, now=now, by=by)
    patient_ids = _patients_to_anonymise(ids, pending=set())
    for patient in Patient.objects.select_for_update().filter(pk__in=patient_ids).order_by("pk"):
        _anonymise_patient(patient, now=now, by=by)
    record_audit_event(
        actor=by,
        action="retention_anonymised",
        object_type="retention_run",
        detail=f"{len(cases)} cases and {len(patient_ids)} patients anonymised; "
        f"ended before {cutoff:%Y-%m-%d}",
    )
    return AnonymisationRun(cutoff, [c.reference for c in cases], len(patient_ids), False)


def _patients_to_anonymise(case_ids: list[int], *, pending: set[int]) -> list[int]:
    """Patients of these cases whose every referral is ended before the cutoff (and anonymised,
    or about to be)."""
    candidates = set(
        Referral.objects.filter(pk__in=case_ids).values_list("patient_id", flat=True)
    ) | set(
        Patient.objects.filter(anonymised_at__isnull=True, referrals__anonymised_at__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    still_held = set(
        Referral.objects.filter(patient_id__in=candidates, anonymised_at__isnull=True)
        .exclude(pk__in=pending)
        .values_list("patient_id", flat=True)
    )
    return sorted(
        Patient.objects.filter(
            pk__in=candidates - still_held, anonymised_at__isnull=True
        ).values_list("pk", flat=True)
    )


def _anonymise_case(case: Referral, *, now, by: User | None) -> None:
    case.help_wanted = REDACTED
    case.risk_notes = ""
    case.access_needs = ""
    case.outcome_summary = ""
    case.anonymised_at = now
    case.save(
        update_fields=[
            "help_wanted",
            "risk_notes",
            "access_needs",
            "outcome_summary",
            "anonymised_at",
        ]
    )
    case.events.update(note="")
    # What the referrer said about the patient goes with the case's free text.
    ReferralPatientDetails.objects.filter(referral=case).update(
        nhs_number="",
        given_name="Anonymised",
        family_name="patient",
        date_of_birth=None,
        **{field: "" for field in ANONYMISED_DETAILS_TEXT},
    )
    case.case_events.update(summary=REDACTED)
    WhatMattersConversation.objects.filter(referral=case).update(
        what_matters=REDACTED,
        what_is_hard="",
        enjoys_and_good_at="",
        who_is_there="",
        three_months="",
    )
    Goal.objects.filter(referral=case).update(statement=REDACTED)
    GoalProgress.objects.filter(goal__referral=case).update(note="")
    Review.objects.filter(referral=case).update(notes="", with_whom="")
    PlanAction.objects.filter(referral=case).update(description=REDACTED, owner_detail="")
    for service_referral in ServiceReferral.objects.filter(referral=case):
        service_referral.provider_needs_to_know = REDACTED
        service_referral.save(update_fields=["provider_needs_to_know"])
        service_referral.events.update(note="")
    record_audit_event(
        actor=by,
        action="case_anonymised",
        object_type="referral",
        object_id=case.pk,
        patient_id=case.patient_id,
        team_id=case.team_id,
        detail=f"Retention period passed; ended {case.closed_at:%Y-%m-%d}",
    )


def _anonymise_patient(patient: Patient, *, now, by: User | None) -> None:
    patient.nhs_number = None
    patient.given_name = "Anonymised"
    patient.family_name = "patient"
    patient.date_of_birth = patient.date_of_birth.replace(month=1, day=1)
    for field in ("address", "postcode", "phone", "email", "language", "accessible_formats"):
        setattr(patient, field, "")
    patient.anonymised_at = now
    patient.save(
        update_fields=[
            "nhs_number",
            "given_name",
            "family_name",
            "date_of_birth",
            "address",
            "postcode",
            "phone",
            "email",
            "language",
            "accessible_formats",
            "anonymised_at",
        ]
    )
    # Messages to the patient keep their status for the operations figures, not the address.
    Reminder.objects.filter(recipient_key=f"patient:{patient.pk}").update(address="", context={})
    record_audit_event(
        actor=by,
        action="patient_anonymised",
        object_type="patient",
        object_id=patient.pk,
        patient_id=patient.pk,
        detail="Identifiers removed; date of birth kept as the year only",
    )


def record_subject_access_export(*, patient: Patient, by: User, format: str) -> None:
    record_audit_event(
        actor=by,
        action="subject_access_export",
        object_type="patient",
        object_id=patient.pk,
        patient_id=patient.pk,
        detail=f"Everything held about the patient, as {format}",
    )
