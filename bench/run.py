"""The benchmark: `make bench`, or `.venv/bin/python bench/run.py --help`.

1. Prepares PostgreSQL database `sp_bench` (create, migrate, `seed_scale` if empty, collectstatic).
2. Counts the SQL queries of each target with Django's test client in this process, and EXPLAINs
   the five most expensive ones (does the plan use an index? any seq scan on a table > 10k rows?).
3. Starts gunicorn (2 workers, DEBUG off) and drives it from a separate locust process as logged-in
   users, once per fixed concurrency (default 2, the worker count: service times; then 4:
   saturated, requests queue); p50/p95/p99, requests/s and each p95 ÷ the floor's p95 of the
   same pass, with each target's verdict.
4. The reminder sweep: 2 Celery workers on Redis db 15, the sweep task sent as beat would, timed
   until the last of the due reminders is marked sent; every email counted from the file backend.
5. FHIR notification latency (bench/fhir_notification.py): status change → Subscription
   notification at a local receiver, the worker idle. Every FHIR target's queries are EXPLAINed.
Results go to bench/results/<label>-<time>.json.
"""

import argparse
import csv
import datetime
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# Another name keeps a branch's migrations off the shared sp_bench (BENCH_DB=sp_bench_mine).
DB = os.environ.get("BENCH_DB", "sp_bench")
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DATABASE_URL": f"{PG}/{DB}",
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
    "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "AUDIT_HMAC_KEY": "bench-only-audit-hmac-key-0123456789-abcdefghijklmnop",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    # The floor and the targets share one user's throttle bucket; keep it out of the way.
    "API_THROTTLE_USER": "1000000/minute",
    "PYTHONPATH": str(ROOT),
}
sys.path.insert(0, str(ROOT))
from bench.explain import explain  # noqa: E402
from bench.fhir_explain import bench_provider, explain_fhir_targets  # noqa: E402
from bench.fhir_notification import notification_latency  # noqa: E402
from bench.report_table import print_table  # noqa: E402
from bench.report_targets import REPORT_P95_MS, REPORT_TARGETS, recount  # noqa: E402
from bench.sweep_phase import sweep  # noqa: E402
from bench.targets import (  # noqa: E402
    ABSOLUTE_P95_MS,
    DIRECTORY_NEAR,
    DIRECTORY_SEARCH,
    FHIR_GOAL_SEARCH,
    FHIR_OBSERVATION_SEARCH,
    FHIR_POLL_SINCE,
    FHIR_SERVICES_NEAR,
    HSDS_NEAR_POSTCODE,
    HSDS_ORGANIZATIONS,
    HSDS_SERVICE_AT_LOCATIONS,
    HSDS_SERVICES,
    LIMITS,
    MINIMUM_DATASET,
    REVIEW_CALENDAR,
    SERVICES_SEARCH,
    TARGETS,
    TRIAGE_FILTERED,
)


def manage(*args: str) -> None:
    subprocess.run([BIN / "python", "manage.py", *args], cwd=ROOT, env=ENV, check=True)


