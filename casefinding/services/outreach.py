"""The team's outreach to the people a practice identified: take one, record each attempt,
end it as accepted (a referral through intake), declined (coded for the practice) or no
response after OUTREACH_MAX_ATTEMPTS attempts. One function per change of status."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit_event
from referrals.errors import IllegalTransition, NotInReceivingTeam
from referrals.models import ContactOutcome, ReferralSource
from referrals.selectors import team_ids_of
from referrals.services import PATIENT_FIELDS, check_attempt, receive_referral

from ..models import (
    OPEN_OUTREACH,
    SOCIAL_PRESCRIBING_DECLINED,
    OutreachAttempt,
    OutreachEntry,
    OutreachStatus,
)


def _locked(entry: OutreachEntry, by: User, *, allowed: tuple[str, ...], doing: str):
    if entry.team_id not in team_ids_of(by):
        raise NotInReceivingTeam("Only the practice's coordinator team can do this.")
    entry = OutreachEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status not in allowed:
        raise IllegalTransition(
            f"{entry.patient.full_name} is {entry.get_status_display().lower()} on the "
            f"worklist, so cannot be {doing}."
        )
    return entry


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
    entry = _locked(entry, by, allowed=(OutreachStatus.IDENTIFIED,), doing="taken")
    entry.status, entry.assigned_to, entry.taken_at = OutreachStatus.TAKEN, by, timezone.now()
    entry.save(update_fields=["status", "assigned_to", "taken_at"])
    _audit(entry, by, "outreach_take", "taken to contact")
    return entry


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
    entry = _locked(entry, by, allowed=(OutreachStatus.TAKEN,), doing="contacted")
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


def _end(entry: OutreachEntry, by: User, status: str, **fields) -> OutreachEntry:
    entry.status, entry.ended_at = status, timezone.now()
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.save(update_fields=["status", "ended_at", *fields])
    _audit(entry, by, f"outreach_{status}", OutreachStatus(status).label)
    return entry


@transaction.atomic
def accept_outreach(
    *, entry: OutreachEntry, by: User, reasons: list[str], help_wanted: str
) -> OutreachEntry:
    """The person agreed to be referred: a referral through the same intake service as a
    practice's (matched by NHS number, the record never overwritten), source proactive, with
    their consent recorded by the coordinator who spoke to them."""
    entry = _locked(entry, by, allowed=(OutreachStatus.TAKEN,), doing="accepted")
    if not entry.attempts.filter(outcome=ContactOutcome.SPOKE).exists():
        raise ValidationError(
            {"reasons": "Record the attempt where you spoke to the person before this."}
        )
    listed = entry.listed
    patient = entry.patient
    received = receive_referral(
        referred_by=by,
        practice=entry.practice,
        patient={
            **{name: getattr(patient, name) for name in PATIENT_FIELDS},
            "nhs_number": patient.nhs_number,
            "consent_to_referral": True,
        },
        referral={
            "source": ReferralSource.PROACTIVE,
            "reasons": sorted(reasons),
            "help_wanted": help_wanted,
            "access_needs": "",
            "risk_notes": "",
            "risk_flag": False,
            "urgency": "routine",
        }
        | ({"help_wanted": help_wanted or listed.get("reason", "")}),
    )
    return _end(entry, by, OutreachStatus.ACCEPTED, referral=received.referral)


@transaction.atomic
def decline_outreach(
    *, entry: OutreachEntry, by: User, declined_on: datetime.date
) -> OutreachEntry:
    """The person does not want social prescribing: coded for the practice's record."""
    entry = _locked(entry, by, allowed=OPEN_OUTREACH, doing="marked as declined")
    if declined_on > timezone.localdate():
        raise ValidationError({"declined_on": "The date must be today or in the past."})
    return _end(
        entry,
        by,
        OutreachStatus.DECLINED,
        snomed_code=SOCIAL_PRESCRIBING_DECLINED,
        declined_on=declined_on,
    )


@transaction.atomic
def end_outreach_no_response(*, entry: OutreachEntry, by: User) -> OutreachEntry:
    """After OUTREACH_MAX_ATTEMPTS attempts without speaking to the person."""
    entry = _locked(entry, by, allowed=(OutreachStatus.TAKEN,), doing="closed as no response")
    attempts = entry.attempts.count()
    if attempts < settings.OUTREACH_MAX_ATTEMPTS:
        raise ValidationError(
            {
                "attempts": f"Make {settings.OUTREACH_MAX_ATTEMPTS} attempts before closing as "
                f"no response ({attempts} recorded)."
            }
        )
    return _end(entry, by, OutreachStatus.NO_RESPONSE)
