"""An invented population at scale for the benchmark (`manage.py seed_scale`), written with
PostgreSQL COPY so 100k patients take minutes, not hours.

Everything is derived from one `random.Random(seed)`, so a seed gives the same rows every time;
times are relative to the moment of seeding (10k reviews are due in the next 24 hours). Counts
scale with `--patients` (100 000 is the benchmark's reference population).
"""

import datetime
import random
import time
import uuid
from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from community_services.models import (
    Location,
    Provider,
    Service,
    ServiceNeedDomain,
    ServiceSchedule,
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

from .scale_rows import (
    FAMILY_NAMES,
    GIVEN_NAMES,
    SCALE_EMAIL_DOMAIN,
    SERVICE_WORDS,
    SHOWCASE_COORDINATORS,
    STATUS_SHARES,
    Counts,
    SeedReport,
    TableWriter,
    nhs_numbers,
    referral_reference,
)
from .scale_seed_directory import directory, organisations_and_users
from .scale_seed_outcomes import seed_outcomes


class ScaleSeeder:
    # Set by organisations_and_users (scale_seed_directory), read by the steps after it.
    practices: list[int]
    teams: list[int]
    referrer_of: dict[int, int]
    coordinators_of: dict[int, list[int]]
    team_of: dict[int, int]
    vetter: int
    commissioner_org: int

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
        organisations_and_users(self)
        directory(self)
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
                    withdrawn = accepted + datetime.timedelta(days=2)
                    row["closed_at"] = withdrawn
                    trail.append((ReferralStatus.ACCEPTED, status, withdrawn))
            elif status == ReferralStatus.DECLINED:
                row["decline_reason"] = rng.choice(DeclineReason.values)
                declined = received + datetime.timedelta(days=1)
                row["closed_at"] = declined
                trail.append((ReferralStatus.RECEIVED, status, declined))
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
