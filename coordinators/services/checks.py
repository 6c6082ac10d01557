"""What every casework write checks and records: the case is open and the user is in its
coordinator team; each write leaves a timeline row and an audit row."""

from collections.abc import Callable, Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit_event
from common.state_machine import StateChange
from referrals.models import Referral
from referrals.services.referrer_messages import MESSAGE_BACK_TASK

__all__ = ["MESSAGE_BACK_TASK"]

from ..errors import CaseNotOpen, NotInCaseTeam
from ..models import CaseEvent, GoalStatus

FINAL_GOAL_STATUSES = tuple(s for s in GoalStatus.values if s != GoalStatus.ACTIVE)


def _require_team_member(user: User, case: Referral) -> None:
    if not user.is_team_member(case.team_id):
        raise NotInCaseTeam("Only the case's coordinator team can do this.")


def _locked_open_case(case: Referral, by: User, doing: str) -> Referral:
    """Lock the referral row (no joins) and check the case still takes casework."""
    _require_team_member(by, case)
    case = Referral.objects.select_for_update().get(pk=case.pk)
    if not case.is_open_case:
        raise CaseNotOpen(
            f"Case {case.reference} is {case.get_status_display().lower()}, so you cannot {doing}."
        )
    return case


def _record(
    *,
    case: Referral,
    by: User,
    kind: str,
    summary: str,
    action: str,
    obj: models.Model,
    object_type: str,
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


def _recorder(
    *,
    case: Referral,
    by: User,
    kind: str,
    summary: Callable[[StateChange[Any, Any, str]], str],
    object_type: str,
) -> Callable[[StateChange[Any, Any, str]], None]:
    """For `change_state`: a review's or a goal's change, as a timeline row and an audit row
    under the machine's event name."""

    def record(change: StateChange[Any, Any, str]) -> None:
        _record(
            case=case,
            by=by,
            kind=kind,
            summary=summary(change),
            action=change.transition.event,
            obj=change.instance,
            object_type=object_type,
        )

    return record


def _choice(value: str, choices: Collection[str], field: str, message: str) -> None:
    if value not in choices:
        raise ValidationError({field: message})
