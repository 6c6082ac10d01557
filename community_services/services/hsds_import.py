"""Loading Open Referral HSDS documents into the directory (parsed by community_services.hsds)."""

import datetime
from typing import Any, TypedDict

from django.db import transaction

from accounts.models import User

from ..hsds import ParsedService
from ..models import Provider, Service, ServiceStatus
from .providers import create_provider, update_provider
from .service_content import create_service, update_service
from .vetting import submit_service


class ServiceContent(TypedDict):
    """What an HSDS document says about a service, as create_service and update_service take it."""

    fields: dict[str, Any]
    need_domains: list[str]
    delivery_modes: list[str]
    locations: list[dict[str, Any]]
    schedules: list[dict[str, Any]]
    modified_at: datetime.datetime | None


@transaction.atomic
def import_hsds_service(*, by: User | None, parsed: ParsedService) -> tuple[Service, bool]:
    """Load one parsed HSDS service as a submitted service awaiting vetting, matching provider
    and service by id so a re-import updates rather than duplicates. An approved service stays
    approved (the changes are kept as a version); any other goes (back) to the vetting queue."""
    provider = Provider.objects.filter(public_id=parsed.provider_id).first()
    if provider is None:
        provider = create_provider(by=by, public_id=parsed.provider_id, **parsed.provider_fields)
    else:
        provider = update_provider(by=by, provider=provider, **parsed.provider_fields)
    service = Service.objects.filter(public_id=parsed.public_id).first()
    created = service is None
    content: ServiceContent = {
        "fields": parsed.fields,
        "need_domains": parsed.need_domains,
        "delivery_modes": parsed.delivery_modes,
        "locations": parsed.locations,
        "schedules": parsed.schedules,
        "modified_at": parsed.modified_at,
    }
    if service is None:
        service = create_service(by=by, provider=provider, public_id=parsed.public_id, **content)
    else:
        service = update_service(by=by, service=service, provider=provider, **content)
    if service.status not in (ServiceStatus.SUBMITTED, ServiceStatus.APPROVED):
        service = submit_service(by=by, service=service)
    return service, created
