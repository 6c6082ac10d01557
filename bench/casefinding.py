"""The case-finding bench: patient search at N patients (target at 100k: 50 ms p95 at one user
per worker) and a 10,000-row case-finding import end to end (target: under 30 s).

    BENCH_CASEFINDING_DB=sp_bench_mine BENCH_REDIS_URL=redis://127.0.0.1:6379/15 \\
        .venv/bin/python bench/casefinding.py [--patients 100000] [--rows 10000] [--runs 200]

Uses its own PostgreSQL database (BENCH_CASEFINDING_DB, default `sp_bench_casefinding`, created
and migrated here; N synthetic patients with referrals inserted by generate_series in seconds)
and production settings (DEBUG off). The search is timed through the whole page (Django's test
client in this process, one request at a time: the session, the scoping, the ranked page with
its total, the audit writes). The import is timed as the practice lead lives it: the file
posted and checked (the preview), confirmed, and imported by the Celery task on a real worker
(started here, solo pool, on a queue of its own on BENCH_REDIS_URL) while the page's progress
fragment is polled until it is done; then the same file again, which must add nothing. Results
go to bench/results/casefinding-<time>.json."""

import argparse
import contextlib
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_CASEFINDING_DB", "sp_bench_casefinding")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"{PG}/{DB}",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "AUDIT_HMAC_KEY": "bench-only-audit-hmac-key-0123456789-abcdefghijklmnop",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        # One request at a time through the page: the second factor is not what is measured.
        "MFA_REQUIRED_ROLES": "",
    }
)
# The import runs as in production: a Celery worker (started here) takes the task from Redis,
# on a queue of this run's own, so no other worker on the broker takes it.
QUEUE = f"bench-casefinding-{uuid.uuid4().hex[:8]}"
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ["BENCH_CELERY_QUEUE"] = QUEUE
sys.path.insert(0, str(ROOT))

SEARCH_P95_MS = 50
IMPORT_SECONDS = 30
POLL_SECONDS = 0.25
GIVEN = [
    "Margaret",
    "Albert",
    "Edna",
    "Harold",
    "Winifred",
    "Arthur",
    "Doris",
    "Stanley",
    "Ivy",
    "Cyril",
    "Mabel",
    "Leonard",
    "Gladys",
    "Walter",
    "Elsie",
    "Norman",
    "Hilda",
    "Reginald",
    "Olive",
    "Clifford",
    "Aisha",
    "Mohammed",
    "Priya",
    "Tomasz",
    "Chen",
    "Olumide",
    "Siobhan",
]
FAMILY = [
    "Thistlewood",
    "Fairweather",
    "Quayle",
    "Oddie",
    "Pennington",
    "Ashworth",
    "Blackburn",
    "Crowther",
    "Dewhurst",
    "Entwistle",
    "Fothergill",
    "Greenhalgh",
    "Hargreaves",
    "Illingworth",
    "Jagger",
    "Kershaw",
    "Lumb",
    "Murgatroyd",
    "Nuttall",
    "Ormerod",
    "Pickles",
    "Rishworth",
    "Sutcliffe",
    "Tattersall",
    "Uttley",
    "Verity",
    "Whiteley",
    "Yeadon",
    "Khan",
    "Patel",
    "Nowak",
    "Wong",
    "Adeyemi",
    "O'Brien",
    "Hughes",
    "Evans",
    "Smith",
    "Jones",
    "Taylor",
]
# Family names are FAMILY × SUFFIX (780 of them, 21k full names over 100k people) so a name is
# not shared by thousands, as no real population's is.
SUFFIX = [
    "",
    "s",
    "son",
    "ley",
    "ton",
    "by",
    "er",
    "well",
    "wood",
    "field",
    "ham",
    "worth",
    "croft",
    "dale",
    "more",
    "ford",
    "hurst",
    "low",
    "shaw",
    "ridge",
]
QUERIES = [
    "margaret thistlewood",
    "thistlewod margret",
    "crowther",
    "harold pickles",
    "sutcliffe 1940-03-15",
    "999 000 4321",
    "LS6 2AB",
    "adeyemi olumide",
]


