"""Triage and casework on a referral: one function per status change."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Role, User
from accounts.services import record_audit_event
from common.input_limits import check_event_dates

from ..errors import IllegalTransition, ReferralAlreadyTaken
from ..models import (
    ClosureOutcome,
    ContactMethod,
    DeclineReason,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from ..selectors import team_members
from .guards import locked_referral, require_team_member
from .referrer_messages import tell_referrer


def _refuse(referral: Referral, action: str, allowed: tuple[str, ...]) -> None:
    if referral.status not in allowed:
        raise IllegalTransition(
            f"Referral {referral.reference} is {referral.get_status_display().lower()}, "
            f"so it cannot be {action}."
        )


def _transition(
    *,
    referral: Referral,
    by: User,
    to_status: str,
    fields: dict,
    note: str,
    action: str,
    notify_referrer: bool = False,
) -> Referral:
    from_status = referral.status
    referral.status = to_status
    for name, value in fields.items():
        setattr(referral, name, value)
    referral.save(update_fields=["status", *fields, "updated_at"])
    event = ReferralEvent.objects.create(
        referral=referral,
        actor=by,
        occurred_at=timezone.now(),
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    record_audit_event(
        actor=by,
        action=action,
        object_type="referral",
        object_id=referral.pk,
        patient_id=referral.patient_id,
        team_id=referral.team_id,
        detail=f"{from_status} → {to_status}",
    )
    if notify_referrer:
        tell_referrer(referral=referral, event=event)
    return referral


@transaction.atomic
def accept_referral(
    *, referral: Referral, by: User, assign_to: User | None = None, note: str = ""
) -> Referral:
    """Take a received referral and give it to a coordinator in the team (by default, oneself)."""
    require_team_member(by, referral)
    referral = locked_referral(referral)
    if referral.status != ReferralStatus.RECEIVED:
        if referral.assigned_to_id:
            raise ReferralAlreadyTaken(
                f"Referral {referral.reference} was already accepted and assigned to "
                f"{referral.assigned_to.display_name}."
            )
        _refuse(referral, "accepted", (ReferralStatus.RECEIVED,))
    assignee = assign_to or by
    if not team_members(referral.team).filter(pk=assignee.pk).exists():
        raise ValidationError({"assign_to": "Choose a coordinator in the receiving team."})
    return _transition(
        referral=referral,
        by=by,
        to_status=ReferralStatus.ACCEPTED,
        fields={"assigned_to": assignee, "accepted_at": timezone.now()},
        note=note or f"Assigned to {assignee.display_name}.",
        action="accept",
        notify_referrer=True,
    )


@transaction.atomic
def decline_referral(*, referral: Referral, by: User, reason: str, note: str = "") -> Referral:
    require_team_member(by, referral)
    referral = locked_referral(referral)
    _refuse(referral, "declined", (ReferralStatus.RECEIVED,))
    if reason not in DeclineReason.values:
        raise ValidationError({"reason": "Choose why the referral is declined."})
    if reason == DeclineReason.OTHER and not note.strip():
        raise ValidationError({"note": "Say why the referral is declined."})
    return _transition(
        referral=referral,
        by=by,
        to_status=ReferralStatus.DECLINED,
        fields={"decline_reason": reason, "closed_at": timezone.now()},
        note=note,
        action="decline",
        notify_referrer=True,
    )


@transaction.atomic
def record_first_contact(
    *, referral: Referral, by: User, contacted_on: datetime.date, method: str, note: str = ""
) -> Referral:
    """First contact with the patient: the main waiting-time figure."""
    require_team_member(by, referral)
    referral = locked_referral(referral)
    _refuse(referral, "marked as contacted", (ReferralStatus.ACCEPTED,))
    if method not in ContactMethod.values:
        raise ValidationError({"method": "Choose how the patient was contacted."})
    if contacted_on > timezone.localdate():
        raise ValidationError(
            {"contacted_on": "The date of first contact must be today or in the past."}
        )
    check_event_dates(contacted_on=contacted_on)
    if contacted_on < timezone.localtime(referral.received_at).date():
        raise ValidationError(
            {
                "contacted_on": "The date of first contact cannot be before the referral "
                "was received."
            }
        )
    contacted_at = timezone.make_aware(datetime.datetime.combine(contacted_on, datetime.time(12)))
    return _transition(
        referral=referral,
        by=by,
        to_status=ReferralStatus.IN_PROGRESS,
        fields={
            "first_contact_at": min(contacted_at, timezone.now()),
            "first_contact_method": method,
        },
        note=note,
        action="first_contact",
    )


@transaction.atomic
def record_unable_to_contact(
    *, referral: Referral, by: User, attempts: int, note: str = ""
) -> Referral:
    """After repeated attempts without reaching the patient, the referral closes."""
    require_team_member(by, referral)
    referral = locked_referral(referral)
    _refuse(referral, "closed as unable to contact", (ReferralStatus.ACCEPTED,))
    if attempts < 1:
        raise ValidationError({"attempts": "Record how many attempts were made."})
    return _transition(
        referral=referral,
        by=by,
        to_status=ReferralStatus.CLOSED,
        fields={
            "contact_attempts": attempts,
            "outcome": ClosureOutcome.UNABLE_TO_CONTACT,
            "outcome_summary": note or f"Unable to contact after {attempts} attempts.",
            "closed_at": timezone.now(),
        },
        note=note,
        action="close",
        notify_referrer=True,
    )


@transaction.atomic
def close_referral(*, referral: Referral, by: User, outcome: str, summary: str = "") -> Referral:
    require_team_member(by, referral)
    referral = locked_referral(referral)
    _refuse(referral, "closed", (ReferralStatus.IN_PROGRESS,))
    if outcome not in ClosureOutcome.values:
        raise ValidationError({"outcome": "Choose the outcome."})
    return _transition(
        referral=referral,
        by=by,
        to_status=ReferralStatus.CLOSED,
        fields={"outcome": outcome, "outcome_summary": summary, "closed_at": timezone.now()},
        note=summary,
        action="close",
        notify_referrer=True,
    )


@transaction.atomic
def record_patient_declined(*, referral: Referral, by: User, note: str = "") -> Referral:
    """The patient no longer wants the service; recorded by the team or the referring practice."""
    is_referrer = Membership.objects.filter(
        user=by, organisation_id=referral.referring_practice_id, role=Role.REFERRER
    ).exists()
    if not is_referrer:
        require_team_member(by, referral)
    referral = locked_referral(referral)
    _refuse(
        referral,
        "marked as declined by the patient",
        (ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED),
    )
    return _transition(
        referral=referral,
        by=by,
        to_status=ReferralStatus.PATIENT_DECLINED,
        fields={"closed_at": timezone.now()},
        note=note,
        action="patient_declined",
    )
