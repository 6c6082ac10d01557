"""Reads of case data are audited too: a case page, a list of casework, a subject access
export."""

from collections.abc import Sequence
from typing import Any, Protocol

from django.db import models

from accounts.models import User
from accounts.services import Listed, record_audit_event, record_list_viewed
from referrals.models import Patient, Referral


def record_case_viewed(*, case: Referral, by: User, what: str = "case", via: str = "page") -> None:
    record_audit_event(
        actor=by,
        action="view",
        object_type=what,
        object_id=case.pk,
        patient_id=case.patient_id,
        team_id=case.team_id,
        detail=f"viewed {what} of {case.reference} ({via})",
    )


class CaseworkRecord(Protocol):
    """A piece of casework: a row of its case (a referral)."""

    pk: Any

    @property
    def referral_id(self) -> int: ...

    @property
    def referral(self) -> Referral: ...


def _case_loaded(record: CaseworkRecord) -> bool:
    """Whether the record's case came with it (select_related), so reading it costs no query."""
    if not isinstance(record, models.Model):
        return False
    field = record._meta.get_field("referral")
    return isinstance(field, models.ForeignKey) and field.is_cached(record)


def record_casework_list_viewed(
    *, by: User, what: str, object_type: str, records: Sequence[Referral | CaseworkRecord]
) -> None:
    """Each case (a referral) or piece of casework shown, with its patient: a case carries it;
    casework whose case is not loaded gets it in one query for the page."""
    records = list(records)
    unloaded = {
        record.referral_id
        for record in records
        if not isinstance(record, Referral) and not _case_loaded(record)
    }
    patient_of_case: dict[int, int] = (
        dict(Referral.objects.filter(pk__in=unloaded).values_list("pk", "patient_id"))
        if unloaded
        else {}
    )

    def patient_of(record: Referral | CaseworkRecord) -> int | str:
        if isinstance(record, Referral):
            return record.patient_id
        if record.referral_id in patient_of_case:
            return patient_of_case[record.referral_id]
        return record.referral.patient_id

    record_list_viewed(
        actor=by,
        what=what,
        object_type=object_type,
        listed=[Listed(record.pk, patient_of(record)) for record in records],
    )


def record_subject_access_export(*, patient: Patient, by: User, format: str) -> None:
    record_audit_event(
        actor=by,
        action="subject_access_export",
        object_type="patient",
        object_id=patient.pk,
        patient_id=patient.pk,
        detail=f"Everything held about the patient, as {format}",
    )
