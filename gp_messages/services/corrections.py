"""Correcting a message back that was sent: never an edit. A new version with the corrected
sections supersedes it; the old one is kept, marked superseded, and the practice is told (in
the app and by an email that names no patient) that a corrected message is waiting."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role, User
from accounts.services import create_reminders, record_audit_event, user_recipient
from coordinators.errors import NotInCaseTeam
from referrals.services import record_message_back_sent

from ..errors import MessageAlreadyCorrected
from ..models import MessageBack

MAX_LINES_PER_SECTION = 60
MAX_LINE_LENGTH = 1000
MAX_REASON_LENGTH = 1000


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _corrected_sections(
    sent: list[dict], corrected: Mapping[str, str]
) -> tuple[list[dict], dict[str, str]]:
    """The sent sections with the corrected lines; the keys and titles never change."""
    errors: dict[str, str] = {}
    sections = []
    for section in sent:
        key = section["key"]
        lines = _lines(corrected[key]) if key in corrected else list(section["lines"])
        if len(lines) > MAX_LINES_PER_SECTION:
            errors[key] = f"{section['title']}: at most {MAX_LINES_PER_SECTION} lines."
        elif any(len(line) > MAX_LINE_LENGTH for line in lines):
            errors[key] = f"{section['title']}: each line at most {MAX_LINE_LENGTH} characters."
        elif key == "patient" and not lines:
            errors[key] = "Patient: say who the message is about."
        sections.append({"key": key, "title": section["title"], "lines": lines})
    return sections, errors


@transaction.atomic
def correct_message_back(
    *, message: MessageBack, by: User, sections: Mapping[str, str], reason: str
) -> MessageBack:
    """`sections` maps a section's key to its corrected text (one line per line); a section
    not given stays as sent. The codes stay as sent: they were dated when the episode began."""
    old = MessageBack.objects.select_for_update().get(pk=message.pk)
    case = old.referral
    if not by.is_team_member(case.team_id):
        raise NotInCaseTeam("Only the case's coordinator team can correct its messages.")
    if old.superseded_at is not None:
        newest = MessageBack.objects.filter(
            referral=case, moment=old.moment, review=old.review
        ).first()
        raise MessageAlreadyCorrected(
            f"Version {old.version} of this message was already corrected: correct the newest "
            f"version (version {newest.version if newest else old.version + 1}) instead."
        )
    reason = reason.strip()
    new_sections, errors = _corrected_sections(old.sections, sections)
    if not reason:
        errors["reason"] = "Say what was wrong in the message sent."
    elif len(reason) > MAX_REASON_LENGTH:
        errors["reason"] = f"Say what was wrong in at most {MAX_REASON_LENGTH} characters."
    if not errors and new_sections == old.sections:
        errors["sections"] = (
            "Nothing was changed: correct a section, or leave the message as it is."
        )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    old.superseded_at = now
    old.save(update_fields=["superseded_at"])
    new = MessageBack.objects.create(
        referral=case,
        moment=old.moment,
        review=old.review,
        version=old.version + 1,
        supersedes=old,
        sections=new_sections,
        codes=old.codes,
        sent_at=now,
        corrected_by=by,
        correction_reason=reason,
    )
    record_message_back_sent(referral_id=case.pk, sent_at=new.sent_at)
    record_audit_event(
        actor=by,
        action="correct",
        object_type="message_back",
        object_id=new.pk,
        patient_id=case.patient_id,
        team_id=case.team_id,
        detail=f"{case.reference}: version {new.version} supersedes version {old.version}",
    )
    _tell_the_practice(new)
    return new


def _tell_the_practice(message: MessageBack) -> None:
    """Each referrer of the practice, once per version: in the app and by email."""
    referrers = [
        membership.user
        for membership in Membership.objects.filter(
            role=Role.REFERRER,
            organisation_id=message.referral.referring_practice_id,
            user__is_active=True,
        ).select_related("user")
    ]
    create_reminders(
        kind="message_back_corrected",
        target_type="message_back",
        target_id=message.pk,
        occurrence="corrected",
        recipients=[user_recipient(user) for user in referrers],
        context={},
        link=reverse("gp_messages:detail", args=[message.public_id]),
    )
