"""Telling the referrer: an in-app notice with the details, an email without them."""

import datetime
from dataclasses import replace

from django.db import transaction
from django.urls import reverse

from accounts.models import ReminderChannel
from accounts.services import create_reminders, notify, user_recipient

from ..models import Referral, ReferralEvent, ReferralPatientDetails, ReferralStatus

# An update is old news after two days: an email still unsent by then is not sent (the in-app
# notice stays).
EMAIL_WORTH_SENDING_FOR = datetime.timedelta(hours=48)

# The task (in `gp_messages`, above the apps that call it) that writes the message back to the
# practice for the GP record at each moment: named, never imported.
MESSAGE_BACK_TASK = "gp_messages.produce_message_back"

_NOTICE: dict[str, str] = {
    ReferralStatus.ACCEPTED: "Referral {ref} for {patient} was accepted by {team}.",
    ReferralStatus.DECLINED: "Referral {ref} for {patient} was declined: {reason}.",
    ReferralStatus.CLOSED: "Referral {ref} for {patient} was closed: {outcome}.",
}


def _name_the_referrer_gave(referral: Referral) -> str:
    """The referrer is told the name they gave, never the shared record's (another practice's)."""
    try:
        return referral.patient_details.full_name
    except ReferralPatientDetails.DoesNotExist:
        return "the patient"


def referrer_notice(referral: Referral, to_status: str) -> str:
    return _NOTICE[to_status].format(
        ref=referral.reference,
        patient=_name_the_referrer_gave(referral),
        team=referral.team.name,
        reason=referral.get_decline_reason_display().lower(),
        outcome=referral.get_outcome_display().lower(),
    )


def tell_referrer(*, referral: Referral, event: ReferralEvent) -> None:
    """The in-app notice now; the email (a reminder of kind referral_updated, once per event)
    goes once the change commits. Anyone with the mailbox can read an email, so it names only
    the reference and where to sign in (templates/reminders/referral_updated/); the notice,
    behind sign-in, has the patient, status, reason or outcome. A referral from the public
    self-referral page names an account nobody signs in to: no one to tell."""
    referrer = referral.referred_by
    if not referrer.is_active:
        return
    link = reverse("referrals:detail", args=[referral.reference])
    notify(
        recipient=referrer,
        verb=f"referral_{event.to_status}",
        message=referrer_notice(referral, event.to_status),
        link=link,
    )
    by_email = replace(user_recipient(referrer), channels=(ReminderChannel.EMAIL,))
    create_reminders(
        kind="referral_updated",
        target_type="referral_event",
        target_id=event.pk,
        occurrence=event.to_status,
        recipients=[by_email],
        context={"referral_reference": referral.reference},
        link=link,
        team=referral.team,
        patient_id=referral.patient_id,
        stale_after=event.occurred_at + EMAIL_WORTH_SENDING_FOR,
    )


@transaction.atomic
def record_message_back_sent(*, referral_id: int, sent_at: datetime.datetime) -> None:
    """A message back reached the practice: its status is unchanged, but what the practice's
    system follows changed (the message is an output of the referral's FHIR Task), so the
    referral's updated_at, which their `_lastUpdated` polling reads by index, moves to the
    message's time. Never backwards: a later status change already counts."""
    Referral.objects.filter(pk=referral_id, updated_at__lt=sent_at).update(updated_at=sent_at)
