"""Open Referral HSDS 3.0: our directory as HSDS documents, and HSDS documents back into it.

Ids HSDS needs for things we keep as plain fields (a service's phone, its languages, an address)
are derived with uuid5 from the owning record's id, so they are stable across exports and an
export → import → export round trip gives the same documents.
"""

import datetime
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import DELIVERY_MODE_FIELDS, Capacity, DeliveryMode, Provider, Service, Weekday
from .need_domains import NeedDomain

HSDS_VERSION = "3.0"
HSDS_PROFILE_URL = "https://docs.openreferral.org/en/latest/hsds/"
HSDS_OPENAPI_URL = (
    "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
)
_NAMESPACE = uuid.UUID("6f1d7c0e-3a57-4c1e-9d2b-0b5e2f3a9c41")
NEED_DOMAIN_TAXONOMY = "need_domains"
DELIVERY_MODE_TAXONOMY = "delivery_modes"
_BYDAY = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_WAIT_RE = re.compile(r"^Waiting list(?:, about (\d+) weeks?)?$")
CHARITY_SCHEME, COMPANY_SCHEME = "GB-CHC", "GB-COH"


def derived_id(owner: uuid.UUID, what: str) -> str:
    return str(uuid.uuid5(owner, what))


@dataclass(frozen=True)
class TaxonomyTerm:
    id: str
    code: str
    name: str
    taxonomy: str

    def document(self) -> dict[str, Any]:
        description = (
            f"Services that help with {self.name.lower()}."
            if self.taxonomy == NEED_DOMAIN_TAXONOMY
            else f"Services delivered {self.name.lower()}."
        )
        return {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "description": description,
            "taxonomy": self.taxonomy,
            "language": "en",
        }


def _term(taxonomy: str, code: str, name: str) -> TaxonomyTerm:
    return TaxonomyTerm(str(uuid.uuid5(_NAMESPACE, f"{taxonomy}:{code}")), code, name, taxonomy)


TAXONOMY_TERMS: list[TaxonomyTerm] = [
    *(_term(NEED_DOMAIN_TAXONOMY, d.value, d.label) for d in NeedDomain),
    *(_term(DELIVERY_MODE_TAXONOMY, m.value, m.label) for m in DeliveryMode),
]
TERMS_BY_ID = {term.id: term for term in TAXONOMY_TERMS}
TERMS_BY_CODE = {(term.taxonomy, term.code): term for term in TAXONOMY_TERMS}


def _compact(document: dict[str, Any]) -> dict[str, Any]:
    """HSDS fields are optional: leave out the empty ones rather than send "" for a uri."""
    return {key: value for key, value in document.items() if value not in ("", None)}


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# --- Export


def organization_list_document(provider: Provider) -> dict[str, Any]:
    return _compact(
        {
            "id": str(provider.public_id),
            "name": provider.name,
            "description": provider.description,
            "email": provider.email,
            "website": provider.website,
        }
    )


def organization_document(provider: Provider) -> dict[str, Any]:
    owner = provider.public_id
    document = organization_list_document(provider)
    document["phones"] = (
        [
            {
                "id": derived_id(owner, "phone"),
                "organization_id": str(owner),
                "number": provider.phone,
            }
        ]
        if provider.phone
        else []
    )
    identifiers = []
    for scheme, kind, value in (
        (CHARITY_SCHEME, "Charity number", provider.charity_number),
        (COMPANY_SCHEME, "Company number", provider.company_number),
    ):
        if value:
            identifiers.append(
                {
                    "id": derived_id(owner, scheme),
                    "organization_id": str(owner),
                    "identifier_scheme": scheme,
                    "identifier_type": kind,
                    "identifier": value,
                }
            )
    document["organization_identifiers"] = identifiers
    return document


def service_list_document(service: Service) -> dict[str, Any]:
    """The one-to-one fields of a published service (the `contents` of GET /services)."""
    wait_time = "" if service.capacity == Capacity.ACCEPTING else service.capacity_summary
    return _compact(
        {
            "id": str(service.public_id),
            "organization_id": str(service.provider.public_id),
            "name": service.name,
            "description": service.description,
            "url": service.website,
            "email": service.email,
            "status": "active",
            "application_process": service.how_to_access,
            "fees_description": service.fees_description,
            "wait_time": wait_time,
            "eligibility_description": service.eligibility_criteria,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "last_modified": _iso(service.modified_at),
        }
    )


