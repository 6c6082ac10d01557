"""The team's outreach to the people a practice identified: take one, record each attempt,
end it as accepted (a referral through intake), declined (coded for the practice) or no
response after OUTREACH_MAX_ATTEMPTS attempts. One function per action of the entry's machine
(`casefinding.models.OUTREACH_MACHINE`), each through `common.state_machine.change_state`."""

import datetime
from collections.abc import Callable, Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit_event
from common.state_machine import StateChange, Transition, change_state
from referrals.errors import IllegalTransition, NotInReceivingTeam
from referrals.models import ContactOutcome, ReferralSource
from referrals.services import PATIENT_FIELDS, check_attempt, receive_referral

from ..models import (
    OUTREACH_MACHINE,
    SOCIAL_PRESCRIBING_DECLINED,
    OutreachAction,
    OutreachAttempt,
    OutreachEntry,
    OutreachStatus,
)

_REFUSED_AS = {
    OutreachAction.TAKE: "taken",
    OutreachAction.ACCEPT: "accepted",
    OutreachAction.DECLINE: "marked as declined",
    OutreachAction.NO_RESPONSE: "closed as no response",
}


def _authorise(by: User) -> Callable[[OutreachEntry, Transition[str]], None]:
    def authorise(entry: OutreachEntry, transition: Transition[str]) -> None:
        if not by.is_team_member(entry.team_id):
            raise NotInReceivingTeam("Only the practice's coordinator team can do this.")

    return authorise


def _refusal(entry: OutreachEntry, action: OutreachAction) -> IllegalTransition:
    return IllegalTransition(
        f"This person is {entry.get_status_display().lower()} on the worklist, so cannot be "
        f"{_REFUSED_AS[action]}."
    )


def _recorder(by: User) -> Callable[[StateChange[OutreachEntry, OutreachAction, str]], None]:
    def record(change: StateChange[OutreachEntry, OutreachAction, str]) -> None:
        _audit(
            change.instance,
            by,
            change.transition.event,
            f"{change.from_state} → {change.to_state}",
        )

    return record


def _change(
    entry: OutreachEntry,
    by: User,
    action: OutreachAction,
    changes: Mapping[str, object] | Callable[[OutreachEntry], Mapping[str, object]] | None = None,
) -> OutreachEntry:
    return change_state(
        entry,
        machine=OUTREACH_MACHINE,
        action=action,
        authorise=_authorise(by),
        refuse=_refusal,
        changes=changes,
        record=_recorder(by),
    ).instance


def _audit(entry: OutreachEntry, by: User, action: str, detail: str) -> None:
    record_audit_event(
        actor=by,
        action=action,
        object_type="outreach_entry",
        object_id=entry.pk,
        patient_id=entry.patient_id,
        team_id=entry.team_id,
        detail=detail,
    )


@transaction.atomic
def take_outreach(*, entry: OutreachEntry, by: User) -> OutreachEntry:
    """A coordinator takes someone off the worklist to contact them; nobody else has them."""
    return _change(entry, by, OutreachAction.TAKE, {"assigned_to": by, "taken_at": timezone.now()})


@transaction.atomic
def record_outreach_attempt(
    *,
    entry: OutreachEntry,
    by: User,
    attempted_on: datetime.date,
    method: str,
    outcome: str,
    note: str = "",
) -> OutreachAttempt:
    if not by.is_team_member(entry.team_id):
        raise NotInReceivingTeam("Only the practice's coordinator team can do this.")
    entry = OutreachEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != OutreachStatus.TAKEN:
        raise IllegalTransition("Take this person from the worklist before recording attempts.")
    check_attempt(
        attempted_on=attempted_on,
        method=method,
        outcome=outcome,
        not_before=timezone.localtime(entry.created_at).date(),
    )
    attempt = OutreachAttempt.objects.create(
        entry=entry,
        attempted_on=attempted_on,
        method=method,
        outcome=outcome,
        note=note,
        recorded_by=by,
    )
    _audit(entry, by, "contact_attempt", f"attempt {attempted_on:%Y-%m-%d} by {method}: {outcome}")
    return attempt


@transaction.atomic
def accept_outreach(
    *, entry: OutreachEntry, by: User, reasons: list[str], help_wanted: str
) -> OutreachEntry:
    """The person agreed to be referred: a referral through the same intake service as a
    practice's (matched by NHS number, the record never overwritten), source proactive, with
    their consent recorded by the coordinator who spoke to them."""

    def referred(locked: OutreachEntry) -> dict[str, object]:
        if not locked.attempts.filter(outcome=ContactOutcome.SPOKE).exists():
            raise ValidationError(
                {"reasons": "Record the attempt where you spoke to the person before this."}
            )
        patient = locked.patient
        received = receive_referral(
            referred_by=by,
            practice=locked.practice,
            patient={
                **{name: getattr(patient, name) for name in PATIENT_FIELDS},
                "nhs_number": patient.nhs_number,
                "consent_to_referral": True,
            },
            referral={
                "source": ReferralSource.PROACTIVE,
                "reasons": sorted(reasons),
                "help_wanted": help_wanted or locked.reason,
            },
        )
        return {"referral": received.referral, "ended_at": timezone.now()}

    return _change(entry, by, OutreachAction.ACCEPT, referred)


@transaction.atomic
def decline_outreach(
    *, entry: OutreachEntry, by: User, declined_on: datetime.date
) -> OutreachEntry:
    """The person does not want social prescribing: coded for the practice's record."""

    def declined(locked: OutreachEntry) -> dict[str, object]:
        if declined_on > timezone.localdate():
            raise ValidationError({"declined_on": "The date must be today or in the past."})
        return {
            "snomed_code": SOCIAL_PRESCRIBING_DECLINED,
            "declined_on": declined_on,
            "ended_at": timezone.now(),
        }

    return _change(entry, by, OutreachAction.DECLINE, declined)


@transaction.atomic
def end_outreach_no_response(*, entry: OutreachEntry, by: User) -> OutreachEntry:
    """After OUTREACH_MAX_ATTEMPTS attempts without speaking to the person."""

    def unanswered(locked: OutreachEntry) -> dict[str, object]:
        attempts = locked.attempts.count()
        if attempts < settings.OUTREACH_MAX_ATTEMPTS:
            raise ValidationError(
                {
                    "attempts": f"Make {settings.OUTREACH_MAX_ATTEMPTS} attempts before closing "
                    f"as no response ({attempts} recorded)."
                }
            )
        return {"ended_at": timezone.now()}

    return _change(entry, by, OutreachAction.NO_RESPONSE, unanswered)
