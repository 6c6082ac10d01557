"""Vetting: one function per action of the vetting machine (`community_services.models.
VETTING_MACHINE`: submitted, approved by another vetter than the one who submitted or last
edited it, rejected, suspended, reinstated, expired, renewed before it lapses).

Each goes through `common.state_machine.change_state` (lock, check the table, save with
`update_fields`) and records a `ServiceStatusChange` and an audit event. Illegal moves raise
`IllegalVettingTransition` (HTTP 409 through the API, a message on pages).
"""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit_event
from common.errors import DomainError
from common.input_limits import check_event_dates
from common.state_machine import StateChange, change_state

from ..models import (
    VETTING_MACHINE,
    Service,
    ServiceStatusChange,
    VettingAction,
    VettingDecision,
    VettingReview,
)
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


_REFUSED_AS = {
    VettingAction.SUBMIT: "submitted for vetting",
    VettingAction.APPROVE: "approved",
    VettingAction.REJECT: "rejected",
    VettingAction.SUSPEND: "suspended",
    VettingAction.REINSTATE: "reinstated",
    VettingAction.EXPIRE: "expired",
    VettingAction.RENEW: "renewed",
}


def _refusal(service: Service, action: VettingAction) -> IllegalVettingTransition:
    return IllegalVettingTransition(
        f"A service that is {service.get_status_display().lower()} cannot be {_REFUSED_AS[action]}."
    )


def _recorder(
    by: User | None,
) -> Callable[[StateChange[Service, VettingAction, str]], None]:
    """The status change row (with the reason, kept on the service too) and the audit row."""

    def record(change: StateChange[Service, VettingAction, str]) -> None:
        service, reason = change.instance, change.instance.status_reason
        ServiceStatusChange.objects.create(
            service=service,
            from_status=change.from_state,
            to_status=change.to_state,
            actor=by,
            reason=reason,
        )
        record_audit_event(
            actor=by,
            action=change.transition.event,
            object_type=SERVICE_OBJECT_TYPE,
            object_id=service.public_id,
            detail=f"{change.from_state} → {change.to_state}. {reason}".strip(),
        )

    return record


@transaction.atomic
def submit_service(*, by: User | None, service: Service) -> Service:
    return change_state(
        service,
        machine=VETTING_MACHINE,
        action=VettingAction.SUBMIT,
        refuse=_refusal,
        changes=lambda locked: {
            "status_reason": "",
            "submitted_by": by,
            "submitted_at": timezone.now(),
        },
        record=_recorder(by),
    ).instance


