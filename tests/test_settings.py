import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _production_env() -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="referrals.example.org",
        DEBUG="0",
        # Real message backends: without them the checks warn (accounts.W001, W002).
        EMAIL_HOST="smtp.example.org",
        NOTIFY_API_KEY="test-key-not-real",
    )
    return env


def test_deploy_check_passes_with_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_settings_refuse_to_start_without_a_secret_in_production():
    env = _production_env()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_makemigrations_is_clean():
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env={**_production_env(), "DEBUG": "0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _run(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings_refuse_to_start_without_an_audit_key_in_production():
    env = {k: v for k, v in _production_env().items() if not k.startswith("AUDIT_HMAC_KEY")}
    result = _run(env, "check")
    assert result.returncode != 0
    assert "AUDIT_HMAC_KEY (or AUDIT_HMAC_KEY_FILE) must be set" in result.stderr


def test_the_audit_key_can_come_from_a_file_and_migrations_from_a_second_role(tmp_path):
    key_file = tmp_path / "audit.key"
    key_file.write_text(secrets.token_hex(32) + "\n")
    env = {k: v for k, v in _production_env().items() if not k.startswith("AUDIT_HMAC_KEY")}
    env.update(
        AUDIT_HMAC_KEY_FILE=str(key_file),
        DATABASE_MIGRATION_URL="postgres://sp_owner@db.example.org:5432/sp",
    )
    script = (
        "from django.conf import settings as s; "
        "print(s.AUDIT_HMAC_KEY, s.DATABASES['migration']['USER'], "
        "s.DATABASES['migration']['TEST']['MIRROR'])"
    )
    result = _run(env, "shell", "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        key_file.read_text().strip(),
        "sp_owner",
        "default",
    ]
