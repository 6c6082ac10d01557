"""Reminders are created once under a unique key (kind, target, occurrence, recipient,
channel), so a sweep may run as often as it likes; delivery is in reminder_delivery."""

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..audit import AuditEntry, record_audit_events
from ..models import (
    REMINDER_KEY_FIELDS,
    Notification,
    Organisation,
    Reminder,
    ReminderChannel,
    ReminderStatus,
    User,
)
from .reminder_delivery import enqueue_reminder_deliveries, render_reminder


@dataclass(frozen=True)
class Recipient:
    """Someone a reminder is for: a user, or a patient reached only on consented channels."""

    key: str
    channels: tuple[str, ...]
    user: User | None = None
    name: str = ""
    email: str = ""
    phone: str = ""

    def address_for(self, channel: str) -> str:
        addresses: dict[str, str] = {
            ReminderChannel.EMAIL: self.email,
            ReminderChannel.SMS: self.phone,
        }
        return addresses.get(channel, "")


def user_recipient(user: User) -> Recipient:
    return Recipient(
        key=f"user:{user.pk}",
        channels=tuple(settings.REMINDER_USER_CHANNELS),
        user=user,
        name=user.display_name,
        email=user.email,
        phone=user.phone,
    )


_MISSING_ADDRESS: dict[str, str] = {
    ReminderChannel.EMAIL: "No email address is recorded.",
    ReminderChannel.SMS: "No mobile number is recorded.",
}


@dataclass(frozen=True)
class ReminderRequest:
    """The reminders one occurrence calls for: one per recipient and channel. Past
    `stale_after` the message is not worth sending any more, and delivery skips it."""

    kind: str
    target_type: str
    target_id: str | int
    occurrence: str
    recipients: Sequence[Recipient]
    context: dict[str, Any]
    link: str = ""
    team: Organisation | None = None
    patient_id: str | int = ""
    stale_after: datetime.datetime | None = None


def create_reminders(
    *,
    kind: str,
    target_type: str,
    target_id: str | int,
    occurrence: str,
    recipients: Iterable[Recipient],
    context: dict[str, Any],
    link: str = "",
    team: Organisation | None = None,
    patient_id: str | int = "",
    stale_after: datetime.datetime | None = None,
) -> list[Reminder]:
    """Record one reminder per recipient and channel unless it exists already; returns only the
    new ones (see create_reminders_in_bulk)."""
    request = ReminderRequest(
        kind=kind,
        target_type=target_type,
        target_id=target_id,
        occurrence=occurrence,
        recipients=list(recipients),
        context=context,
        link=link,
        team=team,
        patient_id=patient_id,
        stale_after=stale_after,
    )
    return create_reminders_in_bulk(requests=[request])


_ReminderKey = tuple[str, str, str, str, str, str]


def _reminder_key(reminder: Reminder) -> _ReminderKey:
    return tuple(getattr(reminder, name) for name in REMINDER_KEY_FIELDS)


