"""An invented population at scale for the benchmark (`manage.py seed_scale`), written with
PostgreSQL COPY so 100k patients take minutes, not hours.

Everything is derived from one `random.Random(seed)`, so a seed gives the same rows every time;
times are relative to the moment of seeding (10k reviews are due in the next 24 hours). Counts
scale with `--patients` (100 000 is the benchmark's reference population).
"""

import datetime
import io
import json
import random
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Membership, Organisation, OrganisationKind, Role, User
from community_services.models import (
    Capacity,
    Location,
    Postcode,
    Provider,
    Service,
    ServiceNeedDomain,
    ServiceSchedule,
    ServiceStatus,
)
from community_services.need_domains import NeedDomain
from coordinators.models import (
    CaseEvent,
    CaseEventKind,
    Goal,
    GoalStatus,
    Review,
    ReviewMode,
    ReviewStatus,
    WellbeingMeasure,
)
from coordinators.services import refresh_next_reviews
from referrals.models import (
    ClosureOutcome,
    DeclineReason,
    Patient,
    Referral,
    ReferralEvent,
    ReferralPatientDetails,
    ReferralStatus,
    ServiceReferral,
    TeamCoverage,
    Urgency,
)
from referrals.nhs_number import check_digit

from .scale_seed_outcomes import seed_outcomes

SCALE_PASSWORD = "scale-bench-password-2026"  # noqa: S105 - synthetic benchmark accounts only
SCALE_TOTP_SECRET = "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF"  # noqa: S105 - synthetic, as the demo's
SCALE_EMAIL_DOMAIN = "scale.example"
REFERENCE_PATIENTS = 100_000
# Coordinators that get a showcase case (10 goals, 8 reviews, 60 timeline events): the benchmark's
# virtual coordinators each open their own.
SHOWCASE_COORDINATORS = 12

# Shares of referral statuses (sum 1): most referrals have become cases.
STATUS_SHARES = [
    (ReferralStatus.RECEIVED, 0.05),
    (ReferralStatus.ACCEPTED, 0.10),
    (ReferralStatus.IN_PROGRESS, 0.45),
    (ReferralStatus.CLOSED, 0.25),
    (ReferralStatus.DECLINED, 0.10),
    (ReferralStatus.PATIENT_DECLINED, 0.05),
]
GIVEN_NAMES = (
    "Ada Ben Cara Dev Ewa Finn Gita Hal Ines Jon Kit Lena Max Nia Omar Pia Raj Sam Tia Uma"
)
FAMILY_NAMES = "Ash Birch Cedar Dale Elm Fern Glen Heath Ivy Juniper Kerr Larch Moss Nash Oak Pine"
TOWNS = ["Northfield", "Riverside", "Hillview", "Eastbrook", "Westmere", "Southgate"]
SERVICE_WORDS = [
    "walking",
    "gardening",
    "choir",
    "coffee",
    "money",
    "debt",
    "benefits",
    "housing",
    "art",
    "craft",
    "digital",
    "computer",
    "carers",
    "bereavement",
    "yoga",
    "swimming",
    "cooking",
    "reading",
    "volunteering",
    "men's shed",
]
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class Counts:
    patients: int
    practices: int
    teams: int
    coordinators: int
    referrals: int
    goals: int
    reviews: int
    reviews_due_soon: int
    events: int
    services: int
    providers: int

    @classmethod
    def for_patients(cls, patients: int) -> "Counts":
        share = patients / REFERENCE_PATIENTS
        teams = max(2, round(6 * share))
        services = max(40, round(10_000 * share))
        return cls(
            patients=patients,
            practices=max(2, round(200 * share)),
            teams=teams,
            coordinators=max(2 * teams, round(60 * share)),
            referrals=round(1.2 * patients),
            goals=3 * patients,
            reviews=round(2.5 * patients),
            reviews_due_soon=max(1, round(10_000 * share)),
            events=5 * patients,
            services=services,
            providers=max(8, services // 5),
        )


@dataclass
class SeedReport:
    """Rows and seconds per table, for the command's output and the benchmark's JSON."""

    tables: dict[str, dict] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def add(self, table: str, rows: int, seconds: float) -> None:
        entry = self.tables.setdefault(table, {"rows": 0, "seconds": 0.0})
        entry["rows"] += rows
        entry["seconds"] = round(entry["seconds"] + seconds, 2)

    @property
    def total_seconds(self) -> float:
        return round(time.monotonic() - self.started, 2)


def _text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


class TableWriter:
    """COPY rows into one model's table; columns the caller leaves out get the field default."""

    BATCH = 50_000

    def __init__(self, model: type[models.Model], report: SeedReport, now: datetime.datetime):
        self.model = model
        self.report = report
        self.fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
        self.now = now

    def _default(self, f: models.Field):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            return self.now
        return f.get_default()

    def write(self, rows: Iterable[dict]) -> int:
        started = time.monotonic()
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        sql = f"COPY {connection.ops.quote_name(self.model._meta.db_table)} ({columns}) FROM STDIN"
        total = 0
        buffer = io.StringIO()
        with connection.cursor() as cursor:
            for row in rows:
                values = []
                for f in self.fields:
                    key = f.attname
                    values.append(_text(row[key] if key in row else self._default(f)))
                buffer.write("\t".join(values))
                buffer.write("\n")
                total += 1
                if total % self.BATCH == 0:
                    buffer.seek(0)
                    cursor.copy_expert(sql, buffer)
                    buffer = io.StringIO()
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)
        self.report.add(self.model._meta.db_table, total, time.monotonic() - started)
        return total


