"""The app's PostgreSQL role may read and append to the audit trail, and nothing more: the
migration role owns it. Checked by connecting as that role to the test database."""

import uuid

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from accounts.database_roles import app_role_statements
from accounts.models import AuditEvent
from accounts.services import record_audit_event

TABLE = AuditEvent._meta.db_table


@pytest.fixture
def app_role(transactional_db):
    """A login role with exactly the app's grants, dropped afterwards (roles outlive databases)."""
    role = f"sp_test_app_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        for statement in app_role_statements(role=role, create=True):
            cursor.execute(statement)
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


def _connect_as(role):
    settings = connection.settings_dict
    return psycopg2.connect(
        dbname=settings["NAME"],
        user=role,
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )


def _refused(app, statement) -> str:
    with app.cursor() as cursor:
        try:
            cursor.execute(statement)
        except psycopg2.Error as error:
            app.rollback()
            return error.pgcode  # type: ignore[return-value]
    app.rollback()
    return ""


@pytest.mark.postgres
def test_the_app_role_can_append_and_read_the_audit_trail_but_never_change_it(
    app_role, coordinator_x
):
    event = record_audit_event(actor=coordinator_x, action="view", object_type="patient")
    app = _connect_as(app_role)
    try:
        insufficient_privilege = "42501"
        assert {
            statement: _refused(app, statement)
            for statement in (
                f"UPDATE {TABLE} SET detail = 'x' WHERE id = {event.pk}",  # noqa: S608
                f"DELETE FROM {TABLE} WHERE id = {event.pk}",  # noqa: S608
                f"TRUNCATE {TABLE}",
                f"ALTER TABLE {TABLE} DISABLE TRIGGER accounts_auditevent_append_only",
                f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL",
                f"DROP TABLE {TABLE}",
            )
        } == {
            f"UPDATE {TABLE} SET detail = 'x' WHERE id = {event.pk}": insufficient_privilege,  # noqa: S608
            f"DELETE FROM {TABLE} WHERE id = {event.pk}": insufficient_privilege,  # noqa: S608
            f"TRUNCATE {TABLE}": insufficient_privilege,
            f"ALTER TABLE {TABLE} DISABLE TRIGGER accounts_auditevent_append_only": (
                insufficient_privilege
            ),
            f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL": insufficient_privilege,
            f"DROP TABLE {TABLE}": insufficient_privilege,
        }
        with app.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} (occurred_at, actor_label, action, object_type, object_id,"  # noqa: S608
                " patient_id, request_id, client_request_id, detail, previous_hash, hash,"
                " hash_scheme) VALUES (now(), '', 'view', 'patient', '', '', '', '', '', %s, %s,"
                " 2) RETURNING id",
                [event.hash, "f" * 64],
            )
            inserted = cursor.fetchone()[0]
            cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608
            assert cursor.fetchone()[0] == 2
            # Everything else stays the app's to change.
            cursor.execute("UPDATE accounts_user SET first_name = first_name")
        app.commit()
        assert AuditEvent.objects.filter(pk=inserted).exists()
    finally:
        app.close()


@pytest.mark.postgres
def test_create_database_roles_prints_the_grants_without_running_them(db, capsys):
    call_command("create_database_roles", "--app-role", "sp_app")
    out = capsys.readouterr().out
    assert (
        f'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "{TABLE}" FROM "sp_app";' in out
    )
    assert 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "sp_app"' in out
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_roles WHERE rolname = 'sp_app'")
        assert cursor.fetchone()[0] == 0
