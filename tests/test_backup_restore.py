"""Backups that restore: the documented commands (bin/backup-database, bin/restore-database) dump
the database, restore it into a fresh one, and the copy passes `verify_audit` against the same
checkpoints and serves a page."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from accounts.audit_chain import write_audit_checkpoint
from accounts.services import record_audit_event
from tests.referrals.factories import ReferralFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parent.parent


def _url(name: str) -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    return f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def _admin(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def test_a_backup_restores_into_a_fresh_database_that_verifies_and_serves_pages(
    coordinator_x, team_x, tmp_path, audit_checkpoint_file
):
    referral = ReferralFactory(team=team_x)
    for number in range(3):
        record_audit_event(
            actor=coordinator_x, action="view", object_type="referral", object_id=number
        )
    write_audit_checkpoint()
    dump = tmp_path / "backup.dump"
    copy_name = f"{connection.settings_dict['NAME']}_restored"
    env = {
        **os.environ,
        "DATABASE_URL": _url(connection.settings_dict["NAME"]),
        "AUDIT_CHECKPOINT_FILE": str(audit_checkpoint_file),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("DATABASE_MIGRATION_URL", None)
    subprocess.run([ROOT / "bin" / "backup-database", dump], env=env, check=True)  # noqa: S603
    _admin(f'DROP DATABASE IF EXISTS "{copy_name}"')
    _admin(f'CREATE DATABASE "{copy_name}"')
    try:
        subprocess.run(  # noqa: S603
            [ROOT / "bin" / "restore-database", dump, _url(copy_name)], env=env, check=True
        )
        on_copy = {**env, "DATABASE_URL": _url(copy_name)}
        verified = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "verify_audit"],
            cwd=ROOT,
            env=on_copy,
            capture_output=True,
            text=True,
            check=True,
        )
        assert "intact (3 events checked, 1 checkpoints" in verified.stdout
        page = subprocess.run(  # noqa: S603
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                _PAGE_LOAD.format(email=coordinator_x.email, reference=referral.reference),
            ],
            cwd=ROOT,
            # The test settings only for their static files storage (no collectstatic here).
            env={**on_copy, "DJANGO_SETTINGS_MODULE": "config.test_settings"},
            capture_output=True,
            text=True,
        )
        assert page.stdout.split()[-1:] == ["200"], page.stdout + page.stderr[-3000:]
    finally:
        connection.close()
        _admin(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)')


# A coordinator opens the referral's page on the restored copy (the test client, no server).
_PAGE_LOAD = """
from django.test import Client
from accounts.models import User
client = Client()
client.force_login(User.objects.get(email="{email}"))
print(client.get("/referrals/{reference}/", secure=True).status_code)
"""
