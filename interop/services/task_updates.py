"""A requester's change to its Task: cancelling withdraws the referral through the same service
as the practice's "patient declined" button."""

from accounts.models import User
from referrals.models import Referral
from referrals.services import record_patient_declined


def cancel_by_requester(*, referral: Referral, by: User, reason: str) -> Referral:
    """The service checks the state (409 when too late) and who may (the referring practice)."""
    return record_patient_declined(referral=referral, by=by, note=reason)
