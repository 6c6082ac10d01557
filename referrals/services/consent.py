"""Consent to share the patient's details with community services."""

from django.db import transaction

from accounts.models import User
from accounts.services import record_audit_event

from ..models import Patient, Referral
from .guards import require_team_member
from .intake import record_consents


@transaction.atomic
def record_consent_to_share(*, referral: Referral, by: User, given: bool) -> Patient:
    """The team records (or withdraws) the patient's consent to share details with services."""
    require_team_member(by, referral)
    patient = Patient.objects.select_for_update().get(pk=referral.patient_id)
    changed = record_consents(patient=patient, recorded_by=by, data={"consent_to_share": given})
    if changed:
        patient.save(update_fields=[*changed, "updated_at"])
    record_audit_event(
        actor=by,
        action="update",
        object_type="patient",
        object_id=patient.pk,
        patient_id=patient.pk,
        team_id=referral.team_id,
        detail=f"consent_to_share: {'yes' if given else 'no'} (on {referral.reference})",
    )
    return patient
