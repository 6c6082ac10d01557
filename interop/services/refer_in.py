"""Referring in over FHIR: the practice's identifier makes it idempotent; the referral itself is
made by the web form's own intake service (matching, consent, routing by coverage)."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from accounts.models import Organisation, User
from referrals.models import Referral
from referrals.services import receive_referral

from ..models import ReferralIdentifier


@dataclass(frozen=True)
class ReferredIn:
    referral: Referral
    created: bool


def refer_in(
    *,
    by: User,
    practice: Organisation,
    identifier: tuple[str, str],
    patient: dict,
    referral: dict,
) -> ReferredIn:
    """The same identifier from the same practice never makes a second referral, even when two
    requests race: the loser's whole transaction rolls back and it answers with the winner's."""
    try:
        return _refer_in_once(
            by=by, practice=practice, identifier=identifier, patient=patient, referral=referral
        )
    except IntegrityError:
        return _refer_in_once(
            by=by, practice=practice, identifier=identifier, patient=patient, referral=referral
        )


@transaction.atomic
def _refer_in_once(
    *,
    by: User,
    practice: Organisation,
    identifier: tuple[str, str],
    patient: dict,
    referral: dict,
) -> ReferredIn:
    system, value = identifier
    known = (
        ReferralIdentifier.objects.select_related("referral")
        .filter(practice=practice, system=system, value=value)
        .first()
    )
    if known is not None:
        return ReferredIn(referral=known.referral, created=False)
    received = receive_referral(
        referred_by=by, practice=practice, patient=patient, referral=referral
    )
    ReferralIdentifier.objects.create(
        practice=practice, system=system, value=value, referral=received.referral
    )
    return ReferredIn(referral=received.referral, created=True)