def prepare(patients: int) -> None:
    import psycopg2

    connection = psycopg2.connect(f"{PG}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{DB}"')
    connection.close()
    manage("migrate", "--no-input", "-v0")
    manage("seed_scale", "--patients", str(patients), "--if-empty")
    # What beat does hourly in production: the day summaries the report pages read.
    manage("refresh_report_summaries")
    manage("collectstatic", "--no-input", "-v0")


def setup_django() -> None:
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def make_plan(path: Path) -> dict:
    from django.db.models import Count

    from accounts.models import User
    from bench.scale_rows import SCALE_EMAIL_DOMAIN, SCALE_PASSWORD, SCALE_TOTP_SECRET
    from referrals.models import Referral

    coordinators = []
    for user in User.objects.filter(email__startswith="coordinator").order_by("email"):
        showcase = (
            Referral.objects.filter(assigned_to=user, status="in_progress")
            .annotate(n=Count("goals"))
            .filter(n=10)
            .first()
        )
        if showcase:
            coordinators.append(
                {"email": user.email, "case": showcase.reference, "referral": showcase.pk}
            )
    referrers = [
        {
            "email": user.email,
            "nhs_from": 999_800_000 + 10_000 * n + int(time.time()) % 5_000,
            "practice": str(user.memberships.get().organisation.public_id),
        }
        for n, user in enumerate(
            User.objects.filter(email__startswith="referrer").order_by("email")[:20]
        )
    ]
    provider_user, provider = bench_provider()
    plan = {
        "password": SCALE_PASSWORD,
        "totp_secret": SCALE_TOTP_SECRET,
        "coordinators": coordinators,
        "referrers": referrers,
        "directory_search": DIRECTORY_SEARCH,
        "triage_filtered": TRIAGE_FILTERED,
        "directory_near": DIRECTORY_NEAR,
        "services_search": SERVICES_SEARCH,
        "hsds_services": HSDS_SERVICES,
        "hsds_service_at_locations": HSDS_SERVICE_AT_LOCATIONS,
        "hsds_near_postcode": HSDS_NEAR_POSTCODE,
        "hsds_organizations": HSDS_ORGANIZATIONS,
        "fhir_services_near": FHIR_SERVICES_NEAR,
        "fhir_goal_search": FHIR_GOAL_SEARCH,
        "fhir_observation_search": FHIR_OBSERVATION_SEARCH,
        "report_reader": f"commissioner@{SCALE_EMAIL_DOMAIN}",
        "minimum_dataset_reader": f"manager0@{SCALE_EMAIL_DOMAIN}",
        "report_targets": REPORT_TARGETS,
        "provider": provider_user.email,
        "onward_task_search": onward_task_search_url(provider.public_id),
    }
    path.write_text(json.dumps(plan))
    return plan


def onward_task_search_url(provider: object) -> str:
    """A provider's system following its onward referrals, one page."""
    return f"/fhir/R4/Task?owner=Organization/{provider}&_count=50"


def fhir_poll_url(practice: str) -> str:
    return (
        f"/fhir/R4/Task?requester=Organization/{practice}&_lastUpdated=gt{FHIR_POLL_SINCE}"
        "&_count=50"
    )


def query_pass(plan: dict) -> tuple[dict, list, dict]:
    """Queries per target through the test client, EXPLAIN of the five most expensive, and of
    every query of each FHIR target."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    coordinator = User.objects.get(email=plan["coordinators"][0]["email"])
    referrer = User.objects.get(email=plan["referrers"][0]["email"])
    me = plan["coordinators"][0]
    staff, practice = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1")
    staff.force_login(coordinator)
    practice.force_login(referrer)
    gets = {
        "floor: ping": (staff, "/api/v1/ping/"),
        "page: triage queue": (staff, "/referrals/triage/"),
        "page: triage queue filtered": (staff, TRIAGE_FILTERED),
        "page: my caseload": (staff, "/coordinator/"),
        "page: case page": (staff, f"/cases/{me['case']}/"),
        "page: team review calendar": (staff, REVIEW_CALENDAR),
        "page: directory search": (staff, DIRECTORY_SEARCH),
        "page: directory search near a postcode": (staff, DIRECTORY_NEAR),
        "page: our referrals": (practice, "/practice/"),
        "page: our referrals, searched and filtered": (
            practice,
            "/practice/?q=smith&status=received",
        ),
        "api: referrals list": (staff, "/api/v1/referrals/"),
        "api: referral detail": (staff, f"/api/v1/referrals/{me['referral']}/"),
        "api: services search": (staff, SERVICES_SEARCH),
        "api: HSDS services page": (staff, HSDS_SERVICES),
        "api: HSDS service_at_locations page": (staff, HSDS_SERVICE_AT_LOCATIONS),
        "api: HSDS services near a postcode": (staff, HSDS_NEAR_POSTCODE),
        "api: HSDS organizations page": (staff, HSDS_ORGANIZATIONS),
        "fhir: Task polling": (practice, fhir_poll_url(plan["referrers"][0]["practice"])),
        "fhir: Task read": (staff, f"/fhir/R4/Task/{me['case']}"),
        "page: messages back": (practice, "/messages/"),
        "page: cases to discuss": (practice, "/cases-to-discuss/"),
        "fhir: HealthcareService near a postcode": (staff, FHIR_SERVICES_NEAR),
        "fhir: Goal search": (practice, FHIR_GOAL_SEARCH),
        "fhir: Observation search": (practice, FHIR_OBSERVATION_SEARCH),
    }
    provider_user, provider = bench_provider()
    onward = Client(HTTP_HOST="127.0.0.1")
    onward.force_login(provider_user)
    gets["fhir: onward Task search"] = (onward, onward_task_search_url(provider.public_id))
    manager = Client(HTTP_HOST="127.0.0.1")
    manager.force_login(User.objects.get(email=plan["minimum_dataset_reader"]))
    gets["export: minimum dataset JSON"] = (manager, MINIMUM_DATASET)
    counts, timed = {}, []
    for target, (client, url) in gets.items():
        client.get(url)  # warm: session activity, caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            if response.streaming:
                response.getvalue()
        if response.status_code != 200:
            raise RuntimeError(f"{target}: HTTP {response.status_code}")
        counts[target] = len(captured.captured_queries)
        timed += [(float(q["time"]), target, q["sql"]) for q in captured.captured_queries]
    reader = Client(HTTP_HOST="127.0.0.1")
    reader.force_login(User.objects.get(email=plan["report_reader"]))
    for target, url in REPORT_TARGETS.items():
        gets[target] = (reader, url)
        reader.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = reader.get(url)
            if response.streaming:
                response.getvalue()
        if response.status_code != 200:
            raise RuntimeError(f"{target}: HTTP {response.status_code}")
        counts[target] = len(captured.captured_queries)
        timed += [(float(q["time"]), target, q["sql"]) for q in captured.captured_queries]
    with CaptureQueriesContext(connection) as captured:
        response = practice.post(
            "/api/v1/referrals/",
            {
                "patient": {
                    "nhs_number": _fresh_nhs_number(),
                    "given_name": "Query",
                    "family_name": "Count",
                    "date_of_birth": "1950-01-01",
                    "consent_to_referral": True,
                },
                "reasons": ["loneliness"],
                "help_wanted": "Counting queries.",
            },
            content_type="application/json",
            headers={"Idempotency-Key": f"query-pass-{time.time()}"},
        )
    if response.status_code != 201:
        raise RuntimeError(f"api: referral create: HTTP {response.status_code} {response.content}")  # type: ignore[str-bytes-safe]
    counts["api: referral create"] = len(captured.captured_queries)
    return counts, explain(timed), explain_fhir_targets(timed)


def _fresh_nhs_number() -> str:
    """A valid number from the 999 test range no earlier run has used (a new patient)."""
    from referrals.nhs_number import check_digit

    nine = 999_600_000 + int(time.time() * 10) % 100_000  # the seed uses 999 000 000 up
    while (check := check_digit(f"{nine:09d}")) is None:
        nine += 1
    return f"{nine:09d}{check}"


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own local server
            return
        except Exception:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer")


def load(
    plan_path: Path,
    users: int,
    duration: int,
    port: int,
    workdir: Path,
    classes: tuple[str, ...] = ("Coordinator", "Referrer"),
    label: str = "",
) -> dict:
    gunicorn = subprocess.Popen(
        [BIN / "gunicorn", "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "-k", "sync"],
        cwd=ROOT,
        env=ENV,
        stdout=open(workdir / "gunicorn.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        subprocess.run(
            [
                BIN / "locust",
                "-f",
                ROOT / "bench" / "locustfile.py",
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--run-time",
                f"{duration}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                workdir / f"locust-{label}{users}",
                "--only-summary",
                "--loglevel",
                "WARNING",
                *classes,
            ],
            cwd=ROOT,
            env={**os.environ, "BENCH_PLAN": str(plan_path)},
            check=False,
        )
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(30)
    results = {}
    with open(workdir / f"locust-{label}{users}_stats.csv") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] in TARGETS or row["Name"] in REPORT_TARGETS:
                results[row["Name"]] = {
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "p50_ms": float(row["50%"]),
                    "p95_ms": float(row["95%"]),
                    "p99_ms": float(row["99%"]),
                    "rps": round(float(row["Requests/s"]), 2),
                }
    floor = results.get("floor: ping", {}).get("p95_ms") or 1
    for target, entry in results.items():
        if target in REPORT_TARGETS:
            entry["met"] = entry["failures"] == 0 and entry["p95_ms"] <= REPORT_P95_MS
            continue
        entry["p95_vs_floor"] = round(entry["p95_ms"] / floor, 2)
        entry["met"] = target == "floor: ping" or (
            entry["failures"] == 0
            and entry["p95_vs_floor"] <= LIMITS.get(target, 2.0)
            and entry["p95_ms"] <= ABSOLUTE_P95_MS.get(target, float("inf"))
        )
    return results


def machine() -> dict:
    memory = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(int(memory) / 1024 / 1024, 1),
        "cpu": platform.processor() or platform.machine(),
        "load_average_at_start": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument(
        "--users",
        default="2,4",
        help="virtual users, comma-separated: one load pass at each fixed concurrency",
    )
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--due", type=int, default=None, help="reviews due (default 10%% of N)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--label", default="run")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-sweep", action="store_true")
    parser.add_argument("--skip-notification", action="store_true")
    parser.add_argument("--notification-changes", type=int, default=30)
    args = parser.parse_args()
    prepare(args.patients)
    setup_django()
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    plan = make_plan(workdir / "plan.json")
    counts, worst, fhir_plans = query_pass(plan)
    result = {
        "label": args.label,
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "patients": args.patients,
        "users": [int(n) for n in args.users.split(",")],
        "duration_seconds": args.duration,
        "queries": counts,
        "explain": worst,
        "fhir_explain": fhir_plans,
        "load": {},
    }
    result["recount"] = recount(plan)
    if not args.skip_load:
        for users in result["users"]:
            result["load"][users] = load(
                workdir / "plan.json", users, args.duration, args.port, workdir
            )
        result["load"]["reports"] = load(
            workdir / "plan.json",
            2,
            args.duration,
            args.port,
            workdir,
            classes=("ReportReader",),
            label="reports-",
        )
    if not args.skip_sweep:
        result["sweep"] = sweep(
            args.due or max(1, args.patients // 10), workdir, env=ENV, root=ROOT, bin_dir=BIN
        )
    if not args.skip_notification:
        result["fhir_notification"] = notification_latency(
            args.notification_changes, workdir, env=ENV, root=ROOT, bin_dir=BIN, label=args.label
        )
    out = ROOT / "bench" / "results" / f"{args.label}-{result['at'][:19].replace(':', '')}.json"
    out.write_text(json.dumps(result, indent=2))
    print_table(result)
    print(f"\nWritten to {out.relative_to(ROOT)} (logs in {workdir})")


if __name__ == "__main__":
    main()
