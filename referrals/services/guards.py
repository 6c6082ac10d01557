"""Who may change a referral, and the row locks every change starts with."""

from accounts.models import User

from ..errors import NotInReceivingTeam
from ..models import Referral, ServiceReferral


def require_team_member(user: User, referral: Referral) -> None:
    if not user.is_team_member(referral.team_id):
        raise NotInReceivingTeam("Only the receiving coordinator team can do this.")


def locked_referral(referral: Referral) -> Referral:
    """Lock the row and read it afresh; related rows are loaded after the lock, never joined
    into it (a joined row would come from the snapshot taken before the wait)."""
    return Referral.objects.select_for_update().get(pk=referral.pk)


def locked_service_referral(service_referral: ServiceReferral) -> ServiceReferral:
    """Lock the row alone (no joins: see locked_referral) and read it afresh."""
    return ServiceReferral.objects.select_for_update().get(pk=service_referral.pk)
