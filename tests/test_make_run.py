"""`make run` on a fresh machine: the app's own database is SQLite (no server needed), so the
migrations, the demo data and every role's pages must work there too, not only on the
PostgreSQL the rest of the suite uses. Two regressions reached main unseen before this test:
an index SQLite cannot create and a UNION SQLite refuses."""

import os
import subprocess
import sys

from tests.test_settings import ROOT, _run

# Each demo login's pages, as `make run` serves them (DEBUG on, SQLite, no Redis).
WALK = r"""
import django
django.setup()
from django.test import Client
from django.urls import reverse
from accounts.models import User

PAGES = {
    "referrer@demo.example": [
        "referrals:practice-home", "referrals:new", "casefinding:uploads", "casefinding:upload",
        "gp_messages:list",
    ],
    "coordinator@demo.example": [
        "coordinators:home", "coordinators:closed-cases", "coordinators:all-cases",
        "referrals:triage", "coordinators:upcoming-reviews", "coordinators:review-calendar",
        "casefinding:worklist", "community_services:directory-search",
    ],
    "manager@demo.example": [
        "coordinators:team-home", "reports:home", "reports:definitions", "accounts:audit-list",
        "accounts:people", "gp_messages:cases-to-discuss",
    ],
    "vetter@demo.example": ["community_services:vetter-home", "community_services:service-list"],
    "provider@demo.example": ["referrals:provider-home", "community_services:provider-services"],
    "council@demo.example": ["referrals:self-referral"],
    "commissioner@demo.example": ["reports:home"],
}
SEARCHES = ["smith", "9990000018", "1/1/1950", "LS1 4AB"]
failed = []
for email, names in PAGES.items():
    client = Client()
    client.force_login(User.objects.get(email=email))
    for name in names:
        status = client.get(reverse(name)).status_code
        if status != 200:
            failed.append(f"{email} {name}: {status}")
    if email == "coordinator@demo.example":
        for q in SEARCHES:
            response = client.get(reverse("referrals:patient-search"), {"q": q})
            if response.status_code != 200:
                failed.append(f"{email} patient search {q!r}: {response.status_code}")
for name in ["referrals:self-referral", "healthz", "accounts:no-role"]:
    status = Client().get(reverse(name)).status_code
    if status not in (200, 302):
        failed.append(f"anonymous {name}: {status}")
print("\n".join(failed) or "all pages answered")
sys.exit(1 if failed else 0)
"""


def test_make_run_builds_its_sqlite_database_seeds_the_demo_and_serves_every_role(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "AUDIT_HMAC_KEY"}
        and not key.startswith("DJANGO_")
    }
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    for step in (["migrate", "--no-input", "-v0"], ["seed_demo"]):
        done = _run(env, *step)
        assert done.returncode == 0, f"manage.py {step[0]} failed:\n{done.stderr[-3000:]}"
    assert "Coordinator  coordinator@demo.example" in done.stdout
    walked = subprocess.run(
        [sys.executable, "-c", "import sys\n" + WALK],
        cwd=ROOT,
        env={**env, "ALLOWED_HOSTS": "testserver"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert walked.returncode == 0, walked.stdout[-3000:] + walked.stderr[-3000:]
