"""The organisations that run services: created and edited, each change audited."""

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit_event

from ..models import Provider
from .service_content import _index_for_search, _pick

PROVIDER_OBJECT_TYPE = "community_services.Provider"
PROVIDER_FIELDS = (
    "name",
    "description",
    "charity_number",
    "company_number",
    "website",
    "email",
    "phone",
    "organisation",
)


@transaction.atomic
def create_provider(
    *, by: User | None, public_id: uuid.UUID | None = None, **fields: Any
) -> Provider:
    provider = Provider(**_pick(fields, PROVIDER_FIELDS))
    if public_id:
        provider.public_id = public_id
    provider.full_clean(exclude=["organisation"])
    provider.save()
    record_audit_event(
        actor=by,
        action="create",
        object_type=PROVIDER_OBJECT_TYPE,
        object_id=provider.public_id,
        detail=provider.name,
    )
    return provider


@transaction.atomic
def update_provider(*, by: User | None, provider: Provider, **fields: Any) -> Provider:
    changed = [
        name
        for name, value in _pick(fields, PROVIDER_FIELDS).items()
        if getattr(provider, name) != value
    ]
    for name in changed:
        setattr(provider, name, fields[name])
    if not changed:
        return provider
    provider.modified_at = timezone.now()
    provider.save(update_fields=[*changed, "modified_at"])
    if "name" in changed:
        for service in provider.services.all():
            _index_for_search(service)
    record_audit_event(
        actor=by,
        action="update",
        object_type=PROVIDER_OBJECT_TYPE,
        object_id=provider.public_id,
        detail=", ".join(changed),
    )
    return provider
