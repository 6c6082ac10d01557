"""HSDS documents back into the directory: one compiled service document checked and turned into
our fields (community_services.services.import_hsds_service saves it)."""

import datetime
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..models import DELIVERY_MODE_FIELDS, Capacity, Weekday
from .documents import BYDAY, CHARITY_SCHEME, COMPANY_SCHEME
from .taxonomy import NEED_DOMAIN_TAXONOMY, TERMS_BY_CODE, TERMS_BY_ID

_WAIT_RE = re.compile(r"^Waiting list(?:, about (\d+) weeks?)?$")


class HSDSRecordError(ValueError):
    """One record cannot be imported; the message says why."""


@dataclass
class ParsedService:
    public_id: uuid.UUID
    provider_id: uuid.UUID
    provider_fields: dict[str, Any]
    fields: dict[str, Any]
    need_domains: list[str] = field(default_factory=list)
    delivery_modes: list[str] = field(default_factory=list)
    locations: list[dict[str, Any]] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)
    modified_at: datetime.datetime | None = None


def record_id(document: Any) -> str:
    return str(document.get("id", "(no id)")) if isinstance(document, dict) else "(not an object)"


def _uuid(value: Any, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError):
        raise HSDSRecordError(f"{what} {value!r} is not a UUID") from None


def _text(document: dict, key: str, *, required: bool = False, what: str = "") -> str:
    value = document.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise HSDSRecordError(f"{what or key} must be text")
    if required and not value.strip():
        raise HSDSRecordError(f"{what or key} is required")
    return value.strip()


def _age(document: dict, key: str) -> int | None:
    value = document.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or value > 150:
        raise HSDSRecordError(f"{key} must be an age between 0 and 150")
    return int(value)


def _time(value: Any, what: str) -> datetime.time:
    try:
        return datetime.time.fromisoformat(str(value))
    except ValueError:
        raise HSDSRecordError(f"{what} {value!r} is not a time like 09:30") from None


