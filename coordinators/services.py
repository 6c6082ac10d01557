"""Every write to casework. The case is an accepted referral; its status changes stay in
`referrals.services` (closing wraps `close_referral`), everything else is here."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Reminder, Role, User
from accounts.services import create_reminders, record_audit_event, user_recipient
from community_services.need_domains import NeedDomain
from referrals.models import OPEN_STATUSES, ClosureOutcome, Referral, ReferralStatus
from referrals.services import close_referral, team_members

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


def _check_action_fields(*, case: Referral, goal: Goal, description: str, owner: str) -> None:
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
    _check_action_fields(case=case, goal=goal, description=description, owner=owner)
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
    _check_action_fields(case=case, goal=goal, description=description, owner=owner)
    _choice(status, PlanActionStatus.values, "status", "Choose the action's status.")
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


# --- Reviews: scheduled → completed | missed | cancelled


def _check_review_time(scheduled_for: datetime.datetime, field: str = "scheduled_for") -> None:
    if scheduled_for <= timezone.now():
        raise ValidationError({field: "The review must be in the future."})


def _locked_review(review: Review, by: User, doing: str) -> tuple[Referral, Review]:
    case = _locked_open_case(review.referral, by, doing)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.SCHEDULED:
        raise IllegalReviewChange(
            f"This review is {review.get_status_display().lower()}, so you cannot {doing}."
        )
    return case, review


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
        detail=f"viewed {what} of {case.reference} ({via})",
    )


def record_casework_list_viewed(*, by: User, what: str, count: int) -> None:
    record_audit_event(
        actor=by, action="view_list", object_type=what, detail=f"{what}: {count} shown"
    )


def is_open_case(case: Referral) -> bool:
    return case.status in OPEN_STATUSES and case.accepted_at is not None


# --- Reminder sweeps (run by beat through accounts.services.run_sweep)


@transaction.atomic
def sweep_review_due(now: datetime.datetime) -> list[Reminder]:
    """Scheduled reviews of open cases starting within REVIEW_DUE_NOTICE_HOURS → the case's
    coordinator, once per review time (a rescheduled review is reminded again)."""
    until = now + datetime.timedelta(hours=settings.REVIEW_DUE_NOTICE_HOURS)
    reviews = (
        Review.objects.filter(
            status=ReviewStatus.SCHEDULED,
            scheduled_for__gt=now,
            scheduled_for__lte=until,
            referral__status__in=OPEN_STATUSES,
            referral__assigned_to__isnull=False,
        )
        .select_related("referral__assigned_to", "referral__team", "referral__patient")
        .order_by("scheduled_for", "id")
    )
    created: list[Reminder] = []
    for review in reviews:
        case = review.referral
        created += create_reminders(
            kind="review_due",
            target_type="review",
            target_id=review.pk,
            occurrence=review.scheduled_for.isoformat(),
            recipients=[user_recipient(case.assigned_to)],
            context={
                "case_reference": case.reference,
                "patient_initials": f"{case.patient.given_name[:1]}{case.patient.family_name[:1]}",
                "when": _when(review.scheduled_for),
                "mode": review.get_mode_display().lower(),
            },
            link=reverse("coordinators:case", args=[case.reference]),
            team=case.team,
            patient_id=case.patient_id,
        )
    return created
