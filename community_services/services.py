"""Writes to the directory: providers, services and the vetting state machine.

Every vetting transition is one function: it locks the row, checks the current state, saves with
`update_fields`, writes a `ServiceStatusChange` and an audit event. Illegal moves raise
`IllegalVettingTransition` (HTTP 409 through the API, a message on pages).
"""

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, TextField, Value
from django.urls import reverse
from django.utils import timezone

from accounts.models import Reminder, Role, User
from accounts.services import create_reminders, record_audit_event, user_recipient
from common.errors import DomainError
from common.input_limits import check_event_dates

from .hsds import ParsedService
from .models import (
    DELIVERY_MODE_FIELDS,
    Location,
    OpeningTime,
    Provider,
    Service,
    ServiceNeedDomain,
    ServiceStatus,
    ServiceStatusChange,
    ServiceVersion,
    VettingDecision,
    VettingReview,
)

SERVICE_OBJECT_TYPE = "community_services.Service"
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
VETTING_PERIOD_MONTHS = 12


class IllegalVettingTransition(DomainError):
    code = "illegal_transition"


class FourEyesViolation(DomainError):
    code = "four_eyes"


class VettingInputError(DomainError):
    """The request itself is incomplete (a missing reason, an unticked checklist item)."""

    code = "invalid"
    http_status = 400


# --- Providers


@transaction.atomic
def create_provider(
    *, actor: User | None, public_id: uuid.UUID | None = None, **fields: Any
) -> Provider:
    provider = Provider(**_pick(fields, PROVIDER_FIELDS))
    if public_id:
        provider.public_id = public_id
    provider.full_clean(exclude=["organisation"])
    provider.save()
    record_audit_event(
        actor=actor,
        action="provider.created",
        object_type=PROVIDER_OBJECT_TYPE,
        object_id=provider.public_id,
        detail=provider.name,
    )
    return provider


@transaction.atomic
def update_provider(*, actor: User | None, provider: Provider, **fields: Any) -> Provider:
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
        actor=actor,
        action="provider.edited",
        object_type=PROVIDER_OBJECT_TYPE,
        object_id=provider.public_id,
        detail=", ".join(changed),
    )
    return provider


# --- Services: content


@transaction.atomic
def create_service(
    *,
    actor: User | None,
    provider: Provider,
    fields: dict[str, Any],
    need_domains: list[str],
    delivery_modes: list[str],
    locations: list[dict[str, Any]],
    public_id: uuid.UUID | None = None,
    modified_at: datetime.datetime | None = None,
) -> Service:
    """A new service starts as a draft; `submit_service` sends it for vetting."""
    service = Service(provider=provider, last_edited_by=actor, **_pick(fields, SERVICE_FIELDS))
    if public_id:
        service.public_id = public_id
    _set_delivery_modes(service, delivery_modes)
    service.modified_at = modified_at or timezone.now()
    service.full_clean(exclude=["provider", "submitted_by", "last_edited_by", "search_vector"])
    service.save()
    _replace_need_domains(service, need_domains)
    _replace_locations(service, locations)
    _index_for_search(service)
    record_audit_event(
        actor=actor,
        action="service.created",
        object_type=SERVICE_OBJECT_TYPE,
        object_id=service.public_id,
        detail=service.name,
    )
    return service


