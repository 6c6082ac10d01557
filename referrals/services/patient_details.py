"""The receiving team reconciles what the referrer said about the patient with the record."""

from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind, User
from accounts.services import record_audit_event

from ..errors import DetailsAlreadyResolved
from ..models import Patient, Referral, ReferralPatientDetails
from .guards import require_team_member


@transaction.atomic
def resolve_details_difference(
    *, referral: Referral, by: User, accept_fields: Collection[str]
) -> ReferralPatientDetails:
    """The team decides where a referral's details differ from the record: the fields named are
    copied into the record, the others are kept as they are (none named: the record is kept)."""
    require_team_member(by, referral)
    details = ReferralPatientDetails.objects.select_for_update().get(referral_id=referral.pk)
    if details.is_resolved:
        raise DetailsAlreadyResolved(
            f"The details on referral {referral.reference} were already looked at: "
            f"{details.get_resolution_display().lower()}."
        )
    patient = Patient.objects.select_for_update().get(pk=referral.patient_id)
    differing = [difference.field for difference in details.differences(patient)]
    unknown = sorted(set(accept_fields) - set(differing))
    if unknown:
        raise ValidationError(
            {"fields": f"These details do not differ from the record: {', '.join(unknown)}."}
        )
    accepted = [name for name in differing if name in accept_fields]
    changed = []
    for name in accepted:
        setattr(patient, name, getattr(details, name))
        changed.append(name)
        if name in Patient.CONSENTS:
            # The consent was given to the referrer: who took it, and when, stays theirs.
            setattr(patient, f"{name}_recorded_by_id", referral.referred_by_id)
            setattr(patient, f"{name}_recorded_at", referral.received_at)
            changed += [f"{name}_recorded_by", f"{name}_recorded_at"]
    if changed:
        patient.full_clean(exclude=["registered_practice", "nhs_number"], validate_unique=False)
        patient.save(update_fields=[*changed, "updated_at"])
    Resolution = ReferralPatientDetails.Resolution
    if not accepted:
        details.resolution = Resolution.KEPT if differing else Resolution.NONE_NEEDED
    else:
        details.resolution = (
            Resolution.CONFIRMED if len(accepted) == len(differing) else Resolution.PARTLY_CONFIRMED
        )
    details.resolved_fields = accepted
    details.resolved_by = by
    details.resolved_at = timezone.now()
    details.save(update_fields=["resolution", "resolved_fields", "resolved_by", "resolved_at"])
    kept = [name for name in differing if name not in accepted]
    record_audit_event(
        actor=by,
        action="update" if accepted else "details_kept",
        object_type="patient",
        object_id=patient.pk,
        patient_id=patient.pk,
        detail=f"details from {referral.reference}: copied in "
        f"{', '.join(accepted) or 'nothing'}; record kept for {', '.join(kept) or 'nothing'}",
    )
    return details


@transaction.atomic
def change_registered_practice(*, referral: Referral, by: User, practice: Organisation) -> Patient:
    """The receiving team moves the patient to another practice: never a referral's side effect."""
    require_team_member(by, referral)
    if practice.kind != OrganisationKind.GP_PRACTICE:
        raise ValidationError({"practice": "Choose a GP practice."})
    patient = Patient.objects.select_for_update().get(pk=referral.patient_id)
    if patient.registered_practice_id == practice.pk:
        raise ValidationError(
            {"practice": f"{patient.full_name} is already registered with {practice.name}."}
        )
    before = Organisation.objects.get(pk=patient.registered_practice_id)
    patient.registered_practice = practice
    patient.save(update_fields=["registered_practice", "updated_at"])
    record_audit_event(
        actor=by,
        action="registered_practice_changed",
        object_type="patient",
        object_id=patient.pk,
        patient_id=patient.pk,
        detail=f"{before.name} → {practice.name} (on {referral.reference})",
    )
    return patient