def default_vetted_until(
    *, today: datetime.date, insurance_expires_on: datetime.date
) -> datetime.date:
    """Twelve months from today, but never past the insurance expiry."""
    try:
        a_year_on = today.replace(year=today.year + VETTING_PERIOD_MONTHS // 12)
    except ValueError:  # 29 February
        a_year_on = today.replace(year=today.year + 1, day=28)
    return min(a_year_on, insurance_expires_on)


def _checklist_label(name: str) -> str:
    """A vetting review field's label, as the vetter sees it on the form."""
    field = VettingReview._meta.get_field(name)
    return str(field.verbose_name) if isinstance(field, models.Field) else name


def _check_vetting_dates(**dates: datetime.date | None) -> None:
    """The event window (common.input_limits), as a vetting error naming each date."""
    try:
        check_event_dates(**dates)
    except ValidationError as exc:
        raise VettingInputError(
            "; ".join(
                f"{_checklist_label(name).capitalize()}: {' '.join(m)}"
                for name, m in exc.message_dict.items()
            )
        ) from exc


def may_approve(service: Service, user: User) -> bool:
    """Four eyes: whoever submitted or last edited a service may not approve or renew it."""
    return user.pk not in (service.submitted_by_id, service.last_edited_by_id)


def _passed_review(
    locked: Service,
    *,
    by: User,
    checklist: dict[str, bool],
    insurance_expires_on: datetime.date | None,
    notes: str,
    vetted_until: datetime.date | None,
) -> datetime.date:
    """Approval's and renewal's checks: four eyes, every check passed, insurance current, a
    future date no later than the insurance; the review is kept. Returns the new date."""
    until = vetted_until
    if not may_approve(locked, by):
        raise FourEyesViolation(
            "You submitted or last edited this service, so another vetter must approve it."
        )
    missing = [
        _checklist_label(name) for name in VettingReview.CHECKLIST if not checklist.get(name)
    ]
    if missing:
        raise VettingInputError("Every check must pass before approval: " + "; ".join(missing))
    _check_vetting_dates(insurance_expires_on=insurance_expires_on, vetted_until=until)
    today = timezone.localdate()
    if insurance_expires_on is None or insurance_expires_on <= today:
        raise VettingInputError("Public liability insurance must be current to approve.")
    if until is None:
        until = default_vetted_until(today=today, insurance_expires_on=insurance_expires_on)
    elif until <= today:
        raise VettingInputError("Vetted until must be in the future.")
    elif until > insurance_expires_on:
        raise VettingInputError("Vetted until cannot be later than the insurance expiry date.")
    VettingReview.objects.create(
        service=locked,
        reviewer=by,
        decision=VettingDecision.APPROVED,
        insurance_expires_on=insurance_expires_on,
        notes=notes,
        vetted_until=until,
        **{name: True for name in VettingReview.CHECKLIST},
    )
    return until


@transaction.atomic
def approve_service(
    *,
    by: User,
    service: Service,
    checklist: dict[str, bool],
    insurance_expires_on: datetime.date | None,
    notes: str = "",
    vetted_until: datetime.date | None = None,
) -> Service:
    def approved(locked: Service) -> dict[str, object]:
        until = _passed_review(
            locked,
            by=by,
            checklist=checklist,
            insurance_expires_on=insurance_expires_on,
            notes=notes,
            vetted_until=vetted_until,
        )
        return {"status_reason": "", "vetted_until": until}

    return change_state(
        service,
        machine=VETTING_MACHINE,
        action=VettingAction.APPROVE,
        refuse=_refusal,
        changes=approved,
        record=_recorder(by),
    ).instance


def renewal_window_opens(vetted_until: datetime.date) -> datetime.date:
    """Renewal opens the warning period (VETTING_EXPIRY_NOTICE_DAYS) before vetting ends."""
    return vetted_until - datetime.timedelta(days=settings.VETTING_EXPIRY_NOTICE_DAYS)


def may_renew_vetting(service: Service, *, today: datetime.date | None = None) -> bool:
    day = today or timezone.localdate()
    return (
        VettingAction.RENEW in service.vetting_actions
        and service.vetted_until is not None
        and renewal_window_opens(service.vetted_until) <= day <= service.vetted_until
    )


@transaction.atomic
def renew_vetting(
    *,
    by: User,
    service: Service,
    checklist: dict[str, bool],
    insurance_expires_on: datetime.date | None,
    notes: str = "",
    vetted_until: datetime.date | None = None,
) -> Service:
    """The checklist again before vetting lapses; the service stays approved and referable
    throughout, and only its vetted-until date moves on."""

    def renewed(locked: Service) -> dict[str, object]:
        if not may_renew_vetting(locked):
            opens = renewal_window_opens(locked.vetted_until) if locked.vetted_until else None
            raise IllegalVettingTransition(
                f"Vetting can be renewed from {opens:%-d %B %Y}, "
                f"{settings.VETTING_EXPIRY_NOTICE_DAYS} days before it ends."
                if opens and opens > timezone.localdate()
                else "Only vetting that is still current can be renewed."
            )
        until = _passed_review(
            locked,
            by=by,
            checklist=checklist,
            insurance_expires_on=insurance_expires_on,
            notes=notes,
            vetted_until=vetted_until,
        )
        if locked.vetted_until and until <= locked.vetted_until:
            raise VettingInputError("The new vetted-until date must be later than the current one.")
        return {"status_reason": "", "vetted_until": until}

    return change_state(
        service,
        machine=VETTING_MACHINE,
        action=VettingAction.RENEW,
        refuse=_refusal,
        changes=renewed,
        record=_recorder(by),
    ).instance


@transaction.atomic
def reject_service(
    *,
    by: User,
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

    def rejected(locked: Service) -> dict[str, object]:
        VettingReview.objects.create(
            service=locked,
            reviewer=by,
            decision=VettingDecision.REJECTED,
            insurance_expires_on=insurance_expires_on,
            notes=notes or reason,
            **{name: bool((checklist or {}).get(name)) for name in VettingReview.CHECKLIST},
        )
        return {"status_reason": reason}

    return change_state(
        service,
        machine=VETTING_MACHINE,
        action=VettingAction.REJECT,
        refuse=_refusal,
        changes=rejected,
        record=_recorder(by),
    ).instance


@transaction.atomic
def suspend_service(*, by: User, service: Service, reason: str) -> Service:
    reason = reason.strip()
    if not reason:
        raise VettingInputError("Give a reason for suspending the service.")
    return change_state(
        service,
        machine=VETTING_MACHINE,
        action=VettingAction.SUSPEND,
        refuse=_refusal,
        changes={"status_reason": reason},
        record=_recorder(by),
    ).instance


@transaction.atomic
def reinstate_service(*, by: User, service: Service, reason: str = "") -> Service:
    def reinstated(locked: Service) -> dict[str, object]:
        if locked.vetted_until and locked.vetted_until < timezone.localdate():
            raise IllegalVettingTransition(
                "Its vetting has lapsed while suspended: submit it for vetting again instead."
            )
        return {"status_reason": reason.strip()}

    return change_state(
        service,
        machine=VETTING_MACHINE,
        action=VettingAction.REINSTATE,
        refuse=_refusal,
        changes=reinstated,
        record=_recorder(by),
    ).instance


@transaction.atomic
def expire_service(
    *, service: Service, by: User | None = None, on: datetime.date | None = None
) -> Service:
    day = on or timezone.localdate()

    def expired(locked: Service) -> dict[str, object]:
        if (locked.vetted_until or day) >= day:
            raise IllegalVettingTransition("Its vetting has not lapsed yet, so it cannot expire.")
        lapsed = locked.vetted_until
        return {"status_reason": f"Vetting lapsed on {lapsed:%d %B %Y}." if lapsed else ""}

    return change_state(
        service,
        machine=VETTING_MACHINE,
        action=VettingAction.EXPIRE,
        refuse=_refusal,
        changes=expired,
        record=_recorder(by),
    ).instance


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
