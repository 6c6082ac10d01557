"""Data protection: anonymising ended cases after the retention period."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Reminder, User
from accounts.services import record_audit_event
from referrals.models import Patient, Referral, ReferralPatientDetails, ServiceReferral

from ..models import Goal, GoalProgress, PlanAction, Review, WhatMattersConversation
from ..selectors.retention import cases_due_for_anonymisation

REDACTED = "[anonymised]"
ANONYMISED_DETAILS_TEXT = (
    "sex_or_gender",
    "address",
    "postcode",
    "phone",
    "email",
    "language",
    "accessible_formats",
)


@dataclass(frozen=True)
class AnonymisationRun:
    cutoff: datetime.datetime
    references: list[str]
    patients: int
    dry_run: bool


@transaction.atomic
def anonymise_closed_cases(
    *, now: datetime.datetime | None = None, dry_run: bool = False, by: User | None = None
) -> AnonymisationRun:
    """Remove patient identifiers and free text from cases ended longer ago than
    RETENTION_CLOSED_CASE_DAYS. Kept for reports: the rows themselves (counts), statuses, dates,
    need domains, urgency, outcomes, goal statuses and ratings, measure scores. The date of birth
    is coarsened to 1 January of its year (age bands still work). A patient is anonymised once
    none of their referrals is open or within retention. Idempotent: done cases are skipped."""
    now = now or timezone.now()
    cutoff, due = cases_due_for_anonymisation(now=now)
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    if dry_run:
        references = list(Referral.objects.filter(pk__in=ids).values_list("reference", flat=True))
        patient_count = len(_patients_to_anonymise(ids, pending=set(ids)))
        return AnonymisationRun(cutoff, references, patient_count, dry_run=True)
    cases = list(Referral.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    for case in cases:
        _anonymise_case(case, now=now, by=by)
    patient_ids = _patients_to_anonymise(ids, pending=set())
    for patient in Patient.objects.select_for_update().filter(pk__in=patient_ids).order_by("pk"):
        _anonymise_patient(patient, now=now, by=by)
    record_audit_event(
        actor=by,
        action="retention_anonymised",
        object_type="retention_run",
        detail=f"{len(cases)} cases and {len(patient_ids)} patients anonymised; "
        f"ended before {cutoff:%Y-%m-%d}",
    )
    return AnonymisationRun(cutoff, [c.reference for c in cases], len(patient_ids), False)


def _patients_to_anonymise(case_ids: list[int], *, pending: set[int]) -> list[int]:
    """Patients of these cases whose every referral is ended before the cutoff (and anonymised,
    or about to be)."""
    candidates = set(
        Referral.objects.filter(pk__in=case_ids).values_list("patient_id", flat=True)
    ) | set(
        Patient.objects.filter(anonymised_at__isnull=True, referrals__anonymised_at__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    still_held = set(
        Referral.objects.filter(patient_id__in=candidates, anonymised_at__isnull=True)
        .exclude(pk__in=pending)
        .values_list("patient_id", flat=True)
    )
    return sorted(
        Patient.objects.filter(
            pk__in=candidates - still_held, anonymised_at__isnull=True
        ).values_list("pk", flat=True)
    )


def _anonymise_case(case: Referral, *, now: datetime.datetime, by: User | None) -> None:
    case.help_wanted = REDACTED
    case.risk_notes = ""
    case.access_needs = ""
    case.outcome_summary = ""
    case.anonymised_at = now
    case.save(
        update_fields=[
            "help_wanted",
            "risk_notes",
            "access_needs",
            "outcome_summary",
            "anonymised_at",
        ]
    )
    case.events.update(note="")
    # What the referrer said about the patient goes with the case's free text.
    ReferralPatientDetails.objects.filter(referral=case).update(
        nhs_number="",
        given_name="Anonymised",
        family_name="patient",
        date_of_birth=None,
        **{field: "" for field in ANONYMISED_DETAILS_TEXT},
    )
    case.case_events.update(summary=REDACTED)
    WhatMattersConversation.objects.filter(referral=case).update(
        what_matters=REDACTED,
        what_is_hard="",
        enjoys_and_good_at="",
        who_is_there="",
        three_months="",
    )
    Goal.objects.filter(referral=case).update(statement=REDACTED)
    GoalProgress.objects.filter(goal__referral=case).update(note="")
    Review.objects.filter(referral=case).update(notes="", with_whom="")
    PlanAction.objects.filter(referral=case).update(description=REDACTED, owner_detail="")
    for service_referral in ServiceReferral.objects.filter(referral=case):
        service_referral.provider_needs_to_know = REDACTED
        service_referral.save(update_fields=["provider_needs_to_know"])
        service_referral.events.update(note="")
    record_audit_event(
        actor=by,
        action="case_anonymised",
        object_type="referral",
        object_id=case.pk,
        patient_id=case.patient_id,
        team_id=case.team_id,
        detail=f"Retention period passed; ended {case.closed_at:%Y-%m-%d}",
    )


def _anonymise_patient(patient: Patient, *, now: datetime.datetime, by: User | None) -> None:
    patient.nhs_number = None
    patient.given_name = "Anonymised"
    patient.family_name = "patient"
    patient.date_of_birth = patient.date_of_birth.replace(month=1, day=1)
    for field in ("address", "postcode", "phone", "email", "language", "accessible_formats"):
        setattr(patient, field, "")
    patient.anonymised_at = now
    patient.save(
        update_fields=[
            "nhs_number",
            "given_name",
            "family_name",
            "date_of_birth",
            "address",
            "postcode",
            "phone",
            "email",
            "language",
            "accessible_formats",
            "anonymised_at",
        ]
    )
    # Messages to the patient keep their status for the operations figures, not the address.
    Reminder.objects.filter(recipient_key=f"patient:{patient.pk}").update(address="", context={})
    record_audit_event(
        actor=by,
        action="patient_anonymised",
        object_type="patient",
        object_id=patient.pk,
        patient_id=patient.pk,
        detail="Identifiers removed; date of birth kept as the year only",
    )
