"""Confirming who a self-referred person is, at first contact: the only point where such a
referral is matched to a patient we already know, and only by the coordinator."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit_event

from ..errors import IdentityAlreadyChecked
from ..models import Patient, Referral, ReferralPatientDetails
from ..nhs_number import normalise, validate_nhs_number
from .guards import locked_referral, require_team_member


@transaction.atomic
def confirm_identity(*, referral: Referral, by: User, nhs_number: str = "") -> Referral:
    """The coordinator has spoken to the person and checked who they are. With an NHS number
    that a known patient has, the referral moves to that patient (whose record is not changed:
    the self-referral's details wait for the team to compare, as a practice's do) and the
    record made from the form is removed; otherwise the record made from the form is theirs,
    with the NHS number if given."""
    require_team_member(by, referral)
    referral = locked_referral(referral)
    if referral.identity_checked:
        raise IdentityAlreadyChecked(
            f"The identity of the person on {referral.reference} was already checked."
        )
    number = normalise(nhs_number or "")
    if number:
        try:
            validate_nhs_number(number)
        except ValidationError as exc:
            raise ValidationError({"nhs_number": exc.messages}) from exc
    provisional = Patient.objects.select_for_update().get(pk=referral.patient_id)
    known = (
        Patient.objects.select_for_update()
        .filter(nhs_number=number)
        .exclude(pk=provisional.pk)
        .first()
        if number
        else None
    )
    if known is not None:
        referral.patient = known
        ReferralPatientDetails.objects.filter(referral=referral).update(
            nhs_number=number,
            created_patient=False,
            resolution=ReferralPatientDetails.Resolution.PENDING,
        )
    elif number:
        provisional.nhs_number = number
        provisional.save(update_fields=["nhs_number", "updated_at"])
    referral.identity_checked = True
    referral.identity_checked_at = timezone.now()
    referral.identity_checked_by = by
    referral.save(
        update_fields=["patient", "identity_checked", "identity_checked_at", "identity_checked_by"]
    )
    if known is not None and not provisional.referrals.exists():
        provisional.delete()
    record_audit_event(
        actor=by,
        action="identity_checked",
        object_type="referral",
        object_id=referral.pk,
        patient_id=referral.patient_id,
        team_id=referral.team_id,
        detail=(
            f"matched to the known patient (form record {provisional.pk} removed)"
            if known is not None
            else "identity confirmed on the record made from the form"
        ),
    )
    return referral
