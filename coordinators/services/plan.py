"""The plan: actions towards the goals, each with an owner and a due date."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from common.input_limits import check_event_dates
from referrals.models import Referral

from ..models import ActionOwner, CaseEventKind, Goal, PlanAction, PlanActionStatus
from .checks import _choice, _locked_open_case, _record


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
