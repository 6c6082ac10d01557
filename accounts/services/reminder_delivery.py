"""Delivering a reminder exactly once: claimed by one statement, sent, marked sent, retried with
backoff, recovered when a worker dies, and retried by hand once it has failed."""

import contextlib
import datetime
import smtplib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from common.enqueue import send_task
from common.errors import DomainError

from ..audit import record_audit_event
from ..models import Reminder, ReminderChannel, ReminderStatus, User
from ..sms import DeliveryError, get_sms_backend


class ReminderNotFailed(DomainError):
    code = "reminder_not_failed"


def render_reminder(reminder: Reminder, part: str) -> str:
    """One part of a reminder's message from templates/reminders/<kind>/<part>."""
    context = {
        **reminder.context,
        "recipient_name": reminder.context.get("recipient_name", ""),
        "link": f"{settings.SITE_URL}{reminder.link}" if reminder.link else settings.SITE_URL,
        "reference": str(reminder.reference),
    }
    return render_to_string(f"reminders/{reminder.kind}/{part}", context).strip()


def enqueue_reminder_deliveries(reminder_ids: Sequence[int]) -> None:
    """A single reminder goes as its own task; many go in batches, so a sweep of thousands
    costs a few hundred tasks, not thousands (each is still claimed on its own)."""
    if len(reminder_ids) == 1:
        enqueue_reminder_delivery(reminder_ids[0])
        return
    size = settings.REMINDER_DELIVERY_BATCH_SIZE
    for start in range(0, len(reminder_ids), size):
        send_task(
            "accounts.deliver_reminders",
            args=[list(reminder_ids[start : start + size])],
            queue=settings.REMINDER_QUEUE,
        )


def enqueue_reminder_delivery(reminder_id: int, countdown: int | None = None) -> None:
    send_task(
        "accounts.deliver_reminder",
        args=[reminder_id],
        queue=settings.REMINDER_QUEUE,
        countdown=countdown,
    )


def retry_delay_seconds(attempts: int) -> int:
    """Exponential backoff, capped well below the broker's visibility timeout."""
    base = settings.REMINDER_RETRY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return int(min(settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS, base))


@dataclass(frozen=True)
class DeliveryOutcome:
    status: str
    retry_in: int | None = None


def _claimable(now: datetime.datetime) -> Q:
    stale = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    return Q(status=ReminderStatus.PENDING) | Q(status=ReminderStatus.CLAIMED, claimed_at__lt=stale)


_STALE = "Not sent: it was out of date (past its stale_after) before it could go."


def deliver_reminder(*, reminder_id: int) -> DeliveryOutcome:
    """Claim, send, mark sent (see deliver_reminders)."""
    outcomes = deliver_reminders(reminder_ids=[reminder_id])
    return outcomes.get(reminder_id, DeliveryOutcome("not_claimable"))


def deliver_reminders(
    *, reminder_ids: Sequence[int], stop_at: float | None = None
) -> dict[int, DeliveryOutcome]:
    """Claim, send, mark sent: each step is one autocommitted statement, never a transaction
    held open across the provider call.

    The claim is a single UPDATE … WHERE status is pending (or claimed by a worker that has
    since died), so two tasks for one reminder cannot both send it; a batch is claimed by one
    such statement. "Sent" is recorded by the very next statement after the provider accepted
    each message; a crash between the two is the one window no design closes, and the
    reminder's reference went to the provider so such a resend can be recognised there.

    Past `stop_at` (time.monotonic) the claims not yet sent are handed back, still pending, and
    their outcome is "released": the caller enqueues them again. One claimed past its
    `stale_after` is not sent: it is marked skipped with the reason (outcome "stale").
    Unclaimable ids are left out.
    """
    now = timezone.now()
    outcomes: dict[int, DeliveryOutcome] = {}
    Reminder.objects.filter(pk__in=reminder_ids).exclude(channel=ReminderChannel.IN_APP).filter(
        _claimable(now)
    ).update(status=ReminderStatus.CLAIMED, claimed_at=now, attempts=F("attempts") + 1)
    # This claim's rows are the ones stamped with its own claimed_at.
    claimed = Reminder.objects.filter(
        pk__in=reminder_ids, status=ReminderStatus.CLAIMED, claimed_at=now
    ).order_by("pk")
    connection = get_connection()
    # SMTP: one login for the batch. If it fails, each send tries again and fails on its own.
    with contextlib.suppress(OSError, smtplib.SMTPException):
        connection.open()
    try:
        for reminder in claimed:
            if stop_at is not None and time.monotonic() > stop_at:
                outcomes[reminder.pk] = _release_claim(reminder)
                continue
            if reminder.stale_after is not None and reminder.stale_after <= now:
                outcomes[reminder.pk] = _skip_stale(reminder)
                continue
            try:
                provider_message_id = _send(reminder, connection=connection)
            except (DeliveryError, SoftTimeLimitExceeded) as exc:
                outcomes[reminder.pk] = _after_failed_attempt(reminder, exc)
                continue
            Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.CLAIMED).update(
                status=ReminderStatus.SENT,
                sent_at=timezone.now(),
                provider_message_id=provider_message_id,
            )
            outcomes[reminder.pk] = DeliveryOutcome("sent")
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            connection.close()
    return outcomes