def service_document(service: Service) -> dict[str, Any]:
    """A fully nested service (GET /services/{id}). Needs need_domains and
    locations__opening_times prefetched, and the provider selected."""
    owner = service.public_id
    sid = str(owner)
    document = service_list_document(service)
    document["organization"] = organization_document(service.provider)
    document["phones"] = (
        [{"id": derived_id(owner, "phone"), "service_id": sid, "number": service.phone}]
        if service.phone
        else []
    )
    document["contacts"] = (
        [
            _compact(
                {
                    "id": derived_id(owner, "contact"),
                    "service_id": sid,
                    "name": service.contact_name,
                    "email": service.email,
                }
            )
        ]  # fmt: skip
        if service.contact_name
        else []
    )
    document["languages"] = [
        {"id": derived_id(owner, f"language:{name}"), "service_id": sid, "name": name}
        for name in service.language_list
    ]
    document["cost_options"] = (
        [
            {
                "id": derived_id(owner, "cost:free"),
                "service_id": sid,
                "option": "Free",
                "amount": 0,
                "currency": "GBP",
            }
        ]  # fmt: skip
        if service.is_free
        else []
    )
    terms = [TERMS_BY_CODE[(NEED_DOMAIN_TAXONOMY, code)] for code in service.need_domain_codes]
    terms += [TERMS_BY_CODE[(DELIVERY_MODE_TAXONOMY, mode)] for mode in service.delivery_modes]
    document["attributes"] = [
        {
            "id": derived_id(owner, f"attribute:{term.id}"),
            "link_id": sid,
            "link_type": term.taxonomy,
            "link_entity": "service",
            "taxonomy_term_id": term.id,
            "taxonomy_term": term.document(),
        }
        for term in terms
    ]
    document["service_at_locations"] = [
        _service_at_location_document(service, location) for location in service.locations.all()
    ]
    return document


def _service_at_location_document(service: Service, location) -> dict[str, Any]:
    location_id = str(location.public_id)
    sal_id = derived_id(service.public_id, f"service_at_location:{location_id}")
    address = _compact(
        {
            "id": derived_id(location.public_id, "address"),
            "location_id": location_id,
            "address_1": location.address_1,
            "address_2": location.address_2,
            "city": location.city,
            "postal_code": location.postcode,
            "country": "GB",
            "address_type": "physical",
        }
    )
    address["state_province"] = location.county  # required by HSDS, even when we have none
    return {
        "id": sal_id,
        "service_id": str(service.public_id),
        "location_id": location_id,
        "location": _compact(
            {
                "id": location_id,
                "location_type": "physical",
                "name": location.name,
                "latitude": float(location.latitude) if location.latitude is not None else None,
                "longitude": float(location.longitude) if location.longitude is not None else None,
                "addresses": [address],
            }
        ),
        "schedules": [
            {
                "id": str(slot.public_id),
                "service_at_location_id": sal_id,
                "location_id": location_id,
                "freq": "WEEKLY",
                "wkst": "MO",
                "byday": _BYDAY[slot.weekday],
                "opens_at": slot.opens_at.strftime("%H:%M"),
                "closes_at": slot.closes_at.strftime("%H:%M"),
                "description": str(slot),
            }
            for slot in location.opening_times.all()
        ],
    }


def page_document(*, contents: list, total_items: int, page_number: int, size: int) -> dict:
    total_pages = max(1, -(-total_items // size))
    return {
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


# --- Import


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
        modified_at=modified_at,
    )


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
        if not isinstance(schedule, dict) or schedule.get("byday") not in _BYDAY:
            raise HSDSRecordError("schedules need a weekly byday of MO to SU")
        opens = _time(schedule.get("opens_at"), "opens_at")
        closes = _time(schedule.get("closes_at"), "closes_at")
        if opens >= closes:
            raise HSDSRecordError("a schedule must close after it opens")
        opening_times.append(
            {
                "public_id": _uuid(schedule.get("id"), "schedule id"),
                "weekday": Weekday(_BYDAY.index(schedule["byday"])),
                "opens_at": opens,
                "closes_at": closes,
            }
        )
    return {
        "public_id": _uuid(location.get("id"), "location id"),
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
