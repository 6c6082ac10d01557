"""Organization (UK Core): a practice (by its ODS code), a coordinator team or a provider of
ours; or a community organisation of the directory that runs referable services."""

from accounts.models import Organisation
from community_services.models import Provider

from ..codes import ODS_CODE_SYSTEM, UK_CORE_ORGANIZATION
from .common import meta

KIND_TEXT = {
    "gp_practice": "GP practice",
    "coordinator_team": "Social prescribing coordinator team",
    "service_provider": "Community service provider",
    "directory_team": "Directory team",
}


def organization_resource(organisation: Organisation) -> dict:
    resource: dict = {
        "resourceType": "Organization",
        "id": str(organisation.public_id),
        "meta": meta(organisation.created_at, UK_CORE_ORGANIZATION),
        "active": True,
        "type": [{"text": KIND_TEXT.get(organisation.kind, organisation.kind)}],
        "name": organisation.name,
    }
    if organisation.ods_code:
        resource["identifier"] = [{"system": ODS_CODE_SYSTEM, "value": organisation.ods_code}]
    telecom = [
        {"system": system, "value": value}
        for system, value in (("phone", organisation.phone), ("email", organisation.email))
        if value
    ]
    if telecom:
        resource["telecom"] = telecom
    return resource


def provider_organization_resource(provider: Provider) -> dict:
    """A directory provider: what its services' `providedBy` names."""
    resource: dict = {
        "resourceType": "Organization",
        "id": str(provider.public_id),
        "meta": meta(provider.modified_at, UK_CORE_ORGANIZATION),
        "active": True,
        "type": [{"text": "Community organisation"}],
        "name": provider.name,
    }
    telecom = [
        {"system": system, "value": value}
        for system, value in (
            ("phone", provider.phone),
            ("email", provider.email),
            ("url", provider.website),
        )
        if value
    ]
    if telecom:
        resource["telecom"] = telecom
    return resource
