"""Who may change a referral, and the row locks every change starts with."""

from accounts.models import Membership, Role, User
from common.state_machine import Party, Transition

from ..errors import NotInReceivingTeam
from ..models import Referral, ServiceReferral


def require_team_member(user: User, referral: Referral) -> None:
    if not user.is_team_member(referral.team_id):
        raise NotInReceivingTeam("Only the receiving coordinator team can do this.")


def require_party(user: User, referral: Referral, transition: Transition[str]) -> None:
    """Who may change the referral's status, as its machine's table says: the receiving team,
    and for some changes the referring practice too."""
    if (
        Party.REFERRER in transition.by
        and Membership.objects.filter(
            user=user, organisation_id=referral.referring_practice_id, role=Role.REFERRER
        ).exists()
    ):
        return
    require_team_member(user, referral)


def locked_referral(referral: Referral) -> Referral:
    """Lock the row and read it afresh; related rows are loaded after the lock, never joined
    into it (a joined row would come from the snapshot taken before the wait)."""
    return Referral.objects.select_for_update().get(pk=referral.pk)


def locked_service_referral(service_referral: ServiceReferral) -> ServiceReferral:
    """Lock the row alone (no joins: see locked_referral) and read it afresh."""
    return ServiceReferral.objects.select_for_update().get(pk=service_referral.pk)
