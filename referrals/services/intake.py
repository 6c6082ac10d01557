"""Intake: a practice refers a patient, who is matched by NHS number and never duplicated."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.services import record_audit_event
from common.input_limits import validate_date_of_birth

from ..errors import NoTeamServesPractice
from ..models import (
    Patient,
    Referral,
    ReferralEvent,
    ReferralPatientDetails,
    ReferralStatus,
    TeamCoverage,
)
from ..nhs_number import normalise, validate_nhs_number

PATIENT_FIELDS = Patient.RECORD_FIELDS
# Asked of the referrer, optional, and only ever the start of a new record: a known patient's
# record is never changed by a referral.
NEW_PATIENT_ONLY_FIELDS = ("ethnic_category",)
# What the referral keeps of what the referrer said about the patient.
REFERRAL_DETAILS_FIELDS = (*PATIENT_FIELDS, *Patient.CONSENTS)
REFERRAL_FIELDS = (
    "reasons",
    "help_wanted",
    "urgency",
    "source",
    "risk_flag",
    "risk_notes",
    "access_needs",
)


@dataclass(frozen=True)
class ReceivedReferral:
    referral: Referral
    patient_created: bool


@transaction.atomic
def receive_referral(
    *, referred_by: User, practice: Organisation, patient: dict[str, Any], referral: dict[str, Any]
) -> ReceivedReferral:
    """A practice refers a patient: the patient is matched by NHS number, never duplicated.

    A known patient's record is never changed by a referral (any practice can type any NHS
    number): what the referrer said is kept on the referral, for the receiving team to compare.
    """
    if not patient.get("consent_to_referral"):
        raise ValidationError({"consent_to_referral": "The patient must consent to be referred."})
    try:
        validate_date_of_birth(patient["date_of_birth"])
    except ValidationError as exc:
        raise ValidationError({"date_of_birth": exc.messages}) from exc
    coverage = TeamCoverage.objects.select_related("team").filter(practice=practice).first()
    if coverage is None:
        raise NoTeamServesPractice(
            f"No coordinator team receives referrals from {practice.name} yet. "
            "Ask the service administrator to set one up."
        )
    record, created = _match_or_create_patient(
        recorded_by=referred_by, practice=practice, data=patient
    )
    now = timezone.now()
    new = Referral.objects.create(
        patient=record,
        referring_practice=practice,
        referred_by=referred_by,
        team=coverage.team,
        status=ReferralStatus.RECEIVED,
        received_at=now,
        **{field: referral[field] for field in REFERRAL_FIELDS if field in referral},
    )
    ReferralPatientDetails.objects.create(
        referral=new,
        nhs_number=record.nhs_number or "",
        created_patient=created,
        resolution=(
            ReferralPatientDetails.Resolution.NONE_NEEDED
            if created
            else ReferralPatientDetails.Resolution.PENDING
        ),
        **{field: patient[field] for field in REFERRAL_DETAILS_FIELDS if field in patient},
    )
    ReferralEvent.objects.create(
        referral=new, actor=referred_by, occurred_at=now, to_status=ReferralStatus.RECEIVED
    )
    record_audit_event(
        actor=referred_by,
        action="create",
        object_type="referral",
        object_id=new.pk,
        patient_id=record.pk,
        team_id=new.team_id,
        detail=f"received {new.reference} for {coverage.team.name}",
    )
    return ReceivedReferral(referral=new, patient_created=created)


def _match_or_create_patient(
    *, recorded_by: User, practice: Organisation, data: dict[str, Any]
) -> tuple[Patient, bool]:
    """Find the patient by NHS number, or create them from the referral's details. A match
    changes nothing on the record: not identity, not the registered practice, not consent."""
    nhs_number = normalise(data["nhs_number"])
    try:
        validate_nhs_number(nhs_number)
    except ValidationError as exc:
        raise ValidationError({"nhs_number": exc.messages}) from exc
    values = {
        field: data[field] for field in (*PATIENT_FIELDS, *NEW_PATIENT_ONLY_FIELDS) if field in data
    }
    try:
        with transaction.atomic():
            record, created = Patient.objects.select_for_update().get_or_create(
                nhs_number=nhs_number, defaults={**values, "registered_practice": practice}
            )
    except IntegrityError:
        # Another request created the same patient a moment ago: match it.
        record, created = Patient.objects.select_for_update().get(nhs_number=nhs_number), False
    if created:
        changed = record_consents(patient=record, recorded_by=recorded_by, data=data)
        if changed:
            record.save(update_fields=[*changed, "updated_at"])
    record_audit_event(
        actor=recorded_by,
        action="create" if created else "match",
        object_type="patient",
        object_id=record.pk,
        patient_id=record.pk,
    )
    return record, created


def record_consents(*, patient: Patient, recorded_by: User, data: dict[str, Any]) -> list[str]:
    """Each consent keeps who recorded it and when; only a change is re-recorded."""
    now, changed = timezone.now(), []
    for consent in Patient.CONSENTS:
        if consent not in data:
            continue
        given = bool(data[consent])
        if getattr(patient, consent) == given and getattr(patient, f"{consent}_recorded_at"):
            continue
        setattr(patient, consent, given)
        setattr(patient, f"{consent}_recorded_by", recorded_by)
        setattr(patient, f"{consent}_recorded_at", now)
        changed += [consent, f"{consent}_recorded_by", f"{consent}_recorded_at"]
    return changed
