"""The case-finding bench: patient search at 100k patients (target: 50 ms p95 at one user per
worker) and a 10,000-row case-finding import (target: under 30 s).

    .venv/bin/python bench/casefinding.py [--patients 100000] [--rows 10000] [--runs 200]

Uses its own PostgreSQL database (`sp_bench_casefinding`, created and migrated here; 100k
synthetic patients with referrals inserted by generate_series in seconds), production settings
(DEBUG off). The search is timed through the whole page (Django's test client in this process,
one request at a time: the session, the scoping, the ranked page with its total, the audit
writes); the import as the Celery worker runs it (confirm, then the import service). Results
go to bench/results/casefinding-<time>.json."""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
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
os.environ.pop("REDIS_URL", None)  # the import runs in-process: no broker needed
sys.path.insert(0, str(ROOT))

SEARCH_P95_MS = 50
IMPORT_SECONDS = 30
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


def seed(patients: int) -> None:
    """Teams, practices, a coordinator, and `patients` people each referred once (a tenth
    twice), spread over 10 teams: in SQL, so 100k take seconds."""
    from django.db import connection, transaction

    from accounts.models import Membership, Organisation, User
    from referrals.models import Patient, TeamCoverage

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
                """
                INSERT INTO referrals_patient (nhs_number, given_name, family_name, date_of_birth,
                    sex_or_gender, address, postcode, phone, email, preferred_contact_method,
                    interpreter_needed, language, accessible_formats, registered_practice_id,
                    consent_to_referral, consent_to_share, consent_to_sms, consent_to_email,
                    created_at, updated_at)
                SELECT '999' || lpad((4000000 + i)::text, 7, '0'),
                    (%(given)s::text[])[
                        1 + abs(hashtext('g' || i)) %% array_length(%(given)s::text[], 1)],
                    (%(family)s::text[])[
                        1 + abs(hashtext('f' || i)) %% array_length(%(family)s::text[], 1)]
                    || (%(suffix)s::text[])[
                        1 + abs(hashtext('s' || i)) %% array_length(%(suffix)s::text[], 1)],
                    date '1930-01-01' + (i * 37) %% 20000, '', '',
                    'LS' || (1 + i %% 20) || ' ' || (i %% 9)
                        || chr(65 + i %% 26) || chr(65 + (i / 26) %% 26),
                    '', '', 'phone', false, '', '', (%(practices)s::bigint[])[1 + i %% 20],
                    true, false, false, false, now(), now()
                FROM generate_series(1, %(count)s) AS i
                ON CONFLICT DO NOTHING
                """,
                {
                    "given": GIVEN,
                    "family": FAMILY,
                    "suffix": SUFFIX,
                    "count": patients,
                    "practices": [p.pk for p in practices],
                },
            )
            cursor.execute(
                """
                INSERT INTO referrals_referral (reference, patient_id, referring_practice_id,
                    referred_by_id, team_id, reasons, help_wanted, urgency, source,
                    identity_checked, referrer_name, referrer_relationship, referrer_contact,
                    risk_flag, risk_notes, access_needs, status, decline_reason,
                    first_contact_method, contact_attempts, outcome, outcome_summary, received_at)
                SELECT 'SP-B' || lpad(p.id::text, 7, '0') || '', p.id, p.registered_practice_id,
                    %(user)s, c.team_id, '["loneliness"]', 'Company.', 'routine', 'gp', true,
                    '', '', '', false, '', '',
                    (ARRAY['received','accepted','in_progress','closed','declined'])[1 + p.id %% 5],
                    '', '', 0, '', '', now() - (p.id %% 700) * interval '1 day'
                FROM referrals_patient p
                JOIN referrals_teamcoverage c ON c.practice_id = p.registered_practice_id
                ON CONFLICT DO NOTHING
                """,
                {"user": coordinator.pk},
            )
            cursor.execute("ANALYZE referrals_patient; ANALYZE referrals_referral;")


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


def bench_import(rows: int) -> dict:
    from accounts.models import Organisation, User
    from casefinding import services
    from casefinding.models import OutreachEntry
    from referrals.nhs_number import synthetic_numbers

    lead = User.objects.get(email="lead@bench.example")
    practice = Organisation.objects.get(name="Bench practice 0")
    numbers = synthetic_numbers(999_000_000 + random.randrange(0, 980) * 1000)  # noqa: S311
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
    text = "\n".join(lines) + "\n"
    started = time.perf_counter()
    checked = services.check_upload(by=lead, practice=practice, text=text)
    checked_at = time.perf_counter()
    upload = services.confirm_upload(by=lead, practice=practice, file_name="bench.csv", text=text)
    confirmed_at, cpu_started = time.perf_counter(), time.process_time()
    upload = services.import_upload(upload_id=upload.pk)
    finished, cpu_seconds = time.perf_counter(), time.process_time() - cpu_started
    again = services.confirm_upload(by=lead, practice=practice, file_name="bench.csv", text=text)
    again = services.import_upload(upload_id=again.pk)
    return {
        "rows": rows,
        "ready": checked.ready,
        "preview_check_seconds": round(checked_at - started, 2),
        "confirm_seconds": round(confirmed_at - checked_at, 2),
        "import_job_seconds": round(finished - confirmed_at, 2),
        "import_job_app_cpu_seconds": round(cpu_seconds, 2),
        "check_confirm_and_import_seconds": round(finished - started, 2),
        "created_entries": upload.created_entries,
        "reupload_created_entries": again.created_entries,
        "worklist_size": OutreachEntry.objects.filter(upload__practice=practice).count(),
        "target_seconds": IMPORT_SECONDS,
        "pass": finished - started < IMPORT_SECONDS and again.created_entries == 0,
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
