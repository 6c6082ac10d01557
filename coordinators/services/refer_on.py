"""Referring the patient on to a community service, with its plan action."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from common.input_limits import check_event_dates
from community_services.models import Service
from referrals.models import Referral
from referrals.services import create_service_referral

from ..models import ActionOwner, CaseEventKind, Goal, PlanAction, PlanActionStatus
from .checks import _locked_open_case, _record


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
