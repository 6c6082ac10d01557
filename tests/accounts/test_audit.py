import contextlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.audit_chain import GENESIS_HASH, verify_audit_chain
from accounts.models import AuditEvent, AuditTrailIsAppendOnly
from accounts.request_context import RequestContext, reset_request_context, set_request_context
from accounts.services import record_audit_event
from tests.factories import log_in_through_the_form


def _three_events(actor):
    return [
        record_audit_event(
            actor=actor,
            action="view",
            object_type="patient",
            object_id=i,
            patient_id=i,
            detail=f"event {i}",
        )
        for i in range(1, 4)
    ]


def test_events_chain_each_to_the_one_before(coordinator_x):
    first, second, third = _three_events(coordinator_x)
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3


def test_event_records_actor_ip_and_request_id_of_the_context(coordinator_x):
    token = set_request_context(RequestContext(request_id="req-123", ip_address="10.1.2.3"))
    try:
        event = record_audit_event(
            actor=coordinator_x, action="view", object_type="patient", object_id=7, patient_id=7
        )
    finally:
        reset_request_context(token)
    assert (event.actor, event.actor_label, event.ip_address, event.request_id) == (
        coordinator_x,
        coordinator_x.email,
        "10.1.2.3",
        "req-123",
    )
    assert event.occurred_at.utcoffset().total_seconds() == 0


def test_login_through_the_form_is_audited_with_the_client_ip(client, coordinator_x, password):
    log_in_through_the_form(client, coordinator_x, password, REMOTE_ADDR="10.9.8.7")
    event = AuditEvent.objects.filter(action="login").get()
    assert event.actor == coordinator_x
    assert event.ip_address == "10.9.8.7"
    assert event.request_id


def test_our_own_request_id_is_recorded_and_returned_and_the_clients_kept_apart(
    client, coordinator_x, password
):
    response = log_in_through_the_form(
        client, coordinator_x, password, HTTP_X_REQUEST_ID="req-abc-123"
    )
    event = AuditEvent.objects.get(action="login")
    assert (event.client_request_id, len(event.request_id)) == ("req-abc-123", 32)
    assert event.request_id != "req-abc-123"
    assert response["X-Request-ID"] == event.request_id


def test_every_request_gets_a_fresh_id_of_ours_whatever_the_client_sends(client):
    first = client.get("/healthz", HTTP_X_REQUEST_ID="req-abc-123")["X-Request-ID"]
    second = client.get("/healthz", HTTP_X_REQUEST_ID="req-abc-123")["X-Request-ID"]
    bad = client.get("/healthz", HTTP_X_REQUEST_ID="<bad id>")["X-Request-ID"]
    assert len({first, second, bad, "req-abc-123", "<bad id>"}) == 5


def test_a_malformed_client_request_id_is_not_kept(client, coordinator_x, password):
    log_in_through_the_form(client, coordinator_x, password, HTTP_X_REQUEST_ID="<bad id>")
    assert AuditEvent.objects.get(action="login").client_request_id == ""


def test_verify_audit_reports_intact(coordinator_x, capsys):
    _three_events(coordinator_x)
    call_command("verify_audit")
    assert "intact (3 events checked, 0 checkpoints" in capsys.readouterr().out


def test_orm_refuses_to_update_or_delete_events(coordinator_x):
    event = _three_events(coordinator_x)[0]
    event.detail = "changed"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(detail="changed")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.all().delete()


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete(coordinator_x):
    event = _three_events(coordinator_x)[0]
    table = AuditEvent._meta.db_table
    for statement in (
        f"UPDATE {table} SET detail = 'x' WHERE id = %s",  # noqa: S608
        f"DELETE FROM {table} WHERE id = %s",
    ):  # noqa: S608
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, detail="event 1").exists()


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("UPDATE {table} SET detail = 'nothing happened' WHERE id = %s", "content"),
        ("DELETE FROM {table} WHERE id = %s", "link"),
    ],
)
def test_tampering_with_raw_sql_is_detected_by_verify_audit(coordinator_x, statement, reason):
    _, middle, last = _three_events(coordinator_x)
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks block ALTER TABLE
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER accounts_auditevent_append_only")
        cursor.execute(statement.format(table=table), [middle.pk])
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER accounts_auditevent_append_only")
    result = verify_audit_chain()
    assert not result.intact
    assert result.broken_at == (middle.pk if reason == "content" else last.pk)
    assert reason in result.reason
    with pytest.raises(CommandError, match=f"at id {result.broken_at}"):
        call_command("verify_audit")


def test_manager_browses_the_audit_trail(
    client, manager, coordinator_x, password, django_assert_max_num_queries
):
    _three_events(coordinator_x)
    client.login(email=manager.email, password=password)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:audit-list"), {"action": "view"})
    assert response.status_code == 200
    assert response.content.decode().count(coordinator_x.email) == 3


