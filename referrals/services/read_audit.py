"""Who read what: every view of a referral, a patient or an onward referral is audited."""

from collections.abc import Sequence

from accounts.models import User
from accounts.services import (
    AuditEntry,
    Listed,
    list_viewed_entries,
    record_audit_event,
    record_audit_events,
    record_list_viewed,
)

from ..models import Patient, ProviderLink, Referral, ServiceReferral


def record_referral_viewed(*, referral: Referral, by: User, via: str = "page") -> None:
    record_audit_event(
        actor=by,
        action="view",
        object_type="referral",
        object_id=referral.pk,
        patient_id=referral.patient_id,
        team_id=referral.team_id,
        detail=f"viewed {referral.reference} ({via})",
    )


def record_referral_list_viewed(*, by: User, what: str, referrals: Sequence[Referral]) -> None:
    record_list_viewed(
        actor=by,
        what=what,
        object_type="referral",
        listed=[Listed(referral.pk, referral.patient_id) for referral in referrals],
    )


def record_patient_viewed(*, patient: Patient, by: User, detail: str = "") -> None:
    record_audit_event(
        actor=by,
        action="view",
        object_type="patient",
        object_id=patient.pk,
        patient_id=patient.pk,
        detail=detail,
    )


def record_service_referral_viewed(
    *, service_referral: ServiceReferral, by: User | None, via: str
) -> None:
    record_audit_event(
        actor=by,
        action="view",
        object_type="service_referral",
        object_id=service_referral.pk,
        patient_id=service_referral.referral.patient_id,
        team_id=service_referral.referral.team_id,
        detail=f"viewed onward referral ({via})",
    )


def record_provider_link_opened(*, link: ProviderLink) -> None:
    service_referral = link.service_referral
    record_audit_event(
        actor=None,
        action="open_link",
        object_type="service_referral",
        object_id=service_referral.pk,
        patient_id=service_referral.referral.patient_id,
        team_id=service_referral.referral.team_id,
        detail=f"emailed link {link.pk} opened ({link.recipient_email})",
    )


def record_service_referral_list_viewed(
    *, by: User, what: str, service_referrals: Sequence[ServiceReferral]
) -> None:
    record_list_viewed(
        actor=by,
        what=what,
        object_type="service_referral",
        listed=[Listed(item.pk, item.referral.patient_id) for item in service_referrals],
    )


def record_attendance_question_opened(*, service_referral: ServiceReferral) -> None:
    record_audit_event(
        actor=None,
        action="open_link",
        object_type="service_referral",
        object_id=service_referral.pk,
        patient_id=service_referral.referral.patient_id,
        team_id=service_referral.referral.team_id,
        detail="the patient opened their attendance question link",
    )


def record_patient_search(*, by: User, terms_digest: str, patients: Sequence[Patient]) -> None:
    """A patient search: the search itself (its terms only as a keyed hash), then one list
    event per patient shown, so each patient's trail shows who found them; one append."""
    search = AuditEntry(
        by,
        "search",
        "patient_search",
        detail=f"patient search, terms hmac-sha256:{terms_digest}: {len(patients)} shown",
    )
    shown = (
        list_viewed_entries(
            actor=by,
            what="patient search",
            object_type="patient",
            listed=[Listed(patient.pk, patient.pk) for patient in patients],
        )
        if patients
        else []
    )
    record_audit_events(entries=[search, *shown])
