"""Trying to reach the patient: each attempt recorded as it happens, so the unable-to-contact
closure cites the attempts themselves (when, how, what happened)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit_event
from common.input_limits import check_event_dates

from ..errors import IllegalTransition
from ..models import ContactAttempt, ContactMethod, ContactOutcome, Referral, ReferralStatus
from .guards import locked_referral, require_team_member

# Before first contact is recorded the team is still trying to reach the patient.
TRYING_TO_CONTACT = (ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED)


def check_attempt(
    *, attempted_on: datetime.date, method: str, outcome: str, not_before: datetime.date
) -> None:
    """The rules for one attempt, shared with outreach: a real method and outcome, a date
    neither in the future nor before the person was known to us."""
    errors: dict[str, str] = {}
    if method not in ContactMethod.values:
        errors["method"] = "Choose how you tried to contact the person."
    if outcome not in ContactOutcome.values:
        errors["outcome"] = "Choose what happened."
    if attempted_on > timezone.localdate():
        errors["attempted_on"] = "The date of the attempt must be today or in the past."
    elif attempted_on < not_before:
        errors["attempted_on"] = (
            f"The date of the attempt cannot be before {not_before:%-d %B %Y}, "
            "when we received the person's details."
        )
    if errors:
        raise ValidationError(errors)
    check_event_dates(attempted_on=attempted_on)


@transaction.atomic
def record_contact_attempt(
    *,
    referral: Referral,
    by: User,
    attempted_on: datetime.date,
    method: str,
    outcome: str,
    note: str = "",
) -> ContactAttempt:
    """One attempt to reach the patient of a referral not yet in contact."""
    require_team_member(by, referral)
    referral = locked_referral(referral)
    if referral.status not in TRYING_TO_CONTACT:
        raise IllegalTransition(
            f"Referral {referral.reference} is {referral.get_status_display().lower()}: "
            "contact attempts are recorded before first contact."
        )
    check_attempt(
        attempted_on=attempted_on,
        method=method,
        outcome=outcome,
        not_before=timezone.localtime(referral.received_at).date(),
    )
    attempt = ContactAttempt.objects.create(
        referral=referral,
        attempted_on=attempted_on,
        method=method,
        outcome=outcome,
        note=note,
        recorded_by=by,
    )
    record_audit_event(
        actor=by,
        action="contact_attempt",
        object_type="referral",
        object_id=referral.pk,
        patient_id=referral.patient_id,
        team_id=referral.team_id,
        detail=f"attempt {attempted_on:%Y-%m-%d} by {method}: {outcome}",
    )
    return attempt


def attempts_summary(attempts: list[ContactAttempt]) -> str:
    """The closure's words for the practice: each attempt, in order."""
    listed = "; ".join(str(attempt) for attempt in attempts)
    plural = "s" if len(attempts) != 1 else ""
    return f"Unable to contact after {len(attempts)} attempt{plural}: {listed}."
