"""Virtual users for bench/run.py: each logs in once through the real login form (password, then
the TOTP code for staff) and then requests its targets in random order. The plan (accounts, case
references, queries) comes from the JSON file named by BENCH_PLAN."""

import base64
import hashlib
import hmac
import itertools
import json
import os
import re
import struct
import time
import uuid

from locust import HttpUser, between, task
from locust.clients import HttpSession

from referrals.nhs_number import check_digit  # bench/run.py puts the project on PYTHONPATH

PLAN = json.loads(open(os.environ["BENCH_PLAN"]).read())  # noqa: SIM115
_coordinators = itertools.cycle(PLAN["coordinators"])
_referrers = itertools.cycle(PLAN["referrers"])
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def totp(secret: str, at: float | None = None) -> str:
    key = base64.b32decode(secret)
    counter = struct.pack(">Q", int(at or time.time()) // 30)
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def nhs_number(nine: int) -> str | None:
    """A valid number from nine digits, or None where no check digit exists."""
    check = check_digit(f"{nine:09d}")
    return None if check is None else f"{nine:09d}{check}"


class SignedIn(HttpUser):
    abstract = True
    wait_time = between(0, 0)

    def log_in(self, email: str, staff: bool, session: HttpSession | None = None) -> None:
        client = session or self.client
        page = client.get("/accounts/login/", name="login")
        token = _CSRF.search(page.text).group(1)  # type: ignore[union-attr]
        response = client.post(
            "/accounts/login/",
            {"login": email, "password": PLAN["password"], "csrfmiddlewaretoken": token},
            name="login",
        )
        if staff and "/2fa/" in response.url:
            token = _CSRF.search(response.text).group(1)  # type: ignore[union-attr]
            response = client.post(
                response.url,
                {"code": totp(PLAN["totp_secret"]), "csrfmiddlewaretoken": token},
                name="login",
            )
        if "sessionid" not in client.cookies:
            raise RuntimeError(f"Could not log in as {email}: {response.status_code}")

    def get(self, target: str, path: str, session: HttpSession | None = None) -> None:
        client = session or self.client
        with client.get(path, name=target, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{target}: HTTP {response.status_code}")

    @task(2)
    def floor(self):
        self.get("floor: ping", "/api/v1/ping/")


class Coordinator(SignedIn):
    weight = 3

    def on_start(self):
        self.me = next(_coordinators)
        self.log_in(self.me["email"], staff=True)

    @task
    def triage_queue(self):
        self.get("page: triage queue", "/referrals/triage/")

    @task
    def triage_queue_filtered(self):
        self.get("page: triage queue filtered", PLAN["triage_filtered"])

    @task
    def my_caseload(self):
        self.get("page: my caseload", "/coordinator/")

    @task
    def case_page(self):
        self.get("page: case page", f"/cases/{self.me['case']}/")

    @task
    def team_review_calendar(self):
        self.get("page: team review calendar", "/cases/reviews/calendar/?view=month")

    @task
    def directory_search(self):
        self.get("page: directory search", PLAN["directory_search"])

    @task
    def directory_search_near(self):
        self.get("page: directory search near a postcode", PLAN["directory_near"])

    @task
    def api_referrals_list(self):
        self.get("api: referrals list", "/api/v1/referrals/")

    @task
    def fhir_task_read(self):
        self.get("fhir: Task read", f"/fhir/R4/Task/{self.me['case']}")

    @task
    def api_referral_detail(self):
        self.get("api: referral detail", f"/api/v1/referrals/{self.me['referral']}/")

    @task
    def api_services_search(self):
        self.get("api: services search", PLAN["services_search"])

    @task
    def hsds_services(self):
        self.get("api: HSDS services page", PLAN["hsds_services"])

    @task
    def hsds_service_at_locations(self):
        self.get("api: HSDS service_at_locations page", PLAN["hsds_service_at_locations"])

    @task
    def hsds_near_postcode(self):
        self.get("api: HSDS services near a postcode", PLAN["hsds_near_postcode"])

    @task
    def hsds_organizations(self):
        self.get("api: HSDS organizations page", PLAN["hsds_organizations"])

    @task
    def fhir_services_near(self):
        self.get("fhir: HealthcareService near a postcode", PLAN["fhir_services_near"])


class Referrer(SignedIn):
    weight = 1

    def on_start(self):
        self.me = next(_referrers)
        self.log_in(self.me["email"], staff=False)
        self.numbers = (n for n in map(nhs_number, itertools.count(self.me["nhs_from"])) if n)
        # Beside the practice, a provider's system following its onward referrals: a second
        # signed-in session of this user, so every pass keeps its mix of users.
        self.provider = HttpSession(self.host, self.environment.events.request, self)
        self.log_in(PLAN["provider"], staff=False, session=self.provider)

    @task
    def our_referrals(self):
        self.get("page: our referrals", "/practice/")

    @task
    def messages_back(self):
        self.get("page: messages back", "/messages/")

    @task
    def cases_to_discuss(self):
        self.get("page: cases to discuss", "/cases-to-discuss/")

    @task
    def fhir_task_polling(self):
        self.get(
            "fhir: Task polling",
            f"/fhir/R4/Task?requester=Organization/{self.me['practice']}"
            "&_lastUpdated=gt2000-01-01T00:00:00Z&_count=50",
        )

    @task
    def fhir_goal_search(self):
        self.get("fhir: Goal search", PLAN["fhir_goal_search"])

    @task
    def fhir_onward_task_search(self):
        self.get("fhir: onward Task search", PLAN["onward_task_search"], session=self.provider)

    @task
    def fhir_observation_search(self):
        self.get("fhir: Observation search", PLAN["fhir_observation_search"])

    @task
    def referral_create(self):
        body = {
            "patient": {
                "nhs_number": next(self.numbers),
                "given_name": "Bench",
                "family_name": "Patient",
                "date_of_birth": "1950-05-05",
                "consent_to_referral": True,
            },
            "reasons": ["loneliness"],
            "help_wanted": "Meeting people.",
        }
        headers = {
            "Idempotency-Key": str(uuid.uuid4()),
            "X-CSRFToken": self.client.cookies.get("csrftoken", ""),
            "Referer": self.host + "/",
        }
        with self.client.post(
            "/api/v1/referrals/",
            json=body,
            headers=headers,
            name="api: referral create",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"create: HTTP {response.status_code} {response.text[:200]}")


class ReportReader(SignedIn):
    """The whole service's commissioner reading a year of reports and downloading a CSV
    (run on its own by bench/run.py's report pass: one user per worker)."""

    def on_start(self):
        self.log_in(PLAN["report_reader"], staff=False)

    @task
    def reports(self):
        for target, path in PLAN["report_targets"].items():
            self.get(target, path)