def prepare(patients: int) -> None:
    import psycopg2

    connection = psycopg2.connect(f"{PG}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{DB}"')
    connection.close()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--no-input", "-v0")
    call_command("collectstatic", "--no-input", "-v0")
    seed(patients)


def _insert_select(model, given: dict[str, str], rest: str, params: dict) -> tuple[str, dict]:
    """INSERT ... SELECT for `model` with the SQL expressions `given` (by field name), every
    other column its default (NULL, "", the field's default, now() for auto_now): a column
    added to the model later needs no change here unless it must differ per row."""
    from django.db import connection

    columns, values, params = [], [], dict(params)
    for field in model._meta.concrete_fields:
        if field.primary_key or field.generated:
            continue
        columns.append(field.column)
        if field.name in given:
            values.append(given[field.name])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append("now()")
        elif field.null:
            values.append("NULL")
        elif field.is_relation:
            raise SystemExit(f"the bench must give {model.__name__}.{field.name}")
        else:
            params[f"default_{field.column}"] = field.get_db_prep_save(
                field.get_default(), connection
            )
            values.append(f"%(default_{field.column})s")
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)} "
    return sql + rest, params


def seed(patients: int) -> None:
    """Teams, practices, a coordinator, a practice lead, and `patients` people each referred
    once, spread over 10 teams: in SQL, so 100k take seconds."""
    from django.db import connection, transaction

    from accounts.models import Membership, Organisation, User
    from referrals.models import Patient, Referral, TeamCoverage

    if Patient.objects.count() >= patients:
        return
    with transaction.atomic():
        teams = [
            Organisation.objects.get_or_create(name=f"Bench team {n}", kind="coordinator_team")[0]
            for n in range(10)
        ]
        practices = []
        for n in range(20):
            practice = Organisation.objects.get_or_create(
                name=f"Bench practice {n}", kind="gp_practice"
            )[0]
            TeamCoverage.objects.get_or_create(practice=practice, defaults={"team": teams[n % 10]})
            practices.append(practice)
        coordinator, _ = User.objects.get_or_create(email="coordinator@bench.example")
        Membership.objects.get_or_create(
            user=coordinator, organisation=teams[0], role="coordinator"
        )
        lead, _ = User.objects.get_or_create(email="lead@bench.example")
        Membership.objects.get_or_create(
            user=lead,
            organisation=practices[0],
            role="referrer",
            defaults={"is_practice_lead": True},
        )
        with connection.cursor() as cursor:
            cursor.execute(
                *_insert_select(
                    Patient,
                    {
                        "nhs_number": "'999' || lpad((4000000 + i)::text, 7, '0')",
                        "given_name": """(%(given)s::text[])[
                            1 + abs(hashtext('g' || i)) %% array_length(%(given)s::text[], 1)]""",
                        "family_name": """(%(family)s::text[])[
                            1 + abs(hashtext('f' || i)) %% array_length(%(family)s::text[], 1)]
                            || (%(suffix)s::text[])[
                            1 + abs(hashtext('s' || i)) %% array_length(%(suffix)s::text[], 1)]""",
                        "date_of_birth": "date '1930-01-01' + (i * 37) %% 20000",
                        "postcode": """'LS' || (1 + i %% 20) || ' ' || (i %% 9)
                            || chr(65 + i %% 26) || chr(65 + (i / 26) %% 26)""",
                        "registered_practice": "(%(practices)s::bigint[])[1 + i %% 20]",
                        "consent_to_referral": "true",
                    },
                    "FROM generate_series(1, %(count)s) AS i ON CONFLICT DO NOTHING",
                    {
                        "given": GIVEN,
                        "family": FAMILY,
                        "suffix": SUFFIX,
                        "count": patients,
                        "practices": [p.pk for p in practices],
                    },
                )
            )
            cursor.execute(
                *_insert_select(
                    Referral,
                    {
                        "reference": "'SP-B' || lpad(p.id::text, 7, '0')",
                        "patient": "p.id",
                        "referring_practice": "p.registered_practice_id",
                        "referred_by": "%(user)s",
                        "team": "c.team_id",
                        "reasons": """'["loneliness"]'""",
                        "help_wanted": "'Company.'",
                        "status": """(ARRAY['received','accepted','in_progress','closed',
                            'declined'])[1 + p.id %% 5]""",
                        "received_at": "now() - (p.id %% 700) * interval '1 day'",
                    },
                    """FROM referrals_patient p
                    JOIN referrals_teamcoverage c ON c.practice_id = p.registered_practice_id
                    ON CONFLICT DO NOTHING""",
                    {"user": coordinator.pk},
                )
            )
    # As autovacuum leaves a live database: statistics, and the visibility map that lets the
    # search read a team's patients from the index alone (VACUUM cannot run in a transaction).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE referrals_patient")
        cursor.execute("VACUUM ANALYZE referrals_referral")


