"""Organization: a practice (by its ODS code), a coordinator team or a provider."""

from accounts.models import Organisation

from ..codes import ODS_CODE_SYSTEM
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
        "meta": meta(organisation.created_at),
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
