"""Reminders through the real Redis broker and real workers, including workers killed with
SIGKILL in the middle of delivering."""

import datetime
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.models import JobRun, Notification, Reminder, ReminderStatus
from accounts.services import run_sweep
from config.celery import app
from referrals.services import sweep_referral_waiting
from tests.referrals.factories import ReferralFactory, TeamCoverageFactory

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _wait_for(condition, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def _old_referrals(practice_a, referrer_a, team_x, count: int):
    TeamCoverageFactory(practice=practice_a, team=team_x)
    received = timezone.now() - datetime.timedelta(days=10)
    return [
        ReferralFactory(
            referring_practice=practice_a,
            referred_by=referrer_a,
            team=team_x,
            received_at=received,
        )
        for _ in range(count)
    ]


def test_beats_sweep_goes_through_redis_to_a_worker_and_ends_as_an_email_and_a_notification(
    practice_a, referrer_a, team_x, coordinator_x, reminder_queue
):
    (referral,) = _old_referrals(practice_a, referrer_a, team_x, 1)
    entry = django_settings.CELERY_BEAT_SCHEDULE["sweep-referral-waiting"]
    with start_worker(
        app, pool="solo", perform_ping_check=False, queues=[reminder_queue], shutdown_timeout=10
    ):
        # Exactly what beat sends, on this test's own queue.
        result = app.send_task(entry["task"], queue=reminder_queue)
        assert result.get(timeout=30) == 2
        assert _wait_for(
            lambda: Reminder.objects.filter(channel="email", status=ReminderStatus.SENT).exists(),
            timeout=30,
        )
    (message,) = mail.outbox
    assert message.to == [coordinator_x.email]
    assert referral.reference in message.subject
    notification = Notification.objects.get(recipient=coordinator_x)
    assert notification.link == f"/referrals/{referral.reference}/"
    assert JobRun.objects.get(kind="referral_waiting").created_count == 2


# --- The fault test


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}{password}@{host}/{db['NAME']}"


def _start_worker(env: dict, queue: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "--pool=prefork",
            "--concurrency=2",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{log.stem}@%h",
        ],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: SIGKILL takes the pool children too
    )


def _outbox_references(outbox: Path) -> list[str]:
    references = []
    for path in outbox.iterdir():
        references += re.findall(r"^X-Reminder-ID: (\S+)$", path.read_text(), flags=re.M)
    return references


def test_workers_killed_while_delivering_leave_every_reminder_sent_exactly_once(
    practice_a, referrer_a, team_x, coordinator_x, manager, reminder_queue, tmp_path, settings
):
    kills_wanted, claim_timeout = 4, 4
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "0",
        "REDIS_URL": django_settings.REDIS_URL,
        "EMAIL_BACKEND": "tests.reminder_backends.SlowFileEmailBackend",
        "REMINDER_TEST_OUTBOX": str(outbox),
        "REMINDER_TEST_SEND_DELAY": "0.4",
        "REMINDER_QUEUE": reminder_queue,
        "REMINDER_TASK_SOFT_TIME_LIMIT": "2",
        "REMINDER_TASK_TIME_LIMIT": "3",
        "REMINDER_CLAIM_TIMEOUT_SECONDS": str(claim_timeout),
        "REMINDER_PENDING_GRACE_SECONDS": "5",
    }
    settings.REMINDER_CLAIM_TIMEOUT_SECONDS = claim_timeout
    # One reminder per task, so each kill finds tasks still queued for the next worker to take.
    settings.REMINDER_DELIVERY_BATCH_SIZE = 1
    _old_referrals(practice_a, referrer_a, team_x, 12)
    run_sweep(kind="referral_waiting", sweep=sweep_referral_waiting)
    due = {
        str(reference)
        for reference in Reminder.objects.filter(channel="email").values_list(
            "reference", flat=True
        )
    }
    assert len(due) == 24

    kills = 0
    rng = random.Random(7)  # noqa: S311 - timing jitter in a test
    started = time.monotonic()
    worker = None
    try:
        for n in range(kills_wanted):
            since = timezone.now()
            worker = _start_worker(env, reminder_queue, tmp_path / f"worker{n}.log")
            delivering = _wait_for(
                lambda since=since: Reminder.objects.filter(
                    status=ReminderStatus.CLAIMED, claimed_at__gte=since
                ).exists(),
                timeout=30,
                interval=0.05,
            )
            if not delivering:
                break  # everything already sent
            time.sleep(rng.uniform(0.05, 0.3))
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
            kills += 1
        worker = _start_worker(env, reminder_queue, tmp_path / "worker-final.log")

        def all_sent() -> bool:
            app.send_task("accounts.recover_reminders", queue=reminder_queue)
            return (
                not Reminder.objects.filter(channel="email")
                .exclude(status=ReminderStatus.SENT)
                .exists()
            )

        finished = _wait_for(all_sent, timeout=60, interval=2)
    finally:
        if worker and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=20)
    elapsed = time.monotonic() - started

    references = _outbox_references(outbox)
    delivered = set(references) & due
    duplicates = len(references) - len(set(references))
    lost = len(due - delivered)
    print(
        f"\nFault test: reminders due {len(due)}, kills {kills}, sent {len(references)}, "
        f"duplicates {duplicates}, lost {lost}, in {elapsed:.1f}s"
    )
    assert kills >= 3
    assert finished
    assert (duplicates, lost) == (0, 0)
    assert Reminder.objects.filter(channel="email", status=ReminderStatus.SENT).count() == 24
