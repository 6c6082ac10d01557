"""Reviewing progress with the primary care team: the coordinator flags a case for the
practice's multidisciplinary meeting and records the review held there (who attended, what was
agreed). Each is a timeline row on the case and an audit row; the review goes into the next
message back to the practice."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit_event
from common.input_limits import check_event_dates
from coordinators.errors import CaseNotOpen, NotInCaseTeam
from coordinators.models import CaseEvent, CaseEventKind
from referrals.models import Referral

from ..errors import AlreadyFlagged
from ..models import DiscussionFlag, PracticeReview

MAX_TEXT = 2000


def _locked_open_case(case: Referral, by: User, doing: str) -> Referral:
    if not by.is_team_member(case.team_id):
        raise NotInCaseTeam("Only the case's coordinator team can do this.")
    case = Referral.objects.select_for_update().get(pk=case.pk)
    if not case.is_open_case:
        raise CaseNotOpen(
            f"Case {case.reference} is {case.get_status_display().lower()}, so you cannot {doing}."
        )
    return case


def _record(*, case: Referral, by: User, kind: str, summary: str, obj: models.Model) -> None:
    CaseEvent.objects.create(
        referral=case, actor=by, occurred_at=timezone.now(), kind=kind, summary=summary[:300]
    )
    record_audit_event(
        actor=by,
        action=kind,
        object_type=obj._meta.model_name or "",
        object_id=obj.pk,
        patient_id=case.patient_id,
        team_id=case.team_id,
        detail=f"{case.reference}: {summary}"[:500],
    )


def _required(errors: dict[str, str], field: str, value: str, limit: int, message: str) -> str:
    value = value.strip()
    if not value:
        errors[field] = message
    elif len(value) > limit:
        errors[field] = f"{message.rstrip('.')} in at most {limit} characters."
    return value


@transaction.atomic
def flag_for_practice_discussion(*, case: Referral, by: User, reason: str) -> DiscussionFlag:
    """Puts the case on the practice's "cases to discuss" list until it is reviewed there."""
    case = _locked_open_case(case, by, "flag it for the practice meeting")
    errors: dict[str, str] = {}
    reason = _required(errors, "reason", reason, 300, "Say what the practice should discuss.")
    if errors:
        raise ValidationError(errors)
    if DiscussionFlag.objects.filter(referral=case, discussed_in=None).exists():
        raise AlreadyFlagged(
            f"Case {case.reference} is already on the practice's list of cases to discuss."
        )
    flag = DiscussionFlag.objects.create(
        referral=case, reason=reason, flagged_by=by, flagged_at=timezone.now()
    )
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.DISCUSSION_FLAGGED,
        summary=f"Flagged for the practice meeting: {reason}",
        obj=flag,
    )
    return flag


@transaction.atomic
def record_practice_review(
    *,
    case: Referral,
    by: User,
    held_on: datetime.date,
    attendees: str,
    agreed_actions: str,
    notes: str = "",
) -> PracticeReview:
    """The review closes the case's open flag: it was discussed."""
    case = _locked_open_case(case, by, "record a review with the practice")
    errors: dict[str, str] = {}
    attendees = _required(errors, "attendees", attendees, 300, "Say who attended.")
    agreed_actions = _required(
        errors, "agreed_actions", agreed_actions, MAX_TEXT, "Say what was agreed."
    )
    if len(notes) > MAX_TEXT:
        errors["notes"] = f"Keep the notes to at most {MAX_TEXT} characters."
    if held_on > timezone.localdate():
        errors["held_on"] = "The review's date must be today or in the past."
    elif held_on < timezone.localdate(case.received_at):
        errors["held_on"] = "The review's date cannot be before the referral was received."
    if errors:
        raise ValidationError(errors)
    check_event_dates(held_on=held_on)
    review = PracticeReview.objects.create(
        referral=case,
        held_on=held_on,
        attendees=attendees,
        notes=notes.strip(),
        agreed_actions=agreed_actions,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    DiscussionFlag.objects.filter(referral=case, discussed_in=None).update(discussed_in=review)
    _record(
        case=case,
        by=by,
        kind=CaseEventKind.PRACTICE_REVIEW,
        summary=f"Reviewed with the practice on {held_on:%d %B %Y} ({attendees}): "
        f"agreed {agreed_actions}",
        obj=review,
    )
    return review
