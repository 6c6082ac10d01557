"""The referring practice adds information to a referral it sent: the receiving team sees
each addition on the referral, and the assigned coordinator is told."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from accounts.models import Membership, Role, User
from accounts.services import notify, record_audit_event
from common.input_limits import NOTE_MAX_LENGTH

from ..errors import IllegalTransition, NotInReferringPractice
from ..models import Referral, ReferralInformation
from .guards import locked_referral


@transaction.atomic
def add_referral_information(*, referral: Referral, by: User, text: str) -> ReferralInformation:
    """Only a referrer of the referring practice, and only while the referral is open: an
    ended referral has nobody left to read it."""
    if not Membership.objects.filter(
        user=by, organisation_id=referral.referring_practice_id, role=Role.REFERRER
    ).exists():
        raise NotInReferringPractice("Only the practice that made the referral can add to it.")
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter the information to add to the referral."})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"text": f"The information must be {NOTE_MAX_LENGTH} characters or fewer."}
        )
    referral = locked_referral(referral)
    if not referral.is_open:
        raise IllegalTransition(
            f"Referral {referral.reference} has ended ({referral.get_status_display().lower()}): "
            "information can no longer be added. Contact the team directly."
        )
    added = ReferralInformation.objects.create(referral=referral, text=text, added_by=by)
    record_audit_event(
        actor=by,
        action="update",
        object_type="referral",
        object_id=referral.pk,
        patient_id=referral.patient_id,
        team_id=referral.team_id,
        detail=f"information added to {referral.reference}",
    )
    if referral.assigned_to is not None:
        notify(
            recipient=referral.assigned_to,
            verb="referral_information_added",
            message=f"The referring practice added information to referral {referral.reference}.",
            link=reverse("referrals:detail", args=[referral.reference]),
        )
    return added
