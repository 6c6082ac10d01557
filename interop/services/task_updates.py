"""A requester's change to its Task: cancelling withdraws the referral through the same service
as the practice's "patient declined" button."""

from accounts.models import User
from referrals.models import Referral, ServiceReferral
from referrals.services import answer_service_referral, record_patient_declined


def cancel_by_requester(*, referral: Referral, by: User, reason: str) -> Referral:
    """The service checks the state (409 when too late) and who may (the referring practice)."""
    return record_patient_declined(referral=referral, by=by, note=reason)


def answer_as_provider(
    *, service_referral: ServiceReferral, by: User, action: str, reason: str, note: str
) -> ServiceReferral:
    """The provider's answer over FHIR: the signed link's own service, with the same rules
    (only the provider of that service, only legal transitions)."""
    return answer_service_referral(
        action=action, service_referral=service_referral, by=by, reason=reason, note=note
    )
