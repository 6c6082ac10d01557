"""The "what matters" conversation and the goals that come out of it; a goal's changes are the
actions of its machine (`coordinators.models.GOAL_MACHINE`), through
`common.state_machine.change_state`."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from common.input_limits import check_event_dates
from common.state_machine import StateChange, change_state
from community_services.need_domains import NeedDomain
from referrals.models import Referral

from ..errors import IllegalGoalChange
from ..models import (
    GOAL_MACHINE,
    GOAL_STATUS_ACTIONS,
    CaseEventKind,
    Goal,
    GoalAction,
    GoalPriority,
    GoalStatus,
    WhatMattersConversation,
)
from .checks import _choice, _locked_open_case, _record, _recorder


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


def _goal_refusal(goal: Goal, action: GoalAction) -> IllegalGoalChange:
    if action == GoalAction.CHANGE:
        return IllegalGoalChange("Only an active goal can be changed; reopen it first.")
    return IllegalGoalChange(f"The goal is already {goal.get_status_display().lower()}.")


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

    def changed(locked: Goal) -> dict[str, object]:
        _check_goal_fields(
            statement=statement,
            need_domain=need_domain,
            priority=priority,
            target_date=target_date,
        )
        return {
            "statement": statement.strip(),
            "need_domain": need_domain,
            "priority": priority,
            "target_date": target_date,
        }

    return change_state(
        goal,
        machine=GOAL_MACHINE,
        action=GoalAction.CHANGE,
        refuse=_goal_refusal,
        changes=changed,
        record=_recorder(
            case=case,
            by=by,
            kind=CaseEventKind.GOAL_CHANGED,
            summary=lambda change: f"Goal changed: {change.instance.statement}",
            object_type="goal",
        ),
    ).instance


@transaction.atomic
def set_goal_status(*, goal: Goal, by: User, status: str) -> Goal:
    """Active → an end status (achieved, partly, not achieved, no longer relevant), or reopen."""
    case = _locked_open_case(goal.referral, by, "change a goal")
    _choice(status, GoalStatus.values, "status", "Choose the goal's status.")

    def summary(change: StateChange[Goal, GoalAction, str]) -> str:
        before = GoalStatus(change.from_state).label.lower()
        now = change.instance.get_status_display().lower()
        return f"Goal {before} → {now}: {change.instance.statement}"

    return change_state(
        goal,
        machine=GOAL_MACHINE,
        action=GOAL_STATUS_ACTIONS[GoalStatus(status)],
        refuse=_goal_refusal,
        changes=lambda locked: {"status_changed_at": timezone.now()},
        record=_recorder(
            case=case, by=by, kind=CaseEventKind.GOAL_STATUS, summary=summary, object_type="goal"
        ),
    ).instance
