"""What a service says about itself: created as a draft, edited without changing its vetting
status (a material edit to an approved service is kept as a version a vetter can read), and
indexed for search."""

import datetime
import uuid
from typing import Any

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import F, TextField, Value
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit_event

from ..models import (
    DELIVERY_MODE_FIELDS,
    Location,
    OpeningTime,
    Provider,
    Service,
    ServiceNeedDomain,
    ServiceSchedule,
    ServiceStatus,
    ServiceVersion,
)

SERVICE_OBJECT_TYPE = "community_services.Service"
SERVICE_FIELDS = (
    "name",
    "description",
    "minimum_age",
    "maximum_age",
    "eligibility_criteria",
    "is_free",
    "fees_description",
    "how_to_access",
    "languages",
    "contact_name",
    "email",
    "phone",
    "website",
    "capacity",
    "expected_wait_weeks",
)
# Edits to these on an approved service keep it approved but are recorded as a ServiceVersion.
MATERIAL_FIELDS = ("description", "minimum_age", "maximum_age", "eligibility_criteria")
SCHEDULE_FIELDS = (
    "freq",
    "interval",
    "byday",
    "opens_at",
    "closes_at",
    "valid_from",
    "valid_to",
    "description",
)
LOCATION_FIELDS = (
    "name",
    "address_1",
    "address_2",
    "city",
    "county",
    "postcode",
    "latitude",
    "longitude",
)


@transaction.atomic
def create_service(
    *,
    by: User | None,
    provider: Provider,
    fields: dict[str, Any],
    need_domains: list[str],
    delivery_modes: list[str],
    locations: list[dict[str, Any]],
    schedules: list[dict[str, Any]] | None = None,
    public_id: uuid.UUID | None = None,
    modified_at: datetime.datetime | None = None,
) -> Service:
    """A new service starts as a draft; `submit_service` sends it for vetting."""
    service = Service(provider=provider, last_edited_by=by, **_pick(fields, SERVICE_FIELDS))
    if public_id:
        service.public_id = public_id
    _set_delivery_modes(service, delivery_modes)
    service.modified_at = modified_at or timezone.now()
    service.full_clean(exclude=["provider", "submitted_by", "last_edited_by", "search_vector"])
    service.save()
    _replace_need_domains(service, need_domains)
    _replace_locations(service, locations)
    _replace_schedules(service, schedules or [])
    _index_for_search(service)
    record_audit_event(
        actor=by,
        action="create",
        object_type=SERVICE_OBJECT_TYPE,
        object_id=service.public_id,
        detail=service.name,
    )
    return service


@transaction.atomic
def update_service(
    *,
    by: User | None,
    service: Service,
    fields: dict[str, Any],
    need_domains: list[str] | None = None,
    delivery_modes: list[str] | None = None,
    locations: list[dict[str, Any]] | None = None,
    schedules: list[dict[str, Any]] | None = None,
    provider: Provider | None = None,
    modified_at: datetime.datetime | None = None,
) -> Service:
    """Edit content without changing vetting status; material edits to approved services are
    kept as a version a vetter can read."""
    service = Service.objects.select_for_update().get(pk=service.pk)
    before = _material_snapshot(service)
    changed = [
        name
        for name, value in _pick(fields, SERVICE_FIELDS).items()
        if getattr(service, name) != value
    ]
    for name in changed:
        setattr(service, name, fields[name])
    if provider is not None and provider.pk != service.provider_id:
        service.provider = provider
        changed.append("provider")
    if delivery_modes is not None:
        old_modes = service.delivery_modes
        _set_delivery_modes(service, delivery_modes)
        if sorted(old_modes) != sorted(service.delivery_modes):
            changed += list(DELIVERY_MODE_FIELDS.values())
    if need_domains is not None and sorted(set(need_domains)) != service.need_domain_codes:
        _replace_need_domains(service, need_domains)
        changed.append("need_domains")
    if locations is not None and _locations_summary_from_data(locations) != before["locations"]:
        _replace_locations(service, locations)
        changed.append("locations")
    if schedules is not None and _schedule_rows(schedules) != _schedule_rows(
        list(service.schedules.values(*SCHEDULE_FIELDS))
    ):
        _replace_schedules(service, schedules)
        changed.append("schedules")
    if not changed:
        return service
    service.last_edited_by = by
    service.modified_at = modified_at or timezone.now()
    service.full_clean(exclude=["provider", "submitted_by", "last_edited_by", "search_vector"])
    service.save(
        update_fields=[
            *{*changed} - {"need_domains", "locations", "schedules"},
            "last_edited_by",
            "modified_at",
        ]
    )
    _index_for_search(service)
    after = _material_snapshot(service)
    differences = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if service.status == ServiceStatus.APPROVED and differences:
        ServiceVersion.objects.create(service=service, changed_by=by, changes=differences)
    record_audit_event(
        actor=by,
        action="update",
        object_type=SERVICE_OBJECT_TYPE,
        object_id=service.public_id,
        detail=", ".join(sorted(set(changed))),
    )
    return service


