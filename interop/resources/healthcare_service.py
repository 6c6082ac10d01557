"""HealthcareService (UK Core): a referable community service of the directory, with its need
domains as categories (ours, and the SDOHCC category where one fits) and its capacity as the
SDOHCC capacity-status extension, so a referrer sees before referring whether it takes people."""

from community_services.models import Service

from ..codes import (
    SDOHCC_CAPACITY_EXTENSION,
    SDOHCC_CAPACITY_OF,
    SDOHCC_CATEGORY_SYSTEM,
    UK_CORE_HEALTHCARE_SERVICE,
    sdohcc_category,
)
from .code_systems import coding
from .common import meta


def capacity_extension(service: Service) -> dict:
    code, display = SDOHCC_CAPACITY_OF[service.capacity]
    parts: list[dict] = [
        {
            "url": "capacityStatus",
            "valueCodeableConcept": {
                "coding": [
                    {"system": SDOHCC_CATEGORY_SYSTEM, "code": code, "display": display},
                    coding("capacity", service.capacity),
                ],
                "text": service.get_capacity_display(),
            },
        }
    ]
    if service.capacity_summary != service.get_capacity_display():
        parts.append({"url": "capacityNotes", "valueString": service.capacity_summary})
    return {"url": SDOHCC_CAPACITY_EXTENSION, "extension": parts}


def need_domain_category(code: str) -> dict:
    codings = [coding("need-domains", code)]
    if (sdohcc := sdohcc_category(code)) is not None:
        codings.append(sdohcc)
    return {"coding": codings}


def healthcare_service_resource(service: Service) -> dict:
    """Needs the service's provider, need domains and locations loaded."""
    resource: dict = {
        "resourceType": "HealthcareService",
        "id": str(service.public_id),
        "meta": meta(service.modified_at, UK_CORE_HEALTHCARE_SERVICE),
        "extension": [capacity_extension(service)],
        "active": True,
        "providedBy": {
            "reference": f"Organization/{service.provider.public_id}",
            "display": service.provider.name,
        },
        "category": [need_domain_category(code) for code in service.need_domain_codes],
        "name": service.name,
    }
    locations = [
        {"reference": f"Location/{location.public_id}"} for location in service.locations.all()
    ]
    if locations:
        resource["location"] = locations
    if service.description:
        resource["extraDetails"] = service.description
    telecom = [
        {"system": system, "value": value}
        for system, value in (
            ("phone", service.phone),
            ("email", service.email),
            ("url", service.website),
        )
        if value
    ]
    if telecom:
        resource["telecom"] = telecom
    if service.eligibility_criteria:
        resource["eligibility"] = [{"comment": service.eligibility_criteria}]
    if service.language_list:
        resource["communication"] = [{"text": name} for name in service.language_list]
    if service.how_to_access:
        resource["comment"] = service.how_to_access[:1000]
    return resource
