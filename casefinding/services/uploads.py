"""A practice's case-finding list: checked before anything is saved, confirmed by the practice
lead, then imported by a background job a chunk at a time."""

import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.services import AuditEntry, record_audit_event, record_audit_events
from common.enqueue import send_task_after_commit
from referrals.models import Patient, Referral

from ..csv_format import CheckedList, check_list, read_rows
from ..models import (
    EFI_BAND_RANK,
    OPEN_OUTREACH,
    CaseFindingUpload,
    OutreachEntry,
    UploadStatus,
)
from ..selectors import lead_practices, open_with_team, team_of_practice

CHUNK = 1000


def decode_upload(content: bytes) -> str:
    """The file's text: UTF-8 (with or without the mark Excel adds); anything else refused."""
    if len(content) > settings.CASE_FINDING_MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": f"The file is larger than {settings.CASE_FINDING_MAX_UPLOAD_BYTES:,} bytes."}
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            {"file": "The file is not UTF-8 text. Save it as 'CSV UTF-8' and upload it again."}
        ) from exc


def _team_for(by: User, practice: Organisation) -> Organisation:
    if practice.pk not in {p.pk for p in lead_practices(by)}:
        raise PermissionDenied("Only the practice's lead can upload its case-finding lists.")
    team = team_of_practice(practice)
    if team is None:
        raise ValidationError(
            {"file": f"No coordinator team takes {practice.name}'s patients yet."}
        )
    return team


def check_upload(*, by: User, practice: Organisation, text: str) -> CheckedList:
    """Every row checked against the format and the team's open patients. Saves nothing."""
    team = _team_for(by, practice)
    _, rows = read_rows(text)
    if len(rows) > settings.CASE_FINDING_MAX_ROWS:
        raise ValidationError(
            {
                "file": f"The file has {len(rows):,} rows; the most is "
                f"{settings.CASE_FINDING_MAX_ROWS:,}. Split it and upload each part."
            }
        )
    numbers = [raw.get("nhs_number", "").replace(" ", "") for _, raw in rows]
    return check_list(text, open_nhs_numbers=open_with_team(team, numbers))


@transaction.atomic
def confirm_upload(
    *, by: User, practice: Organisation, file_name: str, text: str
) -> CaseFindingUpload:
    """The lead confirmed the preview: the list is checked again (the team's open patients
    may have changed) and its good rows queued for the import job."""
    checked = check_upload(by=by, practice=practice, text=text)
    upload = CaseFindingUpload.objects.create(
        practice=practice,
        team=_team_for(by, practice),
        uploaded_by=by,
        file_name=file_name[:200],
        file_sha256=hashlib.sha256(text.encode()).hexdigest(),
        rows=checked.rows,
        rows_total=len(checked.rows),
        already_listed=len(checked.already_open),
    )
    record_audit_event(
        actor=by,
        action="case_finding_upload",
        object_type="case_finding_upload",
        object_id=upload.pk,
        team_id=upload.team_id,
        detail=f"{file_name[:100]}: {checked.total} rows, {checked.ready} to import, "
        f"{len(checked.bad)} bad, {len(checked.already_open)} already open",
    )
    send_task_after_commit("casefinding.import_case_finding_list", upload_id=upload.pk)
    return upload


def import_upload(*, upload_id: int) -> CaseFindingUpload:
    """The job: a chunk of rows per transaction, progress counted as it goes. Safe to run
    again (a retry, a second worker): finished uploads are left alone, and a person already
    on the team's worklist is never added twice."""
    with transaction.atomic():
        upload = CaseFindingUpload.objects.select_for_update().get(pk=upload_id)
        if upload.finished:
            return upload
        upload.status = UploadStatus.IMPORTING
        upload.save(update_fields=["status"])
    rows = upload.rows
    for start in range(upload.rows_done, len(rows), CHUNK):
        _import_chunk(upload_id=upload_id, rows=rows[start : start + CHUNK], start=start)
    with transaction.atomic():
        upload = CaseFindingUpload.objects.select_for_update().get(pk=upload_id)
        upload.status, upload.finished_at, upload.rows = UploadStatus.DONE, timezone.now(), []
        upload.save(update_fields=["status", "finished_at", "rows"])
        record_audit_event(
            actor=upload.uploaded_by,
            action="case_finding_import",
            object_type="case_finding_upload",
            object_id=upload.pk,
            team_id=upload.team_id,
            detail=f"{upload.created_entries} added to the worklist, {upload.already_listed} "
            f"already there; {upload.patients_created} new records, "
            f"{upload.patients_matched} matched",
        )
    return upload