def _coordinate(value: Any, what: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise HSDSRecordError(f"{what} must be a number") from None


def parse_service_document(document: Any) -> ParsedService:
    """Check one compiled HSDS service and turn it into our fields; HSDSRecordError if not."""
    if not isinstance(document, dict):
        raise HSDSRecordError("a service must be a JSON object")
    public_id = _uuid(document.get("id"), "id")
    organization = document.get("organization")
    if not isinstance(organization, dict):
        raise HSDSRecordError("organization is required (a compiled service document)")
    provider_id = _uuid(organization.get("id"), "organization.id")
    identifiers = {
        item.get("identifier_scheme"): str(item.get("identifier", ""))
        for item in organization.get("organization_identifiers") or []
        if isinstance(item, dict)
    }
    phones = [p for p in organization.get("phones") or [] if isinstance(p, dict)]
    provider_fields = {
        "name": _text(organization, "name", required=True, what="organization.name"),
        "description": _text(
            organization, "description", required=True, what="organization.description"
        ),
        "email": _text(organization, "email", what="organization.email"),
        "website": _text(organization, "website", what="organization.website"),
        "phone": str(phones[0].get("number", "")) if phones else "",
        "charity_number": identifiers.get(CHARITY_SCHEME, ""),
        "company_number": identifiers.get(COMPANY_SCHEME, ""),
    }
    minimum_age, maximum_age = _age(document, "minimum_age"), _age(document, "maximum_age")
    if minimum_age is not None and maximum_age is not None and minimum_age > maximum_age:
        raise HSDSRecordError("minimum_age is greater than maximum_age")
    capacity, wait_weeks = Capacity.ACCEPTING, None
    wait_time = _text(document, "wait_time")
    if wait_time == Capacity.PAUSED.label:
        capacity = Capacity.PAUSED
    elif match := _WAIT_RE.match(wait_time):
        capacity = Capacity.WAITING_LIST
        wait_weeks = int(match.group(1)) if match.group(1) else None
    phones = [p for p in document.get("phones") or [] if isinstance(p, dict)]
    contacts = [c for c in document.get("contacts") or [] if isinstance(c, dict)]
    fields = {
        "name": _text(document, "name", required=True),
        "description": _text(document, "description", required=True),
        "website": _text(document, "url"),
        "email": _text(document, "email"),
        "how_to_access": _text(document, "application_process"),
        "fees_description": _text(document, "fees_description"),
        "eligibility_criteria": _text(document, "eligibility_description"),
        "minimum_age": minimum_age,
        "maximum_age": maximum_age,
        "capacity": capacity,
        "expected_wait_weeks": wait_weeks,
        "is_free": any(
            isinstance(option, dict) and option.get("amount") == 0
            for option in document.get("cost_options") or []
        ),
        "phone": str(phones[0].get("number", "")) if phones else "",
        "contact_name": str(contacts[0].get("name", "")) if contacts else "",
        "languages": ", ".join(
            str(language.get("name"))
            for language in document.get("languages") or []
            if isinstance(language, dict) and language.get("name")
        ),
    }
    need_domains, delivery_modes = [], []
    for attribute in document.get("attributes") or []:
        if not isinstance(attribute, dict):
            raise HSDSRecordError("attributes must be objects")
        term_data = attribute.get("taxonomy_term") or {}
        term = TERMS_BY_ID.get(str(attribute.get("taxonomy_term_id"))) or TERMS_BY_CODE.get(
            (term_data.get("taxonomy"), term_data.get("code"))  # type: ignore[arg-type]
        )
        if term is None:
            raise HSDSRecordError(
                f"unknown taxonomy term {attribute.get('taxonomy_term_id')!r}: use the terms "
                "of GET /hsds/taxonomy_terms"
            )
        if term.taxonomy == NEED_DOMAIN_TAXONOMY:
            need_domains.append(term.code)
        else:
            delivery_modes.append(term.code)
    if not need_domains:
        raise HSDSRecordError("at least one need domain attribute is required")
    modified_at = None
    if document.get("last_modified"):
        modified_at = parse_datetime(str(document["last_modified"]))
        if modified_at is None:
            raise HSDSRecordError(f"last_modified {document['last_modified']!r} is not a datetime")
        if timezone.is_naive(modified_at):
            modified_at = timezone.make_aware(modified_at, datetime.UTC)
    return ParsedService(
        public_id=public_id,
        provider_id=provider_id,
        provider_fields=provider_fields,
        fields=fields,
        need_domains=need_domains,
        delivery_modes=[m for m in delivery_modes if m in DELIVERY_MODE_FIELDS],
        locations=[_parse_location(item) for item in document.get("service_at_locations") or []],
        schedules=[_parse_schedule(item) for item in document.get("schedules") or []],
        modified_at=modified_at,
    )


def _date(value: Any, what: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise HSDSRecordError(f"{what} {value!r} is not a date like 2026-01-31") from None


def _parse_schedule(schedule: Any) -> dict[str, Any]:
    """A service's schedule (its session times); the model checks byday against freq."""
    if not isinstance(schedule, dict):
        raise HSDSRecordError("schedules must be objects")
    freq = schedule.get("freq") or "WEEKLY"
    if freq not in ("WEEKLY", "MONTHLY"):
        raise HSDSRecordError(f"schedule freq {freq!r} is not WEEKLY or MONTHLY")
    interval = schedule.get("interval") or 1
    if isinstance(interval, bool) or not isinstance(interval, int | float) or interval < 1:
        raise HSDSRecordError("schedule interval must be a whole number from 1")
    if not isinstance(schedule.get("byday"), str):
        raise HSDSRecordError("schedule byday is required (days such as TU or MO,TH)")
    return {
        "public_id": _uuid(schedule.get("id"), "schedule id"),
        "freq": freq,
        "interval": int(interval),
        "byday": schedule["byday"],
        "opens_at": _time(schedule.get("opens_at"), "opens_at"),
        "closes_at": _time(schedule.get("closes_at"), "closes_at"),
        "valid_from": _date(schedule.get("valid_from"), "valid_from"),
        "valid_to": _date(schedule.get("valid_to"), "valid_to"),
        "description": _text(schedule, "description"),
    }


def _parse_location(service_at_location: Any) -> dict[str, Any]:
    if not isinstance(service_at_location, dict) or not isinstance(
        service_at_location.get("location"), dict
    ):
        raise HSDSRecordError("each service_at_location needs a location object")
    location = service_at_location["location"]
    addresses = [a for a in location.get("addresses") or [] if isinstance(a, dict)]
    if not addresses:
        raise HSDSRecordError(f"location {location.get('id')} has no address")
    address = addresses[0]
    opening_times = []
    for schedule in service_at_location.get("schedules") or []:
        if not isinstance(schedule, dict) or schedule.get("byday") not in BYDAY:
            raise HSDSRecordError("schedules need a weekly byday of MO to SU")
        opens = _time(schedule.get("opens_at"), "opens_at")
        closes = _time(schedule.get("closes_at"), "closes_at")
        if opens >= closes:
            raise HSDSRecordError("a schedule must close after it opens")
        opening_times.append(
            {
                "public_id": _uuid(schedule.get("id"), "schedule id"),
                "weekday": Weekday(BYDAY.index(schedule["byday"])),
                "opens_at": opens,
                "closes_at": closes,
            }
        )
    return {
        "public_id": _uuid(location.get("id"), "location id"),
        "service_at_location_id": _uuid(service_at_location.get("id"), "service_at_location id"),
        "name": _text(location, "name"),
        "address_1": _text(address, "address_1", required=True, what="address_1"),
        "address_2": _text(address, "address_2"),
        "city": _text(address, "city", required=True, what="city"),
        "county": _text(address, "state_province"),
        "postcode": _text(address, "postal_code", required=True, what="postal_code"),
        "latitude": _coordinate(location.get("latitude"), "latitude"),
        "longitude": _coordinate(location.get("longitude"), "longitude"),
        "opening_times": opening_times,
    }
