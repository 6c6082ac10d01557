"""The vetting state machine: submitted, approved (by another vetter than the one who submitted
or last edited it), rejected, suspended, reinstated, expired.

Every transition is one function: it locks the row, checks the current state, saves with
`update_fields`, writes a `ServiceStatusChange` and an audit event. Illegal moves raise
`IllegalVettingTransition` (HTTP 409 through the API, a message on pages).
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit_event
from common.errors import DomainError
from common.input_limits import check_event_dates

from ..models import Service, ServiceStatus, ServiceStatusChange, VettingDecision, VettingReview
from .service_content import SERVICE_OBJECT_TYPE

VETTING_PERIOD_MONTHS = 12


class IllegalVettingTransition(DomainError):
    code = "illegal_transition"


class FourEyesViolation(DomainError):
    code = "four_eyes"


class VettingInputError(DomainError):
    """The request itself is incomplete (a missing reason, an unticked checklist item)."""

    code = "invalid"
    http_status = 400


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
