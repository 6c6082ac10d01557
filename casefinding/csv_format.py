"""The case-finding list's CSV format, and checking every row before anything is saved.

Pure functions over the file's text: the preview shows what they found, and the import job
takes only the rows they passed. The format is documented in README.md (Case-finding lists)
with an example in docs/case-finding-example.csv."""

import csv
import dataclasses
import datetime
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from common.input_limits import NOTE_MAX_LENGTH, validate_date_of_birth
from referrals.nhs_number import normalise, validate_nhs_number

from .models import EfiCategory

REQUIRED_COLUMNS = ("nhs_number", "given_name", "family_name", "date_of_birth")
OPTIONAL_COLUMNS = (
    "sex",
    "postcode",
    "phone",
    "email",
    "address",
    "efi_score",
    "efi_category",
    "long_term_conditions",
    "admissions_last_12_months",
    "reason",
    "ethnic_category",
)
# NHS Data Dictionary ethnic category codes (A–S), Z "not stated": for the uptake figures.
ETHNIC_CATEGORIES = frozenset("ABCDEFGHJKLMNPRSZ")
COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
_LENGTHS = {
    "given_name": 100,
    "family_name": 100,
    "sex": 50,
    "postcode": 10,
    "phone": 30,
    "email": 254,
    "address": 500,
    "reason": NOTE_MAX_LENGTH,
}


class WrongColumns(ValueError):
    """The file's header is not the format: the message names what is wrong."""


@dataclasses.dataclass(frozen=True)
class BadRow:
    line: int
    problems: tuple[str, ...]


@dataclasses.dataclass
class CheckedList:
    """What the preview shows: the rows ready to import, the bad ones by line, and the
    people already open with the team (skipped, not an error)."""

    rows: list[dict]
    bad: list[BadRow]
    already_open: list[int]  # line numbers
    total: int

    @property
    def ready(self) -> int:
        return len(self.rows)


def efi_category_for(score: Decimal) -> str:
    if score <= Decimal("0.12"):
        return EfiCategory.FIT
    if score <= Decimal("0.24"):
        return EfiCategory.MILD
    if score <= Decimal("0.36"):
        return EfiCategory.MODERATE
    return EfiCategory.SEVERE


def read_rows(text: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header and each row with its line number (the header is line 1). A header that
    is not the format raises WrongColumns naming the missing and the unknown columns."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(
                "missing column" + ("s" if len(missing) > 1 else "") + ": " + ", ".join(missing)
            )
        if unknown:
            parts.append(
                "unknown column"
                + ("s" if len(unknown) > 1 else "")
                + ": "
                + ", ".join(name or "(blank)" for name in unknown)
            )
        raise WrongColumns(
            "This file does not have the case-finding columns (" + "; ".join(parts) + "). "
            "The first line must name the columns: " + ", ".join(COLUMNS) + "."
        )
    reader.fieldnames = header
    rows = []
    for row in reader:
        if None in row:
            row.pop(None)  # more cells than columns: reported by check_row
            row["_extra_cells"] = True
        rows.append((reader.line_num, row))
    return header, rows


def check_row(raw: dict, *, today: datetime.date | None = None) -> tuple[dict, list[str]]:
    """One row's values, cleaned, and what is wrong with it (in the practice's words)."""
    problems: list[str] = []
    value = {name: (raw.get(name) or "").strip() for name in COLUMNS}
    if raw.get("_extra_cells"):
        problems.append("more cells than columns")
    row: dict = {}
    number = normalise(value["nhs_number"])
    try:
        validate_nhs_number(number)
        row["nhs_number"] = number
    except ValidationError as exc:
        problems.append(f"nhs_number: {exc.messages[0]}")
    for name in ("given_name", "family_name"):
        if not value[name]:
            problems.append(f"{name}: is empty")
    for name, limit in _LENGTHS.items():
        if len(value[name]) > limit:
            problems.append(f"{name}: longer than {limit} characters")
        row[name] = value[name][:limit]
    row["date_of_birth"] = _date(value["date_of_birth"], problems, today=today)
    if value["email"]:
        try:
            validate_email(value["email"])
        except ValidationError:
            problems.append("email: not an email address")
    score = None
    if value["efi_score"]:
        try:
            score = Decimal(value["efi_score"])
            if not Decimal(0) <= score <= Decimal(1):
                raise InvalidOperation
        except InvalidOperation:
            problems.append("efi_score: not a number from 0 to 1")
            score = None
    row["efi_score"] = str(score) if score is not None else None
    category = value["efi_category"].lower()
    if category and category not in EfiCategory.values:
        problems.append("efi_category: use fit, mild, moderate or severe")
        category = ""
    row["efi_category"] = category or (efi_category_for(score) if score is not None else "")
    for name in ("long_term_conditions", "admissions_last_12_months"):
        row[name] = _count(name, value[name], problems)
    ethnic = value["ethnic_category"].upper()
    if ethnic and ethnic not in ETHNIC_CATEGORIES:
        problems.append("ethnic_category: use an NHS ethnic category code, A to S, or Z")
        ethnic = ""
    row["ethnic_category"] = ethnic
    return row, problems


def _date(text: str, problems: list[str], *, today: datetime.date | None) -> str | None:
    if not text:
        problems.append("date_of_birth: is empty")
        return None
    day = _parse_day(text)
    if day is None:
        problems.append("date_of_birth: not a date (use 1948-03-15 or 15/03/1948)")
        return None
    try:
        validate_date_of_birth(day, today=today)
    except ValidationError as exc:
        problems.append(f"date_of_birth: {exc.messages[0]}")
        return None
    return day.isoformat()


def _parse_day(text: str) -> datetime.date | None:
    parts = text.split("-") if "-" in text else list(reversed(text.split("/")))
    if len(parts) != 3 or not all(part.isdigit() for part in parts) or len(parts[0]) != 4:
        return None
    try:
        return datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def _count(name: str, text: str, problems: list[str]) -> int | None:
    if not text:
        return None
    if not text.isdigit() or int(text) > 1000:
        problems.append(f"{name}: not a whole number")
        return None
    return int(text)


def check_list(text: str, *, open_nhs_numbers: set[str]) -> CheckedList:
    """Every row checked: bad rows by line with each reason, repeats of an NHS number
    earlier in the file, and people the team already has open (`open_nhs_numbers`)."""
    _, raw_rows = read_rows(text)
    rows, bad, already_open = [], [], []
    first_line: dict[str, int] = {}
    today = timezone.localdate()
    for line, raw in raw_rows:
        row, problems = check_row(raw, today=today)
        number = row.get("nhs_number")
        if number and number in first_line:
            problems.append(f"the same NHS number as line {first_line[number]}")
        elif number:
            first_line[number] = line
        if problems:
            bad.append(BadRow(line=line, problems=tuple(problems)))
        elif number in open_nhs_numbers:
            already_open.append(line)
        else:
            rows.append({"line": line, **row})
    return CheckedList(rows=rows, bad=bad, already_open=already_open, total=len(raw_rows))