@transaction.atomic
def update_service(
    *,
    actor: User | None,
    service: Service,
    fields: dict[str, Any],
    need_domains: list[str] | None = None,
    delivery_modes: list[str] | None = None,
    locations: list[dict[str, Any]] | None = None,
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
    if not changed:
        return service
    service.last_edited_by = actor
    service.modified_at = modified_at or timezone.now()
    service.full_clean(exclude=["provider", "submitted_by", "last_edited_by", "search_vector"])
    service.save(
        update_fields=[*{*changed} - {"need_domains", "locations"}, "last_edited_by", "modified_at"]
    )
    _index_for_search(service)
    after = _material_snapshot(service)
    differences = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if service.status == ServiceStatus.APPROVED and differences:
        ServiceVersion.objects.create(service=service, changed_by=actor, changes=differences)
    record_audit_event(
        actor=actor,
        action="service.edited",
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


def _location_line(data: dict[str, Any], opening_times: list[tuple]) -> str:
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


# --- Vetting transitions


def _transition(
    service: Service,
    *,
    actor: User | None,
    allowed_from: tuple[str, ...],
    to: str,
    verb: str,
    reason: str = "",
    updates: dict[str, Any] | None = None,
) -> Service:
    locked = Service.objects.select_for_update().get(pk=service.pk)
    if locked.status not in allowed_from:
        raise IllegalVettingTransition(
            f"A service that is {locked.get_status_display().lower()} cannot be {verb}."
        )
    from_status = locked.status
    locked.status = to
    locked.status_reason = reason
    for name, value in (updates or {}).items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", "status_reason", *(updates or {})])
    ServiceStatusChange.objects.create(
        service=locked, from_status=from_status, to_status=to, actor=actor, reason=reason
    )
    record_audit_event(
        actor=actor,
        action=f"service.{to}",
        object_type=SERVICE_OBJECT_TYPE,
        object_id=locked.public_id,
        detail=f"{from_status} → {to}. {reason}".strip(),
    )
    return locked


@transaction.atomic
def submit_service(*, actor: User | None, service: Service) -> Service:
    return _transition(
        service,
        actor=actor,
        allowed_from=(
            ServiceStatus.DRAFT,
            ServiceStatus.REJECTED,
            ServiceStatus.EXPIRED,
            ServiceStatus.SUSPENDED,
        ),
        to=ServiceStatus.SUBMITTED,
        verb="submitted for vetting",
        updates={"submitted_by": actor, "submitted_at": timezone.now()},
    )


def default_vetted_until(*, today: datetime.date, insurance_expires_on: datetime.date):
    """Twelve months from today, but never past the insurance expiry."""
    try:
        a_year_on = today.replace(year=today.year + VETTING_PERIOD_MONTHS // 12)
    except ValueError:  # 29 February
        a_year_on = today.replace(year=today.year + 1, day=28)
    return min(a_year_on, insurance_expires_on)


def _check_vetting_dates(**dates: datetime.date | None) -> None:
    """The event window (common.input_limits), as a vetting error naming each date."""
    try:
        check_event_dates(**dates)
    except ValidationError as exc:
        raise VettingInputError(
            "; ".join(
                f"{VettingReview._meta.get_field(name).verbose_name.capitalize()}: {' '.join(m)}"
                for name, m in exc.message_dict.items()
            )
        ) from exc


@transaction.atomic
def approve_service(
    *,
    actor: User,
    service: Service,
    checklist: dict[str, bool],
    insurance_expires_on: datetime.date | None,
    notes: str = "",
    vetted_until: datetime.date | None = None,
) -> Service:
    locked = Service.objects.select_for_update().get(pk=service.pk)
    if locked.status != ServiceStatus.SUBMITTED:
        raise IllegalVettingTransition(
            f"A service that is {locked.get_status_display().lower()} cannot be approved."
        )
    if actor.pk in (locked.submitted_by_id, locked.last_edited_by_id):
        raise FourEyesViolation(
            "You submitted or last edited this service, so another vetter must approve it."
        )
    missing = [
        str(VettingReview._meta.get_field(name).verbose_name)
        for name in VettingReview.CHECKLIST
        if not checklist.get(name)
    ]
    if missing:
        raise VettingInputError("Every check must pass before approval: " + "; ".join(missing))
    _check_vetting_dates(insurance_expires_on=insurance_expires_on, vetted_until=vetted_until)
    today = timezone.localdate()
    if insurance_expires_on is None or insurance_expires_on <= today:
        raise VettingInputError("Public liability insurance must be current to approve.")
    if vetted_until is None:
        vetted_until = default_vetted_until(today=today, insurance_expires_on=insurance_expires_on)
    elif vetted_until <= today:
        raise VettingInputError("Vetted until must be in the future.")
    elif vetted_until > insurance_expires_on:
        raise VettingInputError("Vetted until cannot be later than the insurance expiry date.")
    VettingReview.objects.create(
        service=locked,
        reviewer=actor,
        decision=VettingDecision.APPROVED,
        insurance_expires_on=insurance_expires_on,
        notes=notes,
        vetted_until=vetted_until,
        **{name: True for name in VettingReview.CHECKLIST},
    )
    return _transition(
        locked,
        actor=actor,
        allowed_from=(ServiceStatus.SUBMITTED,),
        to=ServiceStatus.APPROVED,
        verb="approved",
        updates={"vetted_until": vetted_until},
    )


@transaction.atomic
def reject_service(
    *,
    actor: User,
    service: Service,
    reason: str,
    checklist: dict[str, bool] | None = None,
    insurance_expires_on: datetime.date | None = None,
    notes: str = "",
) -> Service:
    reason = reason.strip()
    if not reason:
        raise VettingInputError("Give a reason for rejecting the service.")
    _check_vetting_dates(insurance_expires_on=insurance_expires_on)
    locked = Service.objects.select_for_update().get(pk=service.pk)
    if locked.status != ServiceStatus.SUBMITTED:
        raise IllegalVettingTransition(
            f"A service that is {locked.get_status_display().lower()} cannot be rejected."
        )
    VettingReview.objects.create(
        service=locked,
        reviewer=actor,
        decision=VettingDecision.REJECTED,
        insurance_expires_on=insurance_expires_on,
        notes=notes or reason,
        **{name: bool((checklist or {}).get(name)) for name in VettingReview.CHECKLIST},
    )
    return _transition(
        locked,
        actor=actor,
        allowed_from=(ServiceStatus.SUBMITTED,),
        to=ServiceStatus.REJECTED,
        verb="rejected",
        reason=reason,
    )


@transaction.atomic
def suspend_service(*, actor: User, service: Service, reason: str) -> Service:
    reason = reason.strip()
    if not reason:
        raise VettingInputError("Give a reason for suspending the service.")
    return _transition(
        service,
        actor=actor,
        allowed_from=(ServiceStatus.APPROVED,),
        to=ServiceStatus.SUSPENDED,
        verb="suspended",
        reason=reason,
    )


@transaction.atomic
def reinstate_service(*, actor: User, service: Service, reason: str = "") -> Service:
    locked = Service.objects.select_for_update().get(pk=service.pk)
    if (
        locked.status == ServiceStatus.SUSPENDED
        and locked.vetted_until
        and locked.vetted_until < timezone.localdate()
    ):
        raise IllegalVettingTransition(
            "Its vetting has lapsed while suspended: submit it for vetting again instead."
        )
    return _transition(
        locked,
        actor=actor,
        allowed_from=(ServiceStatus.SUSPENDED,),
        to=ServiceStatus.APPROVED,
        verb="reinstated",
        reason=reason.strip(),
    )


@transaction.atomic
def expire_service(
    *, service: Service, actor: User | None = None, on: datetime.date | None = None
) -> Service:
    day = on or timezone.localdate()
    locked = Service.objects.select_for_update().get(pk=service.pk)
    if locked.status == ServiceStatus.APPROVED and (locked.vetted_until or day) >= day:
        raise IllegalVettingTransition("Its vetting has not lapsed yet, so it cannot expire.")
    return _transition(
        locked,
        actor=actor,
        allowed_from=(ServiceStatus.APPROVED,),
        to=ServiceStatus.EXPIRED,
        verb="expired",
        reason=f"Vetting lapsed on {locked.vetted_until:%d %B %Y}." if locked.vetted_until else "",
    )


def expire_lapsed_vettings(*, on: datetime.date | None = None) -> int:
    """Expire every approved service whose vetting has lapsed; each in its own transaction, so
    one failure or a concurrent change does not undo the rest."""
    expired = 0
    for service in Service.objects.vetting_lapsed(on=on).only("pk"):
        try:
            expire_service(service=service, on=on)
        except IllegalVettingTransition:
            continue
        expired += 1
    return expired


# --- Import


@transaction.atomic
def import_hsds_service(*, actor: User | None, parsed: ParsedService) -> tuple[Service, bool]:
    """Load one parsed HSDS service as a submitted service awaiting vetting, matching provider
    and service by id so a re-import updates rather than duplicates. An approved service stays
    approved (the changes are kept as a version); any other goes (back) to the vetting queue."""
    provider = Provider.objects.filter(public_id=parsed.provider_id).first()
    if provider is None:
        provider = create_provider(
            actor=actor, public_id=parsed.provider_id, **parsed.provider_fields
        )
    else:
        provider = update_provider(actor=actor, provider=provider, **parsed.provider_fields)
    service = Service.objects.filter(public_id=parsed.public_id).first()
    created = service is None
    content = {
        "fields": parsed.fields,
        "need_domains": parsed.need_domains,
        "delivery_modes": parsed.delivery_modes,
        "locations": parsed.locations,
        "modified_at": parsed.modified_at,
    }
    if created:
        service = create_service(
            actor=actor, provider=provider, public_id=parsed.public_id, **content
        )
    else:
        service = update_service(actor=actor, service=service, provider=provider, **content)
    if service.status not in (ServiceStatus.SUBMITTED, ServiceStatus.APPROVED):
        service = submit_service(actor=actor, service=service)
    return service, created


# --- Reminder sweeps (run by beat through accounts.services.run_sweep)


def _vetters() -> list[User]:
    return list(
        User.objects.filter(is_active=True, memberships__role=Role.VETTER).distinct().order_by("pk")
    )


@transaction.atomic
def sweep_vetting_expiring(now: datetime.datetime) -> list[Reminder]:
    """Weekly digest for vetters: approved services whose vetting ends within the notice period.
    One per vetter per ISO week, however often it runs."""
    today = timezone.localdate(now)
    horizon = today + datetime.timedelta(days=settings.VETTING_EXPIRY_NOTICE_DAYS)
    expiring = list(
        Service.objects.filter(
            status=ServiceStatus.APPROVED, vetted_until__gte=today, vetted_until__lte=horizon
        )
        .select_related("provider")
        .order_by("vetted_until", "name")
    )
    if not expiring:
        return []
    year, week, _ = today.isocalendar()
    return create_reminders(
        kind="vetting_expiring",
        target_type="vetting_digest",
        target_id="directory",
        occurrence=f"{year}-W{week:02d}",
        recipients=[user_recipient(vetter) for vetter in _vetters()],
        context={
            "services": [
                {
                    "name": service.name,
                    "provider": service.provider.name,
                    "vetted_until": service.vetted_until.isoformat(),
                    "vetted_until_display": f"{service.vetted_until:%-d %B %Y}",
                }
                for service in expiring
            ],
            "count": len(expiring),
            "days": settings.VETTING_EXPIRY_NOTICE_DAYS,
        },
        link=reverse("community_services:vetter-home"),
    )


def sweep_vetting_expired(now: datetime.datetime) -> list[Reminder]:
    """Expire lapsed vettings (each in its own transaction, as before), then tell the vetters
    about every service that expired recently, once per lapse (occurrence: its vetted-until
    date). Telling coordinators with open onward referrals to it follows once onward referrals
    exist."""
    today = timezone.localdate(now)
    expire_lapsed_vettings(on=today)
    since = today - datetime.timedelta(days=settings.VETTING_EXPIRED_NOTICE_WINDOW_DAYS)
    created: list[Reminder] = []
    vetters = [user_recipient(vetter) for vetter in _vetters()]
    for service in Service.objects.filter(
        status=ServiceStatus.EXPIRED, vetted_until__gte=since, vetted_until__lt=today
    ).order_by("vetted_until", "pk"):
        created += create_reminders(
            kind="vetting_expired",
            target_type="service",
            target_id=service.pk,
            occurrence=service.vetted_until.isoformat(),
            recipients=vetters,
            context={
                "service_name": service.name,
                "vetted_until_display": f"{service.vetted_until:%-d %B %Y}",
            },
            link=reverse("community_services:service-detail", args=[service.public_id]),
        )
    return created
