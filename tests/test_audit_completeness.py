"""Audit completeness: every route the matrix marks as showing patient data, called by an actor
it allows, writes an audit event with that actor, the patient and a fitting action; denials and
failed logins are audited; managers export a patient's trail as CSV."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from tests.matrix_world import world_fixture  # noqa: F401 - the shared `world` fixture
from tests.permission_matrix import ANONYMOUS, MATRIX, OK
from tests.test_permission_matrix import ACTOR_FIXTURES, checked_routes, url_for

# Who walks a route: the first actor in this order the matrix allows.
WALKERS = (
    ANONYMOUS,
    "coordinator_x",
    "manager_x",
    "referrer_a",
    "provider",
    "superuser",
)
# The world's one case is accepted, so the triage queue does not show it (see
# tests/referrals/test_list_audit.py for the ids the queue records).
LISTS_WITHOUT_THE_WORLDS_PATIENT = {"referrals:triage", "coordinators:closed-cases"}


def patient_checks(world):
    for name, pattern, params, _suffixed in checked_routes():
        entry = MATRIX[name]
        for method, action in entry.patient.items():
            walker = next(a for a in WALKERS if entry.checks[method].outcome(a) == OK)
            url = url_for(name, pattern, params, world, entry)
            yield name, method, f"{url}?patient_id={world.patient_id}", action, walker


@pytest.mark.postgres
def test_every_route_showing_patient_data_writes_an_audit_event(world, request):
    missing, walked = [], 0
    for name, method, url, action, walker in patient_checks(world):
        fixture = ACTOR_FIXTURES[walker]
        user = request.getfixturevalue(fixture) if fixture else None
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = client.generic(method, url)
        walked += 1
        # A list names each patient it showed, like a detail page.
        events = AuditEvent.objects.filter(id__gt=before, action=action, actor=user)
        if name not in LISTS_WITHOUT_THE_WORLDS_PATIENT:
            events = events.filter(patient_id=str(world.patient_id))
        if response.status_code >= 400 or not events.exists():
            missing.append(
                f"{method} {url} ({name}) as {walker}: {response.status_code}, no {action!r} event"
            )
    assert walked >= 40
    assert not missing, "not audited:\n" + "\n".join(missing)


def test_a_signed_in_user_refused_a_page_is_audited_as_denied(client, referrer_a):
    client.force_login(referrer_a)
    response = client.get(reverse("coordinators:team-home"))
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="denied")
    assert (event.actor, event.object_id) == (referrer_a, "coordinators:team-home")
    assert event.detail == "403 GET /team/"


def test_another_teams_case_is_audited_as_denied(client, world, coordinator_y):
    client.force_login(coordinator_y)
    url = reverse("coordinators:case", args=[world.case.reference])
    assert client.get(url).status_code == 404
    event = AuditEvent.objects.get(action="denied")
    assert (event.actor, event.object_id, event.detail) == (
        coordinator_y,
        "coordinators:case",
        f"404 GET {url}",
    )


def test_an_api_denial_is_audited(client, world, referrer_b):
    client.force_login(referrer_b)
    assert client.get(f"/api/v1/referrals/{world.case.pk}/").status_code == 404
    assert client.get("/api/v1/cases/").status_code == 403
    assert list(
        AuditEvent.objects.filter(action="denied", actor=referrer_b)
        .order_by("id")
        .values_list("detail", flat=True)
    ) == [f"404 GET /api/v1/referrals/{world.case.pk}/", "403 GET /api/v1/cases/"]


def test_an_unknown_address_and_an_anonymous_visitor_are_not_denials(client, coordinator_x):
    assert client.get(reverse("coordinators:team-home")).status_code == 302
    client.force_login(coordinator_x)
    assert client.get("/no-such-page/").status_code == 404
    assert not AuditEvent.objects.filter(action="denied").exists()


def test_a_failed_login_is_audited(client, coordinator_x):
    client.post(reverse("account_login"), {"login": coordinator_x.email, "password": "wrong"})
    assert AuditEvent.objects.filter(action="login_failed").exists()


def _export(client, patient_id):
    response = client.get(reverse("accounts:audit-export"), {"patient_id": patient_id})
    body = b"".join(response.streaming_content).decode() if response.streaming else ""
    return response, list(csv.reader(io.StringIO(body)))


def test_a_manager_exports_a_patients_audit_trail_as_csv(client, world, manager, coordinator_x):
    client.force_login(manager)
    patient = str(world.patient_id)
    own_events = AuditEvent.objects.filter(patient_id=patient).count()
    response, rows = _export(client, patient)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="audit-trail-patient-{patient}.csv"'
    )
    header, *events = rows
    assert header[:4] == ["id", "occurred_at", "actor_label", "action"]
    assert len(events) == own_events + 1  # the export itself is the last row
    assert {row[header.index("patient_id")] for row in events} == {patient}
    assert events[0][header.index("actor_label")] == coordinator_x.email
    assert events[-1][header.index("action")] == "export"
    assert AuditEvent.objects.filter(action="export", actor=manager, patient_id=patient).exists()


def test_the_export_defuses_spreadsheet_formulas(client, world, manager):
    from accounts.services import record_audit_event

    record_audit_event(
        actor=manager,
        action="view",
        object_type="case",
        patient_id=world.patient_id,
        detail="=HYPERLINK(1)",
    )
    client.force_login(manager)
    _response, rows = _export(client, world.patient_id)
    assert "'=HYPERLINK(1)" in [row[rows[0].index("detail")] for row in rows]


def test_only_managers_and_superusers_export_an_audit_trail(client, world, coordinator_x):
    client.force_login(coordinator_x)
    response, _rows = _export(client, world.patient_id)
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_export_asks_for_a_patient_id(client, manager):
    client.force_login(manager)
    response = client.get(reverse("accounts:audit-export"), follow=True)
    assert "Enter the patient id" in response.content.decode()


def test_the_audit_page_links_to_the_patients_export(client, world, manager):
    client.force_login(manager)
    page = client.get(reverse("accounts:audit-list"), {"patient_id": world.patient_id})
    assert f"/audit/export/?patient_id={world.patient_id}" in page.content.decode()


@pytest.mark.postgres
def test_the_export_streams_a_large_trail_in_chunks(client, world, manager):
    from accounts.services import record_audit_event

    for n in range(2100):
        record_audit_event(
            actor=manager,
            action="view",
            object_type="case",
            patient_id=world.patient_id,
            detail=f"bulk {n}",
        )
    client.force_login(manager)
    response = client.get(reverse("accounts:audit-export"), {"patient_id": world.patient_id})
    assert response.streaming
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    assert lines > 2100