@transaction.atomic
def create_reminders_in_bulk(*, requests: Sequence[ReminderRequest]) -> list[Reminder]:
    """Record the reminders these requests call for, skipping any that exist already (the
    unique key decides); returns only the new ones, each with an audit event.

    In-app ones are delivered here, in the same transaction (created sent, with their
    notification); email and text messages are enqueued after commit, so a rollback enqueues
    nothing. A sweep passes hundreds of requests at once: a handful of statements in all, not
    several per reminder.
    """
    now = timezone.now()
    wanted: dict[_ReminderKey, tuple[Reminder, ReminderRequest]] = {}
    for request in requests:
        for recipient in request.recipients:
            for channel in recipient.channels:
                reminder = _new_reminder(request, recipient, channel, now=now)
                wanted.setdefault(_reminder_key(reminder), (reminder, request))
    if not wanted:
        return []
    existing = set(
        Reminder.objects.filter(
            kind__in={key[0] for key in wanted},
            target_type__in={key[1] for key in wanted},
            target_id__in={key[2] for key in wanted},
        ).values_list(*REMINDER_KEY_FIELDS)
    )
    fresh = [pair for key, pair in wanted.items() if key not in existing]
    created = _insert_reminders([reminder for reminder, _ in fresh])
    request_of = {_reminder_key(reminder): request for reminder, request in fresh}
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=reminder.recipient,
                verb=reminder.kind,
                message=render_reminder(reminder, "subject.txt")[:300],
                link=reminder.link,
                reminder=reminder,
            )
            for reminder in created
            if reminder.channel == ReminderChannel.IN_APP
        ]
    )
    record_audit_events(
        entries=[
            AuditEntry(
                actor=None,
                action="reminder_created",
                object_type=reminder.target_type,
                object_id=reminder.target_id,
                patient_id=request_of[_reminder_key(reminder)].patient_id,
                detail=f"{reminder.kind} for {reminder.recipient_key} by {reminder.channel}"
                + (f": {reminder.last_error}" if reminder.status == ReminderStatus.SKIPPED else ""),
                team_id=reminder.team_id,
            )
            for reminder in created
        ]
    )
    to_send = [
        reminder.pk
        for reminder in created
        if reminder.channel != ReminderChannel.IN_APP and reminder.status == ReminderStatus.PENDING
    ]
    if to_send:
        # Robust: with the broker down the reminders stay pending (the request still succeeds)
        # and recover_reminders enqueues them once the broker is back.
        transaction.on_commit(lambda: enqueue_reminder_deliveries(to_send), robust=True)
    return created


def create_reminders_in_chunks(
    *,
    targets: QuerySet[Any] | Sequence[Any],
    build: Callable[[list[Any]], Iterable[ReminderRequest]],
) -> list[Reminder]:
    """A sweep's reminders, REMINDER_SWEEP_CHUNK_SIZE targets at a time, each chunk committed on
    its own: workers start sending after the first chunk instead of after the whole sweep, and
    a failure keeps what went before (the unique key lets the next run pick up the rest).

    A queryset is read a chunk at a time (its ids first); a list is simply sliced.
    """
    size = settings.REMINDER_SWEEP_CHUNK_SIZE
    if isinstance(targets, QuerySet):
        ids = list(targets.values_list("pk", flat=True))
        chunks = (
            list(targets.filter(pk__in=ids[start : start + size]))
            for start in range(0, len(ids), size)
        )
    else:
        chunks = (list(targets[start : start + size]) for start in range(0, len(targets), size))
    created: list[Reminder] = []
    for chunk in chunks:
        created += create_reminders_in_bulk(requests=list(build(chunk)))
    return created


def _new_reminder(
    request: ReminderRequest, recipient: Recipient, channel: str, *, now: datetime.datetime
) -> Reminder:
    address = recipient.address_for(channel)
    in_app = channel == ReminderChannel.IN_APP
    skipped = not in_app and not address
    if in_app:
        status = ReminderStatus.SENT
    else:
        status = ReminderStatus.SKIPPED if skipped else ReminderStatus.PENDING
    return Reminder(
        kind=request.kind,
        target_type=request.target_type,
        target_id=str(request.target_id),
        occurrence=request.occurrence,
        recipient_key=recipient.key,
        channel=channel,
        recipient=recipient.user,
        address=address,
        team=request.team,
        link=request.link[:300],
        context={**request.context, "recipient_name": recipient.name},
        next_attempt_at=now,
        stale_after=request.stale_after,
        status=status,
        attempts=1 if in_app else 0,
        sent_at=now if in_app else None,
        last_error=_MISSING_ADDRESS.get(channel, "") if skipped else "",
    )


def _insert_reminders(reminders: list[Reminder]) -> list[Reminder]:
    """One multi-row insert; if another process created one of the same reminders meanwhile,
    the unique key refuses the batch and each is created on its own, keeping only the new."""
    try:
        with transaction.atomic():
            return Reminder.objects.bulk_create(reminders, batch_size=1000)
    except IntegrityError:
        pass
    created = []
    for reminder in reminders:
        fields = {f.attname: getattr(reminder, f.attname) for f in Reminder._meta.concrete_fields}
        lookup = {name: fields.pop(name) for name in REMINDER_KEY_FIELDS}
        fields.pop("id")
        obj, is_new = Reminder.objects.get_or_create(**lookup, defaults=fields)
        if is_new:
            created.append(obj)
    return created
