"""The reminder sweep of the benchmark: exactly `due` reviews fall due, two Celery workers on
the benchmark's Redis send them as beat would, timed from the tick to the last one sent, each
email counted from the file backend (exactly once)."""

import datetime
import re
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

SWEEP_SECONDS = 30  # 10k due reminders, tick to the last one sent, each exactly once


def retime_due_reviews(due: int) -> None:
    """Make exactly `due` scheduled reviews fall in the next 24 hours, whenever the seed ran,
    and forget earlier runs' review reminders so the sweep has them all to do again."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM accounts_notification WHERE reminder_id IN "
            "(SELECT id FROM accounts_reminder WHERE kind = 'review_due')"
        )
        cursor.execute("DELETE FROM accounts_reminder WHERE kind = 'review_due'")
        cursor.execute(
            """
            WITH due AS (
                SELECT r.id FROM coordinators_review r
                JOIN referrals_referral c ON c.id = r.referral_id
                WHERE r.status = 'scheduled' AND c.status IN ('accepted', 'in_progress')
                  AND c.assigned_to_id IS NOT NULL
                ORDER BY r.id LIMIT %s
            )
            UPDATE coordinators_review SET scheduled_for = CASE
                WHEN id IN (SELECT id FROM due)
                THEN now() + interval '30 minutes' + (id %% 1300) * interval '1 minute'
                WHEN scheduled_for BETWEEN now() AND now() + interval '25 hours'
                THEN now() + interval '3 days'
                ELSE scheduled_for END
            WHERE status = 'scheduled'
            """,
            [due],
        )
    from coordinators.services import refresh_next_reviews
    from referrals.models import Referral

    refresh_next_reviews(cases=Referral.objects.open_cases())


def sweep(due: int, workdir: Path, *, env: dict, root: Path, bin_dir: Path) -> dict:
    from django.db.models import Max

    from accounts.models import Reminder
    from config.celery import app

    retime_due_reviews(due)
    mail_dir = workdir / "mail"
    mail_dir.mkdir()
    env = {
        **env,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    app.control.purge()
    worker = subprocess.Popen(
        [
            bin_dir / "celery",
            "-A",
            "config",
            "worker",
            "-c",
            "2",
            "-l",
            "WARNING",
            "-n",
            "bench@%h",
        ],
        cwd=root,
        env=env,
        stdout=open(workdir / "celery.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=1) and time.monotonic() < deadline:
            time.sleep(0.5)
        started = datetime.datetime.now(datetime.UTC)
        ticked = time.monotonic()
        app.send_task("coordinators.sweep_review_due")
        emails = Reminder.objects.filter(kind="review_due", channel="email")
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            total = emails.count()
            if total >= due and not emails.exclude(status="sent").exists():
                break
            time.sleep(0.5)
        waited = time.monotonic() - ticked
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)
    span = emails.aggregate(last=Max("sent_at"))
    sent_ids: Counter[str] = Counter()
    for file in mail_dir.iterdir():
        sent_ids.update(re.findall(r"^X-Reminder-ID: (\S+)$", file.read_text(), re.MULTILINE))
    seconds = (span["last"] - started).total_seconds() if span["last"] else waited
    result = {
        "due_reviews": due,
        "email_reminders": emails.count(),
        "sent": emails.filter(status="sent").count(),
        "emails_in_backend": sum(sent_ids.values()),
        "sent_more_than_once": sum(1 for n in sent_ids.values() if n > 1),
        "in_app_notifications": Reminder.objects.filter(
            kind="review_due", channel="in_app", status="sent"
        ).count(),
        "seconds_tick_to_last_sent": round(seconds, 2),
        "reminders_per_second": round(emails.count() / seconds, 1) if seconds else None,
    }
    result["met"] = (
        result["sent"] == result["emails_in_backend"] == due
        and result["sent_more_than_once"] == 0
        and result["seconds_tick_to_last_sent"] <= SWEEP_SECONDS  # type: ignore[operator]
    )
    return result
