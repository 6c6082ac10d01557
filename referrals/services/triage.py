"""Triage and casework on a referral: one function per action of its machine
(`referrals.models.REFERRAL_MACHINE`), each through `common.state_machine.change_state`."""

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit_event
from common.enqueue import send_task_after_commit
from common.input_limits import check_event_dates
from common.state_machine import StateChange, Transition, change_state

from ..errors import IdentityNotChecked, IllegalTransition, ReferralAlreadyTaken
from ..models import (
    REFERRAL_MACHINE,
    ClosureOutcome,
    ContactMethod,
    DeclineReason,
    Referral,
    ReferralAction,
    ReferralEvent,
)
from ..selectors import team_members
from .contact_attempts import attempts_summary
from .guards import require_party
from .referrer_messages import MESSAGE_BACK_TASK, tell_referrer

_REFUSED_AS = {
    ReferralAction.ACCEPT: "accepted",
    ReferralAction.DECLINE: "declined",
    ReferralAction.FIRST_CONTACT: "marked as contacted",
    ReferralAction.UNABLE_TO_CONTACT: "closed as unable to contact",
    ReferralAction.CLOSE: "closed",
    ReferralAction.PATIENT_DECLINED: "marked as declined by the patient",
}


def _refusal(referral: Referral, action: ReferralAction) -> IllegalTransition:
    if action == ReferralAction.ACCEPT and referral.assigned_to is not None:
        return ReferralAlreadyTaken(
            f"Referral {referral.reference} was already accepted and assigned to "
            f"{referral.assigned_to.display_name}."
        )
    return IllegalTransition(
        f"Referral {referral.reference} is {referral.get_status_display().lower()}, "
        f"so it cannot be {_REFUSED_AS[action]}."
    )


def _authorise(by: User) -> Callable[[Referral, Transition[str]], None]:
    return lambda referral, transition: require_party(by, referral, transition)


def _recorder(
    *, by: User, note: str, notify_referrer: bool = False, message_back: str = ""
) -> Callable[[StateChange[Referral, ReferralAction, str]], None]:
    """The referral's event row and audit row; the referrer is told of some changes, and the
    practice sent the message back for the GP record (its `message_back` moment) of those that
    end an episode without the case page's closing form."""

    def record(change: StateChange[Referral, ReferralAction, str]) -> None:
        referral = change.instance
        event = ReferralEvent.objects.create(
            referral=referral,
            actor=by,
            occurred_at=timezone.now(),
            from_status=change.from_state,
            to_status=change.to_state,
            note=note,
        )
        record_audit_event(
            actor=by,
            action=change.transition.event,
            object_type="referral",
            object_id=referral.pk,
            patient_id=referral.patient_id,
            team_id=referral.team_id,
            detail=f"{change.from_state} → {change.to_state}",
        )
        if notify_referrer:
            tell_referrer(referral=referral, event=event)
        if message_back:
            send_task_after_commit(MESSAGE_BACK_TASK, case_id=referral.pk, moment=message_back)

    return record


@transaction.atomic
def accept_referral(
    *, referral: Referral, by: User, assign_to: User | None = None, note: str = ""
) -> Referral:
    """Take a received referral and give it to a coordinator in the team (by default, oneself)."""
    assignee = assign_to or by

    def assigned(locked: Referral) -> dict[str, object]:
        if not team_members(locked.team).filter(pk=assignee.pk).exists():
            raise ValidationError({"assign_to": "Choose a coordinator in the receiving team."})
        return {"assigned_to": assignee, "accepted_at": timezone.now()}

    return change_state(
        referral,
        machine=REFERRAL_MACHINE,
        action=ReferralAction.ACCEPT,
        authorise=_authorise(by),
        refuse=_refusal,
        changes=assigned,
        record=_recorder(
            by=by, note=note or f"Assigned to {assignee.display_name}.", notify_referrer=True
        ),
    ).instance


@transaction.atomic
def decline_referral(*, referral: Referral, by: User, reason: str, note: str = "") -> Referral:
    def declined(locked: Referral) -> dict[str, object]:
        if reason not in DeclineReason.values:
            raise ValidationError({"reason": "Choose why the referral is declined."})
        if reason == DeclineReason.OTHER and not note.strip():
            raise ValidationError({"note": "Say why the referral is declined."})
        return {"decline_reason": reason, "closed_at": timezone.now()}

    return change_state(
        referral,
        machine=REFERRAL_MACHINE,
        action=ReferralAction.DECLINE,
        authorise=_authorise(by),
        refuse=_refusal,
        changes=declined,
        record=_recorder(by=by, note=note, notify_referrer=True),
    ).instance


