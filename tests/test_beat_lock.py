"""Two beat processes (celery-redbeat, as deploy/ runs them on two machines): only the one holding
the lock schedules, so each periodic job runs once per period; when it dies, the other takes over.

The beats run config.settings against a Redis database of their own (the suite's broker is db 0
and its caches the next ones), with the reminder-recovery job every 2 seconds; no worker runs, so
every job sent stays on the queue to be counted.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings

pytestmark = pytest.mark.redis

PERIOD = 2
JOB = "accounts.recover_reminders"


@pytest.fixture
def beat_redis_url():
    base, _, _ = settings.REDIS_URL.rpartition("/")
    url = f"{base}/14"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()


def _start_beat(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _jobs_sent(client: redis.Redis) -> int:
    """Messages of the recovery job waiting on the default queue."""
    return sum(json.loads(raw)["headers"]["task"] == JOB for raw in client.lrange("celery", 0, -1))


def _wait_for(condition, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_two_beats_send_each_periodic_job_once_per_period_and_the_standby_takes_over(
    beat_redis_url, tmp_path
):
    env = {
        **os.environ,
        "REDIS_URL": beat_redis_url,
        "VAR_DIR": str(tmp_path),
        "BEAT_KEY_PREFIX": f"test-beat-{uuid.uuid4().hex[:8]}",
        "REMINDER_RECOVER_EVERY_SECONDS": str(PERIOD),
        "BEAT_LOCK_TIMEOUT_SECONDS": "4",
        "BEAT_MAX_LOOP_INTERVAL_SECONDS": "1",
    }
    client = redis.Redis.from_url(beat_redis_url)
    first = _start_beat(env, tmp_path / "beat-1.log")
    second = None
    try:
        _wait_for(lambda: _jobs_sent(client) >= 1, timeout=60)
        second = _start_beat(env, tmp_path / "beat-2.log")
        time.sleep(4)  # the second beat is up and waiting for the lock

        window = 5 * PERIOD
        before = _jobs_sent(client)
        time.sleep(window)
        both_running = _jobs_sent(client) - before
        # One beat sends 5 in 10 s; two beats without the lock would send 10.
        assert window / PERIOD - 1 <= both_running <= window / PERIOD + 1, both_running
        assert second.poll() is None, "the standby beat exited"

        os.killpg(first.pid, signal.SIGKILL)  # no clean release: the lock must time out
        first.wait(timeout=10)
        taken_over = _jobs_sent(client)
        _wait_for(lambda: _jobs_sent(client) >= taken_over + 2, timeout=30)
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
