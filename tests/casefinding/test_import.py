"""The upload is previewed without saving, confirmed, imported by the job;
a re-upload adds nobody twice; matching follows intake's protections; all of it audited."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from casefinding import services
from casefinding.models import CaseFindingUpload, OutreachEntry
from referrals.models import Patient
from tests.casefinding.conftest import csv_text, row
from tests.referrals.conftest import eager_celery  # noqa: F401  (fixture)
from tests.referrals.factories import PatientFactory, ReferralFactory

pytestmark = pytest.mark.postgres
LIST = csv_text(
    row("9991000003"),
    row("9991000011", category="moderate", efi=""),
    row("9991000038", efi="0.1", conditions="1"),
)


def _import(by, practice, text=LIST):
    upload = services.confirm_upload(by=by, practice=practice, file_name="list.csv", text=text)
    return services.import_upload(upload_id=upload.pk)


def test_the_import_adds_each_person_to_the_teams_worklist_and_audits_it(
    referrer_a, practice_a, team_x
):
    upload = _import(referrer_a, practice_a)
    assert (upload.status, upload.created_entries, upload.patients_created) == ("done", 3, 3)
    assert upload.rows == []  # the list's rows are not kept once imported
    assert set(OutreachEntry.objects.values_list("team", flat=True)) == {team_x.pk}
    assert AuditEvent.objects.filter(action="create", object_type="outreach_entry").count() == 3
    assert AuditEvent.objects.filter(action="create", object_type="patient").count() == 3
    assert AuditEvent.objects.filter(action="case_finding_import").exists()
    assert AuditEvent.objects.filter(action="case_finding_upload").exists()


def test_re_uploading_the_same_file_adds_nobody_twice(referrer_a, practice_a):
    _import(referrer_a, practice_a)
    again = _import(referrer_a, practice_a)
    assert (again.created_entries, again.already_listed) == (0, 3)
    assert OutreachEntry.objects.count() == 3
    assert Patient.objects.count() == 3


def test_a_known_patient_is_matched_and_their_record_never_overwritten(
    referrer_a, practice_a, practice_b
):
    known = PatientFactory(
        nhs_number="9991000003", given_name="Held", registered_practice=practice_b, phone="0"
    )
    upload = _import(referrer_a, practice_a)
    known.refresh_from_db()
    assert (known.given_name, known.registered_practice, known.phone) == ("Held", practice_b, "0")
    assert (upload.patients_matched, upload.patients_created) == (1, 2)
    assert OutreachEntry.objects.get(patient=known).listed["given_name"] == "Edna"


def test_a_patient_open_with_the_team_is_not_put_on_the_worklist(referrer_a, practice_a, team_x):
    patient = PatientFactory(nhs_number="9991000003", registered_practice=practice_a)
    ReferralFactory(patient=patient, referring_practice=practice_a, team=team_x)
    upload = _import(referrer_a, practice_a)
    assert upload.created_entries == 2
    assert not OutreachEntry.objects.filter(patient=patient).exists()


def test_only_a_practice_lead_may_upload(referrer_b, practice_b):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.confirm_upload(by=referrer_b, practice=practice_b, file_name="x", text=LIST)
    assert not CaseFindingUpload.objects.exists()


def test_the_worklist_is_ordered_by_risk(referrer_a, practice_a, coordinator_x):
    from casefinding.selectors import worklist

    _import(referrer_a, practice_a)
    order = [e.patient.nhs_number for e in worklist(coordinator_x)]
    assert order == ["9991000003", "9991000011", "9991000038"]  # severe, moderate, fit


# --- the pages: preview saves nothing; confirm enqueues the job


def _upload_page(client, text, name="list.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("casefinding:upload"),
        {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")},
    )


def test_the_preview_shows_counts_and_bad_rows_and_saves_nothing(client, referrer_a):
    client.force_login(referrer_a)
    text = csv_text(row("9991000003"), row("9991000004"), row("999 100 0003"))
    page = _upload_page(client, text).content.decode()
    assert 'data-testid="count-ready">1<' in page
    assert 'data-testid="count-bad">2<' in page
    assert "the same NHS number as line 2" in page
    assert not (Patient.objects.exists() or CaseFindingUpload.objects.exists())
    assert not OutreachEntry.objects.exists()


def test_a_file_with_wrong_columns_is_refused_with_a_message_naming_them(client, referrer_a):
    client.force_login(referrer_a)
    page = _upload_page(client, "nhs,name\n1,2\n").content.decode()
    assert "missing columns: nhs_number, given_name, family_name, date_of_birth" in page
    assert "unknown columns: nhs, name" in page
    assert not CaseFindingUpload.objects.exists()


def test_confirming_imports_through_the_job_and_the_page_shows_the_summary(
    client,
    referrer_a,
    eager_celery,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client.force_login(referrer_a)
    page = _upload_page(client, LIST).content.decode()
    token = page.split('name="token" value="')[1].split('"')[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("casefinding:confirm"), {"token": token})
    upload = CaseFindingUpload.objects.get()
    assert response.url == reverse("casefinding:upload-detail", args=[upload.pk])
    progress = client.get(reverse("casefinding:upload-progress", args=[upload.pk]))
    assert 'data-status="done"' in progress.content.decode()
    assert 'data-testid="created-entries">3<' in progress.content.decode()
    assert "hx-get" not in progress.content.decode()  # finished: polling stops


def test_a_confirm_without_a_preview_imports_nothing(client, referrer_a):
    client.force_login(referrer_a)
    assert client.post(reverse("casefinding:confirm"), {"token": "x"}).status_code == 409
    assert not CaseFindingUpload.objects.exists()
