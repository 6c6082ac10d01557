"""The /hsds/ feed's query parameters, read once: a value we cannot read is a BadParameter naming
the parameter (a 400 in the shape every JSON error here has).

Paging is clamped, not refused: a `page` below 1 is page 1, a `per_page` below 1 is 1 and above
MAX_PER_PAGE is MAX_PER_PAGE, as the API description we publish (openapi_overlay.json) says. HSDS
3.0 declares both as any integer, and clients written against 0-based servers send page=0.
"""

import datetime
import re
import uuid
from dataclasses import dataclass

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from ..geography import BadPostcode, normalise_postcode

DEFAULT_PER_PAGE, MAX_PER_PAGE = 50, 200
# `minimal=true` asks for every service in one call: ids, names and dates are small.
MINIMAL_DEFAULT_PER_PAGE = MINIMAL_MAX_PER_PAGE = 10_000
FORMATS = ("json", "ndjson")
# Each parameter is read exactly as the overlay's schema for it says, so a value the schema
# refuses is refused here too (and one it allows is read), not guessed at.
INTEGER_RE = re.compile(r"^-?[0-9]{1,30}$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
DATE_TIME_RE = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
PROXIMITY_RE = re.compile(r"^[0-9]{1,9}(\.[0-9]{1,6})?$")
# Beyond half the Earth's circumference every point is near.
MAX_PROXIMITY_METRES = 20_037_509


class BadParameter(ValueError):
    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int

    @property
    def start(self) -> int:
        return (self.page - 1) * self.per_page


def _value(query: QueryDict, name: str) -> str:
    """The one value of a parameter given once (single_values refused repeats)."""
    return str(query.get(name, ""))


def _integer(query: QueryDict, name: str) -> int | None:
    if name not in query:
        return None
    raw = _value(query, name)
    if not INTEGER_RE.match(raw):
        raise BadParameter(name, f"{name} must be a whole number.")
    return int(raw)


def paging(
    query: QueryDict, *, default: int = DEFAULT_PER_PAGE, maximum: int = MAX_PER_PAGE
) -> Paging:
    page = _integer(query, "page")
    per_page = _integer(query, "per_page")
    return Paging(
        page=max(1, page if page is not None else 1),
        per_page=min(maximum, max(1, per_page if per_page is not None else default)),
    )


def boolean(query: QueryDict, name: str) -> bool:
    """true or false, as OpenAPI writes a boolean in a query string."""
    if name not in query:
        return False
    raw = _value(query, name)
    if raw not in ("true", "false"):
        raise BadParameter(name, f"{name} must be true or false.")
    return raw == "true"


def output_format(query: QueryDict) -> str:
    raw = query.get("format", "json")
    if raw not in FORMATS:
        raise BadParameter("format", "format must be json or ndjson.")
    return raw


def modified_after(query: QueryDict) -> datetime.datetime | None:
    """An RFC 3339 date-time, or a date (its midnight, local time)."""
    if "modified_after" not in query:
        return None
    raw = _value(query, "modified_after")
    moment = None
    try:
        if DATE_TIME_RE.match(raw):
            moment = parse_datetime(raw.upper())
        elif DATE_RE.match(raw) and (day := parse_date(raw)):
            moment = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:  # well-formed but not a real date, such as 2025-02-30
        moment = None
    if moment is None:
        raise BadParameter(
            "modified_after", "modified_after must be an ISO 8601 date or date and time."
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        # PostgreSQL takes offsets up to 15:59 only; RFC 3339 allows up to 23:59.
        return moment.astimezone(datetime.UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before the first UTC moment
        return datetime.datetime.min.replace(tzinfo=datetime.UTC)


def single_values(query: QueryDict) -> None:
    """Each parameter at most once: `page=1&page=2` is not a page."""
    for name, values in query.lists():
        if len(values) > 1:
            raise BadParameter(name, f"{name} is given more than once.")


def identifier(query: QueryDict, name: str) -> uuid.UUID | None:
    """An id filter. One that is not a UUID names nothing we publish: it matches nothing (a
    filter that matches nothing is an empty page, not an error)."""
    raw = query.get(name, "").strip()
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        return uuid.UUID(int=0)


def postcode(query: QueryDict) -> str:
    """A UK postcode, any case, with or without its one space."""
    if "postcode" not in query:
        return ""
    raw = _value(query, "postcode")
    try:
        if raw != raw.strip() or "  " in raw:
            raise BadPostcode(raw)
        return normalise_postcode(raw)
    except BadPostcode:
        raise BadParameter("postcode", "postcode must be a UK postcode such as NF1 1AB.") from None


def proximity(query: QueryDict) -> float | None:
    """Metres, as digits with an optional decimal part."""
    if "proximity" not in query:
        return None
    raw = _value(query, "proximity")
    if not PROXIMITY_RE.match(raw):
        raise BadParameter("proximity", "proximity must be a distance in metres, such as 1500.")
    return min(float(raw), MAX_PROXIMITY_METRES)