def _release_claim(reminder: Reminder) -> DeliveryOutcome:
    Reminder.objects.filter(
        pk=reminder.pk, status=ReminderStatus.CLAIMED, claimed_at=reminder.claimed_at
    ).update(status=ReminderStatus.PENDING, claimed_at=None, attempts=F("attempts") - 1)
    return DeliveryOutcome("released")


def _skip_stale(reminder: Reminder) -> DeliveryOutcome:
    """Claimed, then found out of date: skipped with the reason, and not counted as an attempt."""
    Reminder.objects.filter(
        pk=reminder.pk, status=ReminderStatus.CLAIMED, claimed_at=reminder.claimed_at
    ).update(status=ReminderStatus.SKIPPED, last_error=_STALE, attempts=F("attempts") - 1)
    return DeliveryOutcome("stale")


def _send(reminder: Reminder, *, connection: BaseEmailBackend | None = None) -> str:
    reference = str(reminder.reference)
    if reminder.channel == ReminderChannel.SMS:
        return get_sms_backend().send(
            to=reminder.address, body=render_reminder(reminder, "sms.txt"), reference=reference
        )
    message = EmailMultiAlternatives(
        subject=render_reminder(reminder, "subject.txt"),
        body=render_reminder(reminder, "body.txt"),
        to=[reminder.address],
        headers={
            "Message-ID": f"<{reference}@{settings.REMINDER_MESSAGE_ID_DOMAIN}>",
            "X-Reminder-ID": reference,
        },
        connection=connection,
    )
    message.attach_alternative(render_reminder(reminder, "body.html"), "text/html")
    try:
        message.send()
    except (OSError, smtplib.SMTPException) as exc:
        permanent = isinstance(exc, smtplib.SMTPRecipientsRefused)
        raise DeliveryError(f"The email was not accepted: {exc}", permanent=permanent) from exc
    return f"<{reference}@{settings.REMINDER_MESSAGE_ID_DOMAIN}>"


def _after_failed_attempt(reminder: Reminder, exc: Exception) -> DeliveryOutcome:
    error = str(exc)[:500] or exc.__class__.__name__
    permanent = getattr(exc, "permanent", False)
    ours = Reminder.objects.filter(
        pk=reminder.pk, status=ReminderStatus.CLAIMED, claimed_at=reminder.claimed_at
    )
    if permanent or reminder.attempts >= settings.REMINDER_MAX_ATTEMPTS:
        ours.update(status=ReminderStatus.FAILED, last_error=error)
        return DeliveryOutcome("failed")
    delay = retry_delay_seconds(reminder.attempts)
    ours.update(
        status=ReminderStatus.PENDING,
        claimed_at=None,
        last_error=error,
        next_attempt_at=timezone.now() + datetime.timedelta(seconds=delay),
    )
    return DeliveryOutcome("retry", retry_in=delay)


def recover_reminders(*, now: datetime.datetime | None = None) -> int:
    """Enqueue again what a dead worker or a lost message left behind: claims older than the
    claim timeout, and pending reminders well past their attempt time. A duplicate task is
    harmless: only one of them can claim the reminder. What has gone past its `stale_after`
    meanwhile is marked skipped instead (one statement), not enqueued."""
    now = now or timezone.now()
    stale_claim = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    overdue = now - datetime.timedelta(seconds=settings.REMINDER_PENDING_GRACE_SECONDS)
    left_behind = Reminder.objects.exclude(channel=ReminderChannel.IN_APP).filter(
        Q(status=ReminderStatus.CLAIMED, claimed_at__lt=stale_claim)
        | Q(status=ReminderStatus.PENDING, next_attempt_at__lt=overdue)
    )
    left_behind.filter(stale_after__lte=now).update(
        status=ReminderStatus.SKIPPED, claimed_at=None, last_error=_STALE
    )
    ids = list(left_behind.values_list("pk", flat=True)[:1000])
    if ids:
        enqueue_reminder_deliveries(ids)
    return len(ids)


@transaction.atomic
def retry_failed_reminder(*, reminder: Reminder, by: User) -> Reminder:
    """A manager sends a failed reminder again: back to pending with a fresh set of attempts."""
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if reminder.status != ReminderStatus.FAILED:
        raise ReminderNotFailed(
            f"This reminder is {reminder.get_status_display().lower()}, so it cannot be retried."
        )
    reminder.status = ReminderStatus.PENDING
    reminder.attempts = 0
    reminder.claimed_at = None
    reminder.next_attempt_at = timezone.now()
    reminder.save(update_fields=["status", "attempts", "claimed_at", "next_attempt_at"])
    record_audit_event(
        actor=by,
        action="reminder_retry",
        object_type="reminder",
        object_id=reminder.pk,
        detail=f"{reminder.kind} for {reminder.recipient_key} by {reminder.channel}",
    )
    # Robust: with the broker down the reminder stays pending; recover_reminders sends it later.
    transaction.on_commit(partial(enqueue_reminder_delivery, reminder.pk), robust=True)
    return reminder