@transaction.atomic
def _import_chunk(*, upload_id: int, rows: list[dict[str, Any]], start: int) -> None:
    upload = CaseFindingUpload.objects.select_for_update().defer("rows").get(pk=upload_id)
    if upload.rows_done != start:  # another worker did this chunk
        return
    numbers = [row["nhs_number"] for row in rows]
    known = dict(Patient.objects.filter(nhs_number__in=numbers).values_list("nhs_number", "pk"))
    # Matching as at intake: a known patient's record is never changed; new people get a
    # record from the list, registered with the uploading practice.
    Patient.objects.bulk_create(
        [
            Patient(
                nhs_number=row["nhs_number"],
                given_name=row["given_name"],
                family_name=row["family_name"],
                date_of_birth=row["date_of_birth"],
                sex_or_gender=row["sex"],
                address=row["address"],
                postcode=row["postcode"],
                phone=row["phone"],
                email=row["email"],
                registered_practice_id=upload.practice_id,
            )
            for row in rows
            if row["nhs_number"] not in known
        ],
        ignore_conflicts=True,  # another import created the same person a moment ago
    )
    patient_of = dict(
        Patient.objects.filter(nhs_number__in=numbers).values_list("nhs_number", "pk")
    )
    ids = list(patient_of.values())
    taken = set(
        OutreachEntry.objects.filter(
            team_id=upload.team_id, status__in=OPEN_OUTREACH, patient_id__in=ids
        ).values_list("patient_id", flat=True)
    ) | set(
        Referral.objects.open()
        .filter(team_id=upload.team_id, patient_id__in=ids)
        .values_list("patient_id", flat=True)
    )
    new_entries = [
        OutreachEntry(
            upload_id=upload.pk,
            practice_id=upload.practice_id,
            team_id=upload.team_id,
            patient_id=patient_of[row["nhs_number"]],
            listed=row,
            efi_score=row["efi_score"],
            efi_category=row["efi_category"],
            efi_rank=EFI_BAND_RANK[row["efi_category"]],
            long_term_conditions=row["long_term_conditions"],
            admissions_last_12_months=row["admissions_last_12_months"],
            reason=row["reason"],
        )
        for row in rows
        if patient_of[row["nhs_number"]] not in taken
    ]
    OutreachEntry.objects.bulk_create(new_entries, ignore_conflicts=True)
    created_entries = list(
        OutreachEntry.objects.filter(upload_id=upload.pk, patient_id__in=ids).values_list(
            "pk", "patient_id"
        )
    )
    created_patients = {pk for number, pk in patient_of.items() if number not in known}
    actor = upload.uploaded_by
    record_audit_events(
        entries=[
            *(
                AuditEntry(
                    actor,
                    "create" if pk in created_patients else "match",
                    "patient",
                    pk,
                    pk,
                    f"case-finding list {upload.pk}",
                    upload.team_id,
                )
                for pk in ids
            ),
            *(
                AuditEntry(
                    actor,
                    "create",
                    "outreach_entry",
                    entry_pk,
                    patient_pk,
                    f"case-finding list {upload.pk}",
                    upload.team_id,
                )
                for entry_pk, patient_pk in created_entries
            ),
        ]
    )
    upload.rows_done = start + len(rows)
    upload.created_entries += len(created_entries)
    upload.already_listed += len(rows) - len(created_entries)
    upload.patients_created += len(created_patients)
    upload.patients_matched += len(ids) - len(created_patients)
    upload.save(
        update_fields=[
            "rows_done",
            "created_entries",
            "already_listed",
            "patients_created",
            "patients_matched",
        ]
    )