@transaction.atomic
def record_first_contact(
    *, referral: Referral, by: User, contacted_on: datetime.date, method: str, note: str = ""
) -> Referral:
    """First contact with the patient: the main waiting-time figure."""

    def contacted(locked: Referral) -> dict[str, object]:
        if not locked.identity_checked:
            raise IdentityNotChecked(
                f"Referral {locked.reference} came through the self-referral page: confirm "
                "who the person is before recording first contact."
            )
        if method not in ContactMethod.values:
            raise ValidationError({"method": "Choose how the patient was contacted."})
        if contacted_on > timezone.localdate():
            raise ValidationError(
                {"contacted_on": "The date of first contact must be today or in the past."}
            )
        check_event_dates(contacted_on=contacted_on)
        if contacted_on < timezone.localtime(locked.received_at).date():
            raise ValidationError(
                {
                    "contacted_on": "The date of first contact cannot be before the referral "
                    "was received."
                }
            )
        contacted_at = timezone.make_aware(
            datetime.datetime.combine(contacted_on, datetime.time(12))
        )
        return {
            "first_contact_at": min(contacted_at, timezone.now()),
            "first_contact_method": method,
        }

    return change_state(
        referral,
        machine=REFERRAL_MACHINE,
        action=ReferralAction.FIRST_CONTACT,
        authorise=_authorise(by),
        refuse=_refusal,
        changes=contacted,
        record=_recorder(by=by, note=note),
    ).instance


@transaction.atomic
def record_unable_to_contact(
    *, referral: Referral, by: User, attempts: int | None = None, note: str = ""
) -> Referral:
    """After repeated attempts without reaching the patient, the referral closes citing each
    attempt recorded. A bare count (`attempts`) is still taken from API clients written before
    attempts were recorded one by one; recorded attempts win over it."""

    def closed(locked: Referral) -> dict[str, object]:
        recorded = list(locked.attempts.all())
        if recorded:
            count, summary = len(recorded), attempts_summary(recorded)
        elif attempts is not None and attempts >= 1:
            count, summary = attempts, f"Unable to contact after {attempts} attempts."
        else:
            raise ValidationError(
                {"attempts": "Record each attempt to contact the patient before closing."}
            )
        return {
            "contact_attempts": count,
            "outcome": ClosureOutcome.UNABLE_TO_CONTACT,
            "outcome_summary": f"{summary}\n\n{note}" if note else summary,
            "closed_at": timezone.now(),
        }

    return change_state(
        referral,
        machine=REFERRAL_MACHINE,
        action=ReferralAction.UNABLE_TO_CONTACT,
        authorise=_authorise(by),
        refuse=_refusal,
        changes=closed,
        record=_recorder(by=by, note=note, notify_referrer=True, message_back="closure"),
    ).instance


@transaction.atomic
def close_referral(*, referral: Referral, by: User, outcome: str, summary: str = "") -> Referral:
    def closed(locked: Referral) -> dict[str, object]:
        if outcome not in ClosureOutcome.values:
            raise ValidationError({"outcome": "Choose the outcome."})
        return {"outcome": outcome, "outcome_summary": summary, "closed_at": timezone.now()}

    return change_state(
        referral,
        machine=REFERRAL_MACHINE,
        action=ReferralAction.CLOSE,
        authorise=_authorise(by),
        refuse=_refusal,
        changes=closed,
        record=_recorder(by=by, note=summary, notify_referrer=True),
    ).instance


@transaction.atomic
def record_patient_declined(*, referral: Referral, by: User, note: str = "") -> Referral:
    """The patient no longer wants the service; recorded by the team or the referring practice."""
    return change_state(
        referral,
        machine=REFERRAL_MACHINE,
        action=ReferralAction.PATIENT_DECLINED,
        authorise=_authorise(by),
        refuse=_refusal,
        changes=lambda locked: {"closed_at": timezone.now()},
        record=_recorder(by=by, note=note, message_back="declined"),
    ).instance


def change_referral(
    *, action: str, referral: Referral, by: User, data: Mapping[str, Any]
) -> Referral:
    """Pages and the API name a triage action and pass its form's fields; this calls its one
    service function with them. (Accepting is called directly: pages and the API find the
    assignee differently.)"""
    if action == ReferralAction.DECLINE:
        return decline_referral(referral=referral, by=by, reason=data["reason"], note=data["note"])
    if action == ReferralAction.FIRST_CONTACT:
        return record_first_contact(
            referral=referral,
            by=by,
            contacted_on=data["contacted_on"],
            method=data["method"],
            note=data["note"],
        )
    if action == ReferralAction.UNABLE_TO_CONTACT:
        return record_unable_to_contact(
            referral=referral, by=by, attempts=data.get("attempts"), note=data["note"]
        )
    if action == ReferralAction.PATIENT_DECLINED:
        return record_patient_declined(referral=referral, by=by, note=data["note"])
    raise ValueError(f"No triage page or endpoint changes a referral by {action!r}.")
