"""The benchmark population's fixed parts: its credentials, names and shares, how its counts
scale with the number of patients, and the COPY writer every table goes through."""

import datetime
import io
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, models

from referrals.models import (
    ReferralStatus,
)
from referrals.nhs_number import check_digit

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