def _ok(response) -> None:
    if response.status_code != 200:
        raise SystemExit(f"search answered {response.status_code}")


def bench_search(runs: int) -> dict:
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="coordinator@bench.example"))
    url = reverse("referrals:patient-search")
    for query in QUERIES:  # warm the caches and the plans
        _ok(client.get(url, {"q": query}))
    floor = []  # the same client on the lightest page: what any request costs on this machine
    for _ in range(runs // 2):
        started = time.perf_counter()
        client.get("/healthz")
        floor.append((time.perf_counter() - started) * 1000)
    floor_p95 = statistics.quantiles(floor, n=100)[94]
    timings: list[float] = []
    per_query: dict[str, list[float]] = {}
    cpu_started = time.process_time()
    for n in range(runs):
        query = QUERIES[n % len(QUERIES)]
        started = time.perf_counter()
        response = client.get(url, {"q": query})
        elapsed = (time.perf_counter() - started) * 1000
        _ok(response)
        timings.append(elapsed)
        per_query.setdefault(query, []).append(elapsed)
    cpu_ms = (time.process_time() - cpu_started) * 1000 / runs
    p95 = statistics.quantiles(timings, n=100)[94]
    return {
        "runs": runs,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(max(timings), 1),
        "per_query_p50_ms": {q: round(statistics.median(t), 1) for q, t in per_query.items()},
        "app_cpu_ms_per_search": round(cpu_ms, 1),
        "floor_healthz_p50_ms": round(statistics.median(floor), 1),
        "floor_healthz_p95_ms": round(floor_p95, 1),
        "p95_over_floor_p95": round(p95 / floor_p95, 2),
        "target_p95_ms": SEARCH_P95_MS,
        "pass": p95 <= SEARCH_P95_MS,
    }


def _bench_csv(rows: int) -> bytes:
    from django.db.models import Max

    from referrals.models import Patient
    from referrals.nhs_number import synthetic_numbers

    # Numbers above any patient's yet, so each run's list is new people (a random block could
    # meet an earlier run's, whose patients were then already open with the team).
    highest = Patient.objects.filter(nhs_number__startswith="999").aggregate(
        highest=Max("nhs_number")
    )["highest"]
    numbers = synthetic_numbers(int(highest[:9]) + 1 if highest else 999_000_000)
    lines = [
        "nhs_number,given_name,family_name,date_of_birth,postcode,efi_score,"
        "long_term_conditions,admissions_last_12_months,reason"
    ]
    for i in range(rows):
        lines.append(
            f"{next(numbers)},{GIVEN[i % len(GIVEN)]},{FAMILY[i % len(FAMILY)]},"
            f"19{30 + i % 60}-0{1 + i % 9}-1{i % 9},LS{1 + i % 20} 1AB,0.{10 + i % 80},"
            f"{i % 8},{i % 4},Frailty search"
        )
    return ("\n".join(lines) + "\n").encode()


def _cpu_seconds(pid: int) -> float:
    """A process's user and system CPU so far (Linux), to set the worker's work beside the
    wall time on a shared machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def _celery_worker() -> Iterator[subprocess.Popen]:
    """One real worker (solo pool: one task at a time, as each of production's processes) on
    this bench's own queue (bench.settings routes there), stopped by its pid afterwards."""
    from config.celery import ping

    log = tempfile.NamedTemporaryFile(prefix="bench-casefinding-worker-", suffix=".log")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-n", f"{QUEUE}@%h"],
        cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        ping.apply_async().get(timeout=120)  # the worker is consuming
        yield worker
    except BaseException:
        log.seek(0)
        sys.stderr.write(log.read().decode(errors="replace")[-4000:])
        raise
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()


def _upload_through_the_pages(client, content: bytes, worker: subprocess.Popen) -> dict:
    """As the practice lead does it: post the file (checked, the preview shown), confirm (the
    import task enqueued on commit), then poll the progress fragment, as htmx does, until
    the worker has finished."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from casefinding.models import CaseFindingUpload

    started = time.perf_counter()
    preview = client.post(
        reverse("casefinding:upload"),
        {"file": SimpleUploadedFile("bench.csv", content, content_type="text/csv")},
    )
    if preview.status_code != 200:
        raise SystemExit(f"the preview answered {preview.status_code}")
    previewed = time.perf_counter()
    counts = {
        name.decode(): int(value.decode().replace(",", ""))
        for name, value in re.findall(rb'data-testid="count-(\w+)">([\d,]+)<', preview.content)
    }
    token = re.search(rb'name="token" value="([0-9a-f]{64})"', preview.content)
    if not token:  # nothing to import: every row is already with the team
        return {
            "status": "nothing to import",
            "preview_counts": counts,
            "preview_seconds": round(previewed - started, 2),
            "end_to_end_seconds": round(previewed - started, 2),
            "created_entries": 0,
        }
    cpu_before = _cpu_seconds(worker.pid)
    confirmed = client.post(reverse("casefinding:confirm"), {"token": token.group(1).decode()})
    if confirmed.status_code != 302:
        raise SystemExit(f"confirming answered {confirmed.status_code}")
    confirmed_at = time.perf_counter()
    pk = int(confirmed["Location"].rstrip("/").rsplit("/", 1)[1])
    progress = reverse("casefinding:upload-progress", args=[pk])
    polls = 0
    while True:
        if client.get(progress).status_code != 200:
            raise SystemExit("the progress fragment failed")
        polls += 1
        upload = CaseFindingUpload.objects.defer("rows").get(pk=pk)
        if upload.finished:
            break
        if worker.poll() is not None:
            raise SystemExit("the Celery worker stopped")
        if time.perf_counter() - confirmed_at > 600:
            raise SystemExit("the import took over 10 minutes")
        time.sleep(POLL_SECONDS)
    finished = time.perf_counter()
    return {
        "status": upload.status,
        "preview_counts": counts,
        "preview_seconds": round(previewed - started, 2),
        "confirm_seconds": round(confirmed_at - previewed, 2),
        "confirmed_to_done_seconds": round(finished - confirmed_at, 2),
        "end_to_end_seconds": round(finished - started, 2),
        "worker_cpu_seconds": round(_cpu_seconds(worker.pid) - cpu_before, 2),
        "progress_polls": polls,
        "created_entries": upload.created_entries,
        "patients_created": upload.patients_created,
    }


def bench_import(rows: int) -> dict:
    """A `rows`-row list end to end: through the pages and the Celery task on a real worker
    and broker; then the same file again, which must add nothing."""
    from django.test import Client

    from accounts.models import User
    from casefinding.models import OutreachEntry

    client = Client()
    client.force_login(User.objects.get(email="lead@bench.example"))
    content = _bench_csv(rows)
    with _celery_worker() as worker:
        first = _upload_through_the_pages(client, content, worker)
        again = _upload_through_the_pages(client, content, worker)
    return {
        "rows": rows,
        **first,
        "poll_interval_seconds": POLL_SECONDS,
        "reupload_preview_counts": again["preview_counts"],
        "reupload_created_entries": again["created_entries"],
        "reupload_end_to_end_seconds": again["end_to_end_seconds"],
        "worklist_size": OutreachEntry.objects.filter(
            upload__practice__name="Bench practice 0"
        ).count(),
        "target_seconds": IMPORT_SECONDS,
        "pass": first["status"] == "done"
        and first["created_entries"] == rows
        and first["end_to_end_seconds"] < IMPORT_SECONDS
        and again["created_entries"] == 0
        and again["preview_counts"].get("open") == rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    options = parser.parse_args()
    prepare(options.patients)
    from referrals.models import Patient

    result = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "patients": Patient.objects.count(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "search": bench_search(options.runs),
        "import": bench_import(options.rows),
    }
    out = ROOT / "bench" / "results" / f"casefinding-{time.strftime('%Y-%m-%dT%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
