"""Location (UK Core): where a directory service meets, with its coordinates when known (so a
client can plot it) and the provider that runs it."""

from community_services.models import Location

from ..codes import UK_CORE_LOCATION
from .common import meta


def location_resource(location: Location) -> dict:
    """Needs the location's service and its provider loaded."""
    service = location.service
    address: dict = {
        "use": "work",
        "line": [line for line in (location.address_1, location.address_2) if line],
        "city": location.city,
        "postalCode": location.postcode,
        "country": "GB",
    }
    if location.county:
        address["district"] = location.county
    resource: dict = {
        "resourceType": "Location",
        "id": str(location.public_id),
        "meta": meta(service.modified_at, UK_CORE_LOCATION),
        "status": "active",
        "name": location.name or service.name,
        "mode": "instance",
        "address": address,
        "managingOrganization": {
            "reference": f"Organization/{service.provider.public_id}",
            "display": service.provider.name,
        },
    }
    if location.latitude is not None and location.longitude is not None:
        resource["position"] = {
            "latitude": float(location.latitude),
            "longitude": float(location.longitude),
        }
    return resource
