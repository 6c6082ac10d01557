"""Who holds a case: a manager reassigns it within the team."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Membership, Role, User
from referrals.models import Referral
from referrals.selectors import team_members

from ..errors import NotManagerOfTeam
from ..models import CaseEventKind
from .checks import _locked_open_case, _record


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
    previous = case.assigned_to
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