def nhs_numbers(count: int) -> list[str]:
    """Valid numbers from the 999 test range, in order (nine digits without a check digit skip)."""
    numbers: list[str] = []
    prefix = 999_000_000
    while len(numbers) < count:
        digits = str(prefix)
        check = check_digit(digits)
        if check is not None:
            numbers.append(f"{digits}{check}")
        prefix += 1
    return numbers


def referral_reference(index: int) -> str:
    """Distinct for every index (a bijection on 40 bits), readable like `new_reference()`."""
    value = (index * 0x9E3779B1 + 0x5DEECE66D) % (32**8)
    chars = []
    for _ in range(8):
        value, digit = divmod(value, 32)
        chars.append(REFERENCE_ALPHABET[digit])
    return "SP-" + "".join(chars)


class ScaleSeeder:
    def __init__(self, *, patients: int, seed: int, log: Callable[[str], None]):
        self.counts = Counts.for_patients(patients)
        self.rng = random.Random(seed)  # noqa: S311 - invented data, not security
        self.log = log
        self.now = timezone.now()
        self.report = SeedReport()
        self.ids: dict[str, int] = {}

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _next_id(self, model: type[models.Model]) -> int:
        key = model._meta.db_table
        if key not in self.ids:
            self.ids[key] = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1  # type: ignore[attr-defined]
        value = self.ids[key]
        self.ids[key] += 1
        return value

    def _write(self, model, rows) -> int:
        written = TableWriter(model, self.report, self.now).write(rows)
        self.log(f"{model._meta.db_table}: {written} rows")
        return written

    def _ago(self, days_min: float, days_max: float) -> datetime.datetime:
        return self.now - datetime.timedelta(days=self.rng.uniform(days_min, days_max))

    @transaction.atomic
    def run(self) -> SeedReport:
        self._organisations_and_users()
        self._directory()
        self._patients()
        self._referrals()
        self._casework()
        seed_outcomes(self, self._write, self._next_id)
        self._reset_sequences()
        return self.report

    def vacuum_analyze(self) -> None:
        """After COPY: statistics for the planner, and VACUUM so GIN indexes' pending lists are
        merged and index-only scans see an up-to-date visibility map (autovacuum would get
        there later; a benchmark straight after seeding would measure the backlog instead).
        Inside a caller's transaction (a test) only ANALYZE can run."""
        statement = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(statement)
        self.report.add(statement, 0, time.monotonic() - started)

    # --- organisations, users, memberships, authenticators

    def _organisations_and_users(self) -> None:
        c = self.counts
        orgs, users, memberships, authenticators = [], [], [], []
        password = make_password(SCALE_PASSWORD)
        secret = {"secret": encrypt(SCALE_TOTP_SECRET)}

        def org(name, kind, ods=""):
            pk = self._next_id(Organisation)
            orgs.append(
                {"id": pk, "public_id": self._uuid(), "name": name, "kind": kind, "ods_code": ods}
            )
            return pk

        def user(email, first, last, org_id, role, staff=False):
            pk = self._next_id(User)
            users.append(
                {
                    "id": pk,
                    "email": email,
                    "first_name": first,
                    "last_name": last,
                    "password": password,
                    "date_joined": self.now,
                }
            )
            memberships.append(
                {"id": self._next_id(Membership), "user_id": pk, "organisation_id": org_id}
                | {"role": role}
            )
            if staff:
                authenticators.append(
                    {
                        "id": self._next_id(Authenticator),
                        "user_id": pk,
                        "type": Authenticator.Type.TOTP,
                        "data": secret,
                        "created_at": self.now,
                    }
                )
            return pk

        self.practices = [
            org(f"Scale Practice {i:03d}", OrganisationKind.GP_PRACTICE, f"S{i:05d}")
            for i in range(c.practices)
        ]
        self.teams = [
            org(f"Scale Team {i + 1}", OrganisationKind.COORDINATOR_TEAM) for i in range(c.teams)
        ]
        directory = org("Scale Directory Team", OrganisationKind.DIRECTORY_TEAM)
        self.referrer_of = {
            practice: user(
                f"referrer{i:03d}@{SCALE_EMAIL_DOMAIN}",
                "Rae",
                f"Referrer {i}",
                practice,
                "referrer",
            )
            for i, practice in enumerate(self.practices)
        }
        self.coordinators_of: dict[int, list[int]] = {team: [] for team in self.teams}
        for i in range(c.coordinators):
            team = self.teams[i % c.teams]
            self.coordinators_of[team].append(
                user(
                    f"coordinator{i:02d}@{SCALE_EMAIL_DOMAIN}",
                    "Cal",
                    f"Coordinator {i}",
                    team,
                    Role.COORDINATOR,
                    staff=True,
                )
            )
        for i, team in enumerate(self.teams):
            user(f"manager{i}@{SCALE_EMAIL_DOMAIN}", "Mo", f"Manager {i}", team, Role.MANAGER, True)
        self.vetter = user(
            f"vetter@{SCALE_EMAIL_DOMAIN}", "Val", "Vetter", directory, "vetter", True
        )
        # The reports' whole-service reader: a commissioner of every team (no second factor).
        self.commissioner_org = org("Scale Commissioning Board", OrganisationKind.COMMISSIONER)
        user(
            f"commissioner@{SCALE_EMAIL_DOMAIN}",
            "Cy",
            "Commissioner",
            self.commissioner_org,
            Role.COMMISSIONER,
        )
        self._write(Organisation, orgs)
        self._write(User, users)
        self._write(Membership, memberships)
        self._write(Authenticator, authenticators)
        Organisation.commissioned_teams.through.objects.bulk_create(
            Organisation.commissioned_teams.through(
                from_organisation_id=self.commissioner_org, to_organisation_id=team
            )
            for team in self.teams
        )
        self.team_of = {p: self.teams[i % c.teams] for i, p in enumerate(self.practices)}
        self._write(
            TeamCoverage,
            (
                {"id": self._next_id(TeamCoverage), "practice_id": p, "team_id": t}
                for p, t in self.team_of.items()
            ),
        )

    # --- the directory

    def _directory(self) -> None:
        c, rng = self.counts, self.rng
        providers = [self._next_id(Provider) for _ in range(c.providers)]
        self._write(
            Provider,
            (
                {
                    "id": pk,
                    "public_id": self._uuid(),
                    "name": f"{rng.choice(TOWNS)} {rng.choice(SERVICE_WORDS).title()} Trust {i}",
                    "description": "An invented community organisation.",
                }
                for i, pk in enumerate(providers)
            ),
        )
        services, domains, locations, schedules = [], [], [], []
        postcodes: dict[str, tuple[float, float]] = {}
        domain_codes = list(NeedDomain.values)
        today = timezone.localdate()
        for i in range(c.services):
            pk = self._next_id(Service)
            roll = rng.random()
            status = (
                ServiceStatus.APPROVED
                if roll < 0.85
                else rng.choice([ServiceStatus.DRAFT, ServiceStatus.SUBMITTED, "suspended"])
            )
            words = rng.sample(SERVICE_WORDS, 3)
            services.append(
                {
                    "id": pk,
                    "public_id": self._uuid(),
                    "provider_id": providers[i % len(providers)],
                    "name": f"{words[0].title()} {words[1]} group {i}",
                    "description": f"A friendly {words[0]} and {words[2]} session in "
                    f"{rng.choice(TOWNS)}, open to adults.",
                    "is_free": rng.random() < 0.7,
                    "delivered_in_person": rng.random() < 0.8,
                    "delivered_by_phone": rng.random() < 0.3,
                    "delivered_online": rng.random() < 0.3,
                    "capacity": rng.choice(
                        [Capacity.ACCEPTING] * 8 + [Capacity.WAITING_LIST, Capacity.PAUSED]
                    ),
                    "status": status,
                    "vetted_until": today + datetime.timedelta(days=rng.randint(20, 700))
                    if status == ServiceStatus.APPROVED
                    else None,
                    "modified_at": self._ago(1, 400),
                }
            )
            for code in rng.sample(domain_codes, rng.randint(1, 3)):
                domains.append(
                    {"id": self._next_id(ServiceNeedDomain), "service_id": pk, "domain": code}
                )
            postcode = f"ZZ{rng.randint(1, 99)} {rng.randint(1, 9)}ZZ"
            latitude, longitude = round(rng.uniform(51, 54), 6), round(rng.uniform(-2.5, 0.5), 6)
            postcodes.setdefault(postcode, (latitude, longitude))
            locations.append(
                {
                    "id": self._next_id(Location),
                    "public_id": self._uuid(),
                    "service_at_location_id": self._uuid(),
                    "service_id": pk,
                    "name": f"{rng.choice(TOWNS)} community centre",
                    "address_1": f"{rng.randint(1, 200)} High Street",
                    "city": rng.choice(TOWNS),
                    "postcode": postcode,
                    "latitude": latitude,
                    "longitude": longitude,
                }
            )
            opens = rng.randint(9, 18)
            schedules.append(
                {
                    "id": self._next_id(ServiceSchedule),
                    "public_id": self._uuid(),
                    "service_id": pk,
                    "freq": "WEEKLY",
                    "interval": rng.choice([1, 1, 2]),
                    "byday": rng.choice(["MO", "TU", "WE", "TH", "FR", "TU,TH"]),
                    "opens_at": datetime.time(opens),
                    "closes_at": datetime.time(opens + 2),
                }
            )
        self._write(Service, services)
        self._write(ServiceNeedDomain, domains)
        self._write(Location, locations)
        self._write(ServiceSchedule, schedules)
        self._write(
            Postcode,
            (
                {"postcode": code, "latitude": lat, "longitude": lon}
                for code, (lat, lon) in sorted(postcodes.items())
            ),
        )
        started = time.monotonic()
        with connection.cursor() as cursor:
            # The same weighting as community_services.services._index_for_search.
            cursor.execute(
                """
                UPDATE community_services_service s
                SET search_vector =
                    setweight(to_tsvector('english', coalesce(s.name, '')), 'A')
                    || setweight(to_tsvector('english', coalesce(p.name, '')), 'B')
                    || setweight(to_tsvector('english', coalesce(s.description, '')), 'C')
                FROM community_services_provider p
                WHERE p.id = s.provider_id AND s.id >= %s
                """,
                [services[0]["id"]],  # type: ignore[list-item]
            )
        self.report.add("service search vectors", len(services), time.monotonic() - started)

    # --- patients

    def _patients(self) -> None:
        c, rng = self.counts, self.rng
        given, family = GIVEN_NAMES.split(), FAMILY_NAMES.split()
        self.patients = []
        rows = []
        for i, number in enumerate(nhs_numbers(c.patients)):
            pk = self._next_id(Patient)
            practice = self.practices[i % c.practices]
            self.patients.append((pk, practice))
            rows.append(
                {
                    "id": pk,
                    "nhs_number": number,
                    "given_name": rng.choice(given),
                    "family_name": rng.choice(family),
                    "date_of_birth": datetime.date(1930, 1, 1)
                    + datetime.timedelta(days=rng.randint(0, 27_000)),
                    "postcode": f"ZZ{rng.randint(1, 99)} {rng.randint(1, 9)}ZZ",
                    "registered_practice_id": practice,
                    "consent_to_referral": True,
                    "consent_to_referral_recorded_at": self.now,
                    "consent_to_referral_recorded_by_id": self.referrer_of[practice],
                }
            )
        self._write(Patient, rows)
        self.patient_rows = {row["id"]: row for row in rows}

    # --- referrals and their status events

    def _referrals(self) -> None:
        c, rng = self.counts, self.rng
        statuses = []
        for status, share in STATUS_SHARES:
            statuses += [status] * round(share * c.referrals)
        statuses = (statuses + [ReferralStatus.IN_PROGRESS] * c.referrals)[: c.referrals]
        rng.shuffle(statuses)
        referrals, events, details = [], [], []
        self.cases: list[dict] = []
        self.showcase: list[dict] = []
        reasons = list(NeedDomain.values)
        # The showcase cases are in progress and belong to the first coordinators of each team.
        waiting = [
            coordinator
            for group in zip(*self.coordinators_of.values(), strict=False)
            for coordinator in group
        ][:SHOWCASE_COORDINATORS]
        for i in range(c.referrals):
            pk = self._next_id(Referral)
            patient_id, practice = self.patients[i % len(self.patients)]
            team = self.team_of[practice]
            status = statuses[i]
            showcase_for = next((u for u in waiting if u in self.coordinators_of[team]), None)
            if showcase_for:
                waiting.remove(showcase_for)
                status = ReferralStatus.IN_PROGRESS
            received = (
                self._ago(0.1, 10) if status == ReferralStatus.RECEIVED else self._ago(30, 720)
            )
            row = {
                "id": pk,
                "reference": referral_reference(pk),
                "patient_id": patient_id,
                "referring_practice_id": practice,
                "referred_by_id": self.referrer_of[practice],
                "team_id": team,
                "reasons": rng.sample(reasons, rng.randint(1, 3)),
                "help_wanted": "Would like to get out more and meet people.",
                "urgency": Urgency.URGENT if rng.random() < 0.1 else Urgency.ROUTINE,
                "risk_flag": rng.random() < 0.05,
                "status": status,
                "received_at": received,
            }
            trail = [("", ReferralStatus.RECEIVED, received)]
            if status in (
                ReferralStatus.ACCEPTED,
                ReferralStatus.IN_PROGRESS,
                ReferralStatus.CLOSED,
                ReferralStatus.PATIENT_DECLINED,
            ):
                accepted = received + datetime.timedelta(days=rng.uniform(0.1, 3))
                row["accepted_at"] = accepted
                row["assigned_to_id"] = showcase_for or rng.choice(self.coordinators_of[team])
                trail.append((ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED, accepted))
                if status in (ReferralStatus.IN_PROGRESS, ReferralStatus.CLOSED):
                    contact = accepted + datetime.timedelta(days=rng.uniform(0.5, 7))
                    row["first_contact_at"] = contact
                    row["first_contact_method"] = "phone"
                    row["contact_attempts"] = 1
                    trail.append((ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, contact))
                if status == ReferralStatus.CLOSED:
                    closed = trail[-1][2] + datetime.timedelta(days=rng.uniform(20, 25))
                    row["closed_at"] = closed
                    row["outcome"] = rng.choice(ClosureOutcome.values)
                    trail.append((ReferralStatus.IN_PROGRESS, ReferralStatus.CLOSED, closed))
                if status == ReferralStatus.PATIENT_DECLINED:
                    row["closed_at"] = accepted + datetime.timedelta(days=2)
                    trail.append((ReferralStatus.ACCEPTED, status, row["closed_at"]))
            elif status == ReferralStatus.DECLINED:
                row["decline_reason"] = rng.choice(DeclineReason.values)
                row["closed_at"] = received + datetime.timedelta(days=1)
                trail.append((ReferralStatus.RECEIVED, status, row["closed_at"]))
            referrals.append(row)
            patient = self.patient_rows[patient_id]
            details.append(
                {
                    "id": self._next_id(ReferralPatientDetails),
                    "referral_id": pk,
                    "resolution": ReferralPatientDetails.Resolution.NONE_NEEDED,
                    "consent_to_referral": True,
                    **{
                        name: patient[name]
                        for name in (
                            "nhs_number",
                            "given_name",
                            "family_name",
                            "date_of_birth",
                            "postcode",
                        )
                    },
                }
            )
            for from_status, to_status, at in trail:
                events.append(
                    {
                        "id": self._next_id(ReferralEvent),
                        "referral_id": pk,
                        "actor_id": row.get("assigned_to_id") or row["referred_by_id"],
                        "occurred_at": at,
                        "from_status": from_status,
                        "to_status": to_status,
                    }
                )
            if status in (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, "closed"):
                case = {
                    "id": pk,
                    "open": status != ReferralStatus.CLOSED,
                    "coordinator": row["assigned_to_id"],
                    "start": row["accepted_at"],
                    "end": row.get("closed_at") or self.now,
                    "events": len(trail),
                }
                (self.showcase if showcase_for else self.cases).append(case)
        self._write(Referral, referrals)
        self._write(ReferralPatientDetails, details)
        self._write(ReferralEvent, events)
        self.referral_event_count = len(events)

    # --- casework: goals, reviews, case events

    def _casework(self) -> None:
        c, rng = self.counts, self.rng
        goals, reviews, case_events = [], [], []

        def between(case) -> datetime.datetime:
            span = (case["end"] - case["start"]).total_seconds()
            return case["start"] + datetime.timedelta(seconds=rng.uniform(0, max(span, 60)))

        def goal(case):
            goals.append(
                {
                    "id": self._next_id(Goal),
                    "referral_id": case["id"],
                    "statement": "I would like to " + rng.choice(SERVICE_WORDS) + " every week.",
                    "need_domain": rng.choice(NeedDomain.values),
                    "status": GoalStatus.ACTIVE if case["open"] else GoalStatus.ACHIEVED,
                    "created_by_id": case["coordinator"],
                    "created_at": between(case),
                }
            )

        def review(case, *, status, at):
            reviews.append(
                {
                    "id": self._next_id(Review),
                    "referral_id": case["id"],
                    "scheduled_for": at,
                    "mode": rng.choice(ReviewMode.values),
                    "status": status,
                    "scheduled_by_id": case["coordinator"],
                    "recorded_by_id": None
                    if status == ReviewStatus.SCHEDULED
                    else case["coordinator"],
                    "recorded_at": None if status == ReviewStatus.SCHEDULED else at,
                }
            )

        def past_review(case):
            review(
                case,
                status=rng.choice(["completed"] * 6 + ["missed", "cancelled"]),
                at=between(case),
            )

        def case_event(case):
            case_events.append(
                {
                    "id": self._next_id(CaseEvent),
                    "referral_id": case["id"],
                    "actor_id": case["coordinator"],
                    "occurred_at": between(case),
                    "kind": rng.choice(CaseEventKind.values),
                    "summary": "Casework recorded.",
                }
            )

        # The showcase cases first: exactly 10 goals, 8 reviews (one scheduled), 60 events.
        for case in self.showcase:
            for _ in range(10):
                goal(case)
            for _ in range(7):
                past_review(case)
            review(case, status=ReviewStatus.SCHEDULED, at=self.now + datetime.timedelta(days=9))
            for _ in range(60 - case["events"]):
                case_event(case)
        # One scheduled review per open case: the first ones due within 24 hours.
        open_cases = [case for case in self.cases if case["open"]]
        due_soon = min(c.reviews_due_soon, len(open_cases))
        for n, case in enumerate(open_cases):
            if n < due_soon:
                at = self.now + datetime.timedelta(minutes=rng.uniform(30, 23 * 60))
            elif rng.random() < 0.05:
                at = self.now - datetime.timedelta(days=rng.uniform(1, 10))
            else:
                at = self.now + datetime.timedelta(days=rng.uniform(2, 60))
            review(case, status=ReviewStatus.SCHEDULED, at=at)
        # The rest of each budget spread over the cases.
        for budget, make in (
            (c.goals - len(goals), goal),
            (c.reviews - len(reviews), past_review),
            (c.events - self.referral_event_count - len(case_events), case_event),
        ):
            for n in range(max(budget, 0)):
                make(self.cases[n % len(self.cases)] if self.cases else None)
        self._write(Goal, goals)
        self._write(Review, reviews)
        self._write(CaseEvent, case_events)
        started = time.monotonic()
        refreshed = refresh_next_reviews(
            cases=Referral.objects.filter(
                status__in=[ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS]
            )
        )
        self.report.add("referrals_referral.next_review_at", refreshed, time.monotonic() - started)

    def _reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(
            no_style(),
            [
                Organisation,
                User,
                Membership,
                Authenticator,
                TeamCoverage,
                Provider,
                Service,
                ServiceNeedDomain,
                Location,
                ServiceSchedule,
                Patient,
                Referral,
                ReferralPatientDetails,
                ReferralEvent,
                Goal,
                Review,
                CaseEvent,
                ServiceReferral,
                WellbeingMeasure,
            ],
        )
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def is_seeded() -> bool:
    return User.objects.filter(email=f"vetter@{SCALE_EMAIL_DOMAIN}").exists()


def seed_scale(*, patients: int, seed: int, log: Callable[[str], None]) -> SeedReport:
    if connection.vendor != "postgresql":
        raise RuntimeError("seed_scale writes with PostgreSQL COPY: point DATABASE_URL at one.")
    seeder = ScaleSeeder(patients=patients, seed=seed, log=log)
    report = seeder.run()
    seeder.vacuum_analyze()  # outside run()'s transaction: VACUUM cannot run inside one
    return report
