"""Our directory as HSDS 3.0 documents: organizations, services (listed and fully nested) and
the page envelope of a list."""

import datetime
import uuid
from typing import Any

from ..models import Capacity, Location, Provider, Service, ServiceSchedule
from .taxonomy import DELIVERY_MODE_TAXONOMY, NEED_DOMAIN_TAXONOMY, TERMS_BY_CODE

HSDS_VERSION = "3.0"
HSDS_PROFILE_URL = "https://docs.openreferral.org/en/latest/hsds/"
HSDS_OPENAPI_URL = (
    "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
)
# HSDS weekday codes, indexed by our Weekday (Monday is 0).
BYDAY = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
CHARITY_SCHEME, COMPANY_SCHEME = "GB-CHC", "GB-COH"


def derived_id(owner: uuid.UUID, what: str) -> str:
    return str(uuid.uuid5(owner, what))


def _compact(document: dict[str, Any]) -> dict[str, Any]:
    """HSDS fields are optional: leave out the empty ones rather than send "" for a uri."""
    return {key: value for key, value in document.items() if value not in ("", None)}


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


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


def organization_document(
    provider: Provider, *, services: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A fully nested organization; `services` (list or full documents) when asked for."""
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
    if services is not None:
        document["services"] = services
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


def minimal_service_document(service: Service) -> dict[str, Any]:
    """`minimal=true`: what a consumer needs to see what changed (id, last_modified), with the
    name and status the service_list schema requires."""
    return {
        "id": str(service.public_id),
        "name": service.name,
        "status": "active",
        "last_modified": _iso(service.modified_at),
    }


def schedule_document(schedule: ServiceSchedule, *, service_id: str) -> dict[str, Any]:
    """A session time as an HSDS schedule (an RFC 5545 rule)."""
    return _compact(
        {
            "id": str(schedule.public_id),
            "service_id": service_id,
            "valid_from": schedule.valid_from.isoformat() if schedule.valid_from else None,
            "valid_to": schedule.valid_to.isoformat() if schedule.valid_to else None,
            "freq": schedule.freq,
            "interval": schedule.interval,
            "wkst": "MO",
            "byday": schedule.byday,
            "opens_at": schedule.opens_at.strftime("%H:%M"),
            "closes_at": schedule.closes_at.strftime("%H:%M"),
            "description": schedule.description or schedule.summary,
        }
    )


def service_document(service: Service) -> dict[str, Any]:
    """A fully nested service (GET /services/{id}). Needs need_domains, schedules and
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
    document["schedules"] = [
        schedule_document(schedule, service_id=sid) for schedule in service.schedules.all()
    ]
    document["service_at_locations"] = [
        _service_at_location_document(service, location) for location in service.locations.all()
    ]
    return document


def service_at_location_list_document(location: Location) -> dict[str, Any]:
    """A service at one of its locations, as GET /service_at_locations lists it (the location's
    service, with its provider, selected)."""
    document = _service_at_location_document(location.service, location)
    del document["schedules"]
    document["service"] = service_list_document(location.service)
    return document


def service_at_location_full_document(location: Location) -> dict[str, Any]:
    """GET /service_at_locations/{id}: the HSDS service_at_location, with the service fully
    nested. HSDS 3.0's API description gives this operation the *service* schema (3.1 corrected
    it), so the service's name and status are repeated at the top: the document is then valid
    as both, and a consumer of either reading finds what it expects."""
    service = location.service
    document = _service_at_location_document(service, location)
    document["name"] = service.name
    document["status"] = "active"
    document["service"] = service_document(service)
    return document


def _service_at_location_document(service: Service, location: Location) -> dict[str, Any]:
    location_id = str(location.public_id)
    sal_id = str(location.service_at_location_id)
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
                "byday": BYDAY[slot.weekday],
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