def test_audit_list_query_count_does_not_grow_with_events(
    client, manager, coordinator_x, password, django_assert_num_queries
):
    client.login(email=manager.email, password=password)
    _three_events(coordinator_x)
    # 11: session, user, membership, the two filter lists (actions, record types), count,
    # page, the header bell's unread count, and the audit of this very page (chain lock,
    # previous hash, insert).
    with django_assert_num_queries(11):
        client.get(reverse("accounts:audit-list"))
    for _ in range(20):
        _three_events(coordinator_x)
    with django_assert_num_queries(11):
        client.get(reverse("accounts:audit-list"))


@pytest.mark.parametrize("role", ["coordinator", "referrer", "vetter", "provider"])
def test_other_roles_cannot_browse_the_audit_trail(client, cast, role, password):
    client.login(email=cast[role].email, password=password)
    assert client.get(reverse("accounts:audit-list")).status_code == 403


def test_admin_shows_events_read_only(client, superuser, coordinator_x, password):
    event = _three_events(coordinator_x)[0]
    client.login(email=superuser.email, password=password)
    assert client.get(reverse("admin:accounts_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- A manager sees their own teams' part of the trail


def _seen_by(client, user, password) -> str:
    client.login(email=user.email, password=password)
    return client.get(reverse("accounts:audit-list")).content.decode()


def _view_of_patient(actor, patient, detail):
    record_audit_event(
        actor=actor, action="view", object_type="patient", patient_id=patient.pk, detail=detail
    )


@pytest.fixture
def two_teams_patients(practice_a, practice_b, referrer_a, referrer_b, team_x, team_y):
    from tests.referrals.factories import ReferralFactory

    ours = ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    theirs = ReferralFactory(referring_practice=practice_b, referred_by=referrer_b, team=team_y)
    return ours.patient, theirs.patient


def test_a_manager_does_not_see_another_teams_work_in_the_audit_trail(
    client, manager, coordinator_x, coordinator_y, two_teams_patients, password
):
    ours, theirs = two_teams_patients
    _view_of_patient(coordinator_x, ours, "our coordinator's look")
    _view_of_patient(coordinator_y, theirs, "the other team's look")
    page = _seen_by(client, manager, password)
    assert "our coordinator&#x27;s look" in page
    assert "the other team&#x27;s look" not in page


def test_a_manager_sees_anyone_s_events_about_their_team_s_case(
    client, manager, superuser, team_x, two_teams_patients, password
):
    ours, _ = two_teams_patients
    record_audit_event(
        actor=superuser,
        action="view",
        object_type="referral",
        patient_id=ours.pk,
        team_id=team_x.pk,
        detail="an administrator looked at the case",
    )
    _view_of_patient(superuser, ours, "an administrator looked at the patient")
    page = _seen_by(client, manager, password)
    assert "an administrator looked at the case" in page
    # Outside any case, whose part it is cannot be told: only a superuser sees it.
    assert "an administrator looked at the patient" not in page


def test_a_superuser_sees_every_team_s_events(
    client, superuser, coordinator_y, two_teams_patients, password
):
    _, theirs = two_teams_patients
    _view_of_patient(coordinator_y, theirs, "the other team's look")
    assert "the other team&#x27;s look" in _seen_by(client, superuser, password)


def test_a_manager_cannot_export_the_trail_of_another_teams_patient(
    client, manager, coordinator_y, two_teams_patients, password
):
    _, theirs = two_teams_patients
    _view_of_patient(coordinator_y, theirs, "the other team's look")
    client.login(email=manager.email, password=password)
    response = client.get(reverse("accounts:audit-export"), {"patient_id": theirs.pk})
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_manager_exports_the_trail_of_their_teams_patient(
    client, manager, two_teams_patients, password
):
    ours, _ = two_teams_patients
    client.login(email=manager.email, password=password)
    response = client.get(reverse("accounts:audit-export"), {"patient_id": ours.pk})
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="export", patient_id=str(ours.pk)).exists()


def test_a_failed_audit_append_cannot_be_caught_and_the_change_committed(
    coordinator_x, monkeypatch
):
    from accounts import audit
    from accounts.models import Organisation

    def broken_digest(**fields):
        raise RuntimeError("hashing failed")

    monkeypatch.setattr(audit, "audit_event_digest", broken_digest)
    with transaction.atomic():
        Organisation.objects.create(name="Changed without audit", kind="gp_practice")
        with contextlib.suppress(RuntimeError):  # a careless caller
            record_audit_event(actor=coordinator_x, action="create", object_type="organisation")
    assert not Organisation.objects.filter(name="Changed without audit").exists()


def test_browsing_the_audit_trail_is_itself_audited_with_its_filters(
    client, manager, coordinator_x, password
):
    _three_events(coordinator_x)
    client.login(email=manager.email, password=password)
    client.get(reverse("accounts:audit-list"), {"action": "view", "patient_id": "2"})
    client.get(reverse("accounts:audit-list"))
    assert list(
        AuditEvent.objects.filter(actor=manager, object_type="audit_event")
        .order_by("id")
        .values_list("action", "patient_id", "detail")
    ) == [
        ("view_list", "2", "audit list (action=view, patient_id=2), page 1: 1 shown"),
        ("view_list", "", "audit list (no filters), page 1: 5 shown"),
    ]