def _pick(fields: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if name in allowed}


def _set_delivery_modes(service: Service, modes: list[str]) -> None:
    for mode, field in DELIVERY_MODE_FIELDS.items():
        setattr(service, field, mode in modes)


def _replace_need_domains(service: Service, domains: list[str]) -> None:
    service.need_domains.all().delete()
    ServiceNeedDomain.objects.bulk_create(
        ServiceNeedDomain(service=service, domain=domain) for domain in sorted(set(domains))
    )


def _replace_locations(service: Service, locations: list[dict[str, Any]]) -> None:
    """Replace the service's locations, keeping the public ids the caller passes back."""
    service.locations.all().delete()
    for data in locations:
        location = Location(service=service, **_pick(data, LOCATION_FIELDS))
        if data.get("public_id"):
            location.public_id = data["public_id"]
        location.service_at_location_id = data.get("service_at_location_id") or uuid.uuid5(
            service.public_id, f"service_at_location:{location.public_id}"
        )
        location.save()
        for slot in data.get("opening_times", []):
            opening = OpeningTime(
                location=location,
                weekday=slot["weekday"],
                opens_at=slot["opens_at"],
                closes_at=slot["closes_at"],
            )
            if slot.get("public_id"):
                opening.public_id = slot["public_id"]
            opening.save()


def _replace_schedules(service: Service, schedules: list[dict[str, Any]]) -> None:
    """Replace the service's session times, keeping the public ids the caller passes back; a
    bad one is a ValidationError naming its field."""
    service.schedules.all().delete()
    for data in schedules:
        schedule = ServiceSchedule(service=service, **_pick(data, SCHEDULE_FIELDS))
        if data.get("public_id"):
            schedule.public_id = data["public_id"]
        schedule.full_clean(exclude=["service"])
        schedule.save()


def _schedule_rows(schedules: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        tuple(row.get(name) or ("" if name == "description" else None) for name in SCHEDULE_FIELDS)
        for row in schedules
    ]


def _location_line(data: dict[str, Any], opening_times: list[tuple[Any, ...]]) -> str:
    address = ", ".join(
        str(data.get(name) or "")
        for name in ("name", "address_1", "address_2", "city", "county", "postcode")
        if data.get(name)
    )
    times = "; ".join(f"{day} {opens:%H:%M}-{closes:%H:%M}" for day, opens, closes in opening_times)
    return f"{address} ({times})" if times else address


def _locations_summary_from_data(locations: list[dict[str, Any]]) -> str:
    return "\n".join(
        _location_line(
            data,
            sorted(
                (t["weekday"], t["opens_at"], t["closes_at"]) for t in data.get("opening_times", [])
            ),
        )
        for data in locations
    )


def _locations_summary(service: Service) -> str:
    lines = []
    for location in service.locations.prefetch_related("opening_times"):
        data = {name: getattr(location, name) for name in LOCATION_FIELDS}
        times = [(t.weekday, t.opens_at, t.closes_at) for t in location.opening_times.all()]
        lines.append(_location_line(data, times))
    return "\n".join(lines)


def _material_snapshot(service: Service) -> dict[str, Any]:
    snapshot: dict[str, Any] = {name: getattr(service, name) for name in MATERIAL_FIELDS}
    snapshot["locations"] = _locations_summary(service)
    return snapshot


def _index_for_search(service: Service) -> None:
    """Name weighs most, then the provider, then the description (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    provider_name = Provider.objects.values_list("name", flat=True).get(pk=service.provider_id)
    Service.objects.filter(pk=service.pk).update(
        search_vector=SearchVector(F("name"), weight="A", config="english")
        + SearchVector(Value(provider_name, output_field=TextField()), weight="B", config="english")
        + SearchVector(F("description"), weight="C", config="english")
    )
