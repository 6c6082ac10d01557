"""Telling the referrer: an in-app notice with the details, an email without them."""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.services import notify
from common.enqueue import send_task, send_task_after_commit

from ..models import ProviderLink, Referral, ReferralEvent, ReferralPatientDetails, ReferralStatus

# The task (in `gp_messages`, above the apps that call it) that writes the message back to the
# practice for the GP record at each moment: named, never imported.
MESSAGE_BACK_TASK = "gp_messages.produce_message_back"

_NOTICE = {
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


def referrer_email(referral: Referral) -> tuple[str, str]:
    """The subject and body of the email to the referrer: only that the referral changed, and
    where to sign in. Anyone with the mailbox can read an email, so no patient name, status,
    reason or outcome; the in-app notice (behind sign-in) has those."""
    link = settings.SITE_URL + reverse("referrals:detail", args=[referral.reference])
    subject = f"Social prescribing referral {referral.reference} has been updated"
    body = (
        f"There is an update on social prescribing referral {referral.reference}.\n\n"
        f"Sign in to the social prescribing service to see it:\n{link}\n\n"
        "This is an automatic message from the social prescribing referral service. "
        "Please do not reply to it."
    )
    return subject, body


def tell_referrer(*, referral: Referral, event: ReferralEvent) -> None:
    """The in-app notice now; the email once the change commits (sent once per event). A
    referral from the public self-referral page names an account nobody signs in to: no one
    to tell."""
    if not referral.referred_by.is_active:
        return
    notify(
        recipient=referral.referred_by,
        verb=f"referral_{event.to_status}",
        message=referrer_notice(referral, event.to_status),
        link=reverse("referrals:detail", args=[referral.reference]),
    )
    send_task_after_commit("referrals.email_referrer_about_event", event_id=event.pk)


@transaction.atomic
def email_referrer_about_event(*, event_id: int) -> bool:
    """Send the referrer the email for one status change, once: a retry never sends it twice."""
    event = (
        ReferralEvent.objects.select_for_update(of=("self",))
        .select_related("referral__referred_by")
        .get(pk=event_id)
    )
    if event.referrer_emailed_at is not None:
        return False
    referral = event.referral
    recipient = referral.referred_by
    if not recipient.email or not recipient.is_active:
        return False
    subject, body = referrer_email(referral)
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[recipient.email])
    event.referrer_emailed_at = timezone.now()
    event.save(update_fields=["referrer_emailed_at"])
    return True


def recover_unsent_emails(*, now: datetime.datetime | None = None) -> int:
    """Emails to referrers and providers are enqueued after commit; with the broker down the
    change is kept and the enqueue is lost. Enqueue again what is still unsent
    EMAIL_RECOVERY_GRACE_SECONDS after it was due, for EMAIL_RECOVERY_WINDOW_HOURS: each send
    is once-only (its own sent mark), so a task that was only slow costs nothing."""
    now = now or timezone.now()
    window = (
        now - datetime.timedelta(hours=settings.EMAIL_RECOVERY_WINDOW_HOURS),
        now - datetime.timedelta(seconds=settings.EMAIL_RECOVERY_GRACE_SECONDS),
    )
    event_ids = list(
        ReferralEvent.objects.filter(
            to_status__in=list(_NOTICE),
            referrer_emailed_at=None,
            occurred_at__range=window,
            referral__referred_by__is_active=True,
        )
        .exclude(referral__referred_by__email="")
        .values_list("pk", flat=True)[:1000]
    )
    link_ids = list(
        ProviderLink.objects.filter(
            emailed_at=None, issued_at__range=window, expires_at__gt=now
        ).values_list("pk", flat=True)[:1000]
    )
    for event_id in event_ids:
        send_task("referrals.email_referrer_about_event", kwargs={"event_id": event_id})
    for link_id in link_ids:
        send_task("referrals.email_provider_link", kwargs={"link_id": link_id})
    return len(event_ids) + len(link_ids)
