"""Audited writes per second and the p95 wait for the audit chain's lock, at 1, 4 and 16
concurrent writers (threads, each with its own PostgreSQL connection, each a different user).

    .venv/bin/python bench/audit_append.py --label after [--seconds 5] [--hold-ms 2]

Each write is what an audited change does: one transaction that appends one event (taking the
lock of its chain) and then does the rest of its work while the lock is still held (simulated by
`pg_sleep(hold-ms)`, the time a change's other statements take before its commit). Creates and
migrates the database sp_audit_bench on first use; AUDIT_CHAIN_STREAMS (when the code has it)
chooses the number of chains. Results go to bench/results/audit-append-<label>-<time>.json.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = os.environ.get("AUDIT_BENCH_DATABASE", "sp_audit_bench")
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")


def _prepare_database() -> None:
    import psycopg2

    admin = psycopg2.connect(os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    admin.close()


def _writer(user, hold_seconds: float, stop: threading.Event, out: dict) -> None:
    from django.db import connection, transaction

    from accounts.services import record_audit_event

    lock_waits: list[float] = []

    def timing(execute, sql, params, many, context):
        if "pg_advisory_xact_lock" in sql:
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                lock_waits.append(time.perf_counter() - started)
        return execute(sql, params, many, context)

    writes = 0
    with connection.execute_wrapper(timing):
        while not stop.is_set():
            with transaction.atomic():
                record_audit_event(
                    actor=user,
                    action="view",
                    object_type="patient",
                    object_id=writes,
                    patient_id=writes,
                    detail="bench",
                )
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_sleep(%s)", [hold_seconds])
            writes += 1
    connection.close()
    out["writes"], out["lock_waits"] = writes, lock_waits


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_level(users, writers: int, seconds: float, hold_seconds: float) -> dict:
    stop = threading.Event()
    outputs: list[dict] = [{} for _ in range(writers)]
    threads = [
        threading.Thread(target=_writer, args=(users[i], hold_seconds, stop, outputs[i]))
        for i in range(writers)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    waits = [w for out in outputs for w in out["lock_waits"]]
    writes = sum(out["writes"] for out in outputs)
    return {
        "writers": writers,
        "writes": writes,
        "writes_per_second": round(writes / elapsed, 1),
        "lock_wait_p95_ms": round(_percentile(waits, 0.95) * 1000, 2),
        "lock_wait_median_ms": round(statistics.median(waits) * 1000, 2) if waits else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", default="run")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--hold-ms", type=float, default=2)
    parser.add_argument("--levels", default="1,4,16")
    options = parser.parse_args()

    _prepare_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from accounts.audit_chain import verify_audit_chain
    from accounts.models import User

    call_command("migrate", "--no-input", verbosity=0)
    users = [
        User.objects.get_or_create(email=f"bench-writer-{i}@bench.invalid")[0] for i in range(16)
    ]
    streams = getattr(settings, "AUDIT_CHAIN_STREAMS", 1)
    results = [
        run_level(users, int(level), options.seconds, options.hold_ms / 1000)
        for level in options.levels.split(",")
    ]
    verification = verify_audit_chain()
    report = {
        "label": options.label,
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "streams": streams,
        "hold_ms": options.hold_ms,
        "seconds_per_level": options.seconds,
        "levels": results,
        "chain_intact_after": verification.intact,
        "events_verified": verification.checked,
    }
    print(f"audit append, {streams} chain(s), {options.hold_ms} ms held after the append")
    print(f"{'writers':>8} {'writes/s':>10} {'p95 lock wait ms':>17} {'median ms':>10}")
    for row in results:
        print(
            f"{row['writers']:>8} {row['writes_per_second']:>10} "
            f"{row['lock_wait_p95_ms']:>17} {row['lock_wait_median_ms']:>10}"
        )
    print(f"chain intact after the run: {verification.intact} ({verification.checked} events)")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H%M%S")
    target = ROOT / "bench" / "results" / f"audit-append-{options.label}-{stamp}.json"
    target.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
