"""The production smoke test's shared parts (bin/smoke_production.py): its settings, the
processes it starts (each stopped by pid), and what it reads back from the database and the mail
sink. Nothing here imports the app."""

import contextlib
import os
import signal
import subprocess
import time
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import psycopg2
from smoke_journey import SmokeFailure

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
PG = os.environ.get("SMOKE_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("SMOKE_DATABASE", "sp_smoke")
REDIS_URL = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/15")
NGINX_PORT = int(os.environ.get("SMOKE_NGINX_PORT", "18100"))
APP_PORTS = [int(p) for p in os.environ.get("SMOKE_APP_PORTS", "18101,18102").split(",")]
SMTP_PORT = int(os.environ.get("SMOKE_SMTP_PORT", "18125"))
BACKLOG = int(os.environ.get("SMOKE_BACKLOG_REFERRALS", "100"))
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - the demo cast's, synthetic
DEMO_TOTP_SECRET = "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF"  # noqa: S105 - the demo cast's
WORKER_CONCURRENCY = 2


def log(message: str) -> None:
    print(f"[smoke {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Processes:
    """What the smoke started: each in its own session, stopped by pid (its process group)."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        output = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603
            argv, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started[name] = process
        log(f"started {name} (pid {process.pid})")
        return process

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.started[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)
        log(f"{name} (pid {process.pid}) stopped with signal {sig}")

    def stop_all(self) -> None:
        for name, process in reversed(list(self.started.items())):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=15)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=5)
                log(f"stopped {name} (pid {process.pid})")


def wait_for(what: str, condition, timeout: float, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise SmokeFailure(f"timed out after {timeout:.0f} s waiting for {what}")


def query(sql: str) -> list[tuple]:
    connection = psycopg2.connect(f"{PG}/{DB_NAME}")
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        connection.close()


def reminder_counts() -> dict[str, int]:
    return dict(
        query(
            "SELECT status, count(*) FROM accounts_reminder WHERE channel = 'email' GROUP BY status"
        )
    )


def last_sweep() -> tuple[int, int | None]:
    """The newest referral_waiting run: its id and, once finished, how many it created."""
    rows = query(
        "SELECT id, CASE WHEN finished_at IS NULL THEN NULL ELSE created_count END "
        "FROM accounts_jobrun WHERE kind = 'referral_waiting' ORDER BY id DESC LIMIT 1"
    )
    return rows[0] if rows else (0, None)


def sent_email_references() -> set[str]:
    connection = psycopg2.connect(f"{PG}/{DB_NAME}")
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reference::text FROM accounts_reminder "
                "WHERE channel = 'email' AND status = 'sent'"
            )
            return {row[0] for row in cursor.fetchall()}
    finally:
        connection.close()


def mailbox(directory: Path) -> list[dict]:
    messages = []
    for path in sorted(directory.glob("*.eml")):
        parsed = message_from_bytes(path.read_bytes())
        messages.append(
            {
                "to": parsed.get("To", ""),
                "subject": str(make_header(decode_header(parsed.get("Subject", "")))),
                "reminder": parsed.get("X-Reminder-ID", ""),
            }
        )
    return messages
