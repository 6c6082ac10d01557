import contextlib
import datetime
import smtplib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from knox.models import AuthToken

from common.enqueue import send_task
from common.errors import DomainError

from .audit_chain import (  # noqa: F401 - verify_audit_chain is part of this API
    GENESIS_HASH,
    AuditVerification,
    audit_event_digest,
    verify_audit_chain,
)
from .models import (
    REMINDER_KEY_FIELDS,
    ROLE_ORGANISATION_KIND,
    APITokenGrant,
    AuditEvent,
    AuditHashScheme,
    JobRun,
    Membership,
    Notification,
    Organisation,
    OrganisationKind,
    Reminder,
    ReminderChannel,
    ReminderStatus,
    Role,
    User,
)
from .request_context import current_request_context
from .sms import DeliveryError, get_sms_backend

# Any constant will do: it names the lock that serialises appends to the chain on PostgreSQL.
_AUDIT_CHAIN_LOCK_KEY = 0x5A0D17


class MembershipError(Exception):
    pass


class ReminderNotFailed(DomainError):
    code = "reminder_not_failed"


@dataclass(frozen=True)
class AuditEntry:
    """One event to append to the audit trail (see record_audit_events)."""

    actor: User | None
    action: str
    object_type: str
    object_id: str | int = ""
    patient_id: str | int = ""
    detail: str = ""
    team_id: int | None = None


def record_audit_event(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: str | int = "",
    patient_id: str | int = "",
    detail: str = "",
    team_id: int | None = None,
) -> AuditEvent:
    """Append one event to the audit trail, chained to the one before it. `team_id` names the
    team whose case the event is about, so that a shared patient's trail is seen per team."""
    (event,) = record_audit_events(
        entries=[AuditEntry(actor, action, object_type, object_id, patient_id, detail, team_id)]
    )
    return event


@dataclass(frozen=True)
class Listed:
    """One record shown in a list, and the patient it is about."""

    object_id: str | int
    patient_id: str | int


def record_list_viewed(
    *, actor: User | None, what: str, object_type: str, listed: Sequence[Listed]
) -> list[AuditEvent]:
    """A list page: one event per record shown, with its patient, so that who saw a patient
    finds list views too (one insert for the page); an empty page still leaves one event."""
    if not listed:
        return [
            record_audit_event(
                actor=actor, action="view_list", object_type=object_type, detail=f"{what}: 0 shown"
            )
        ]
    total = len(listed)
    return record_audit_events(
        entries=[
            AuditEntry(
                actor,
                "view_list",
                object_type,
                record.object_id,
                record.patient_id,
                f"{what}: {number} of {total} shown",
            )
            for number, record in enumerate(listed, start=1)
        ]
    )


def record_audit_list_viewed(
    *, by: User, filters: dict[str, str], page_number: int, shown: int
) -> AuditEvent:
    """Reading the trail is itself audited, with what was searched for; a search for one
    patient lands in that patient's own trail."""
    searched = ", ".join(f"{name}={value}" for name, value in filters.items() if value)
    patient_id = filters.get("patient_id", "")
    return record_audit_event(
        actor=by,
        action="view_list",
        object_type="audit_event",
        patient_id=patient_id if patient_id.isdigit() else "",
        detail=f"audit list ({searched or 'no filters'}), page {page_number}: {shown} shown",
    )


@transaction.atomic(savepoint=False)
def record_audit_events(*, entries: Sequence[AuditEntry]) -> list[AuditEvent]:
    """Append events to the audit trail in order, each chained to the one before it.

    No savepoint of its own: inside a change's transaction, an append that fails fails the
    whole change, so no caller can catch the error and commit the change unaudited.

    The chain needs a total order, so appends take a transaction-scoped lock on PostgreSQL
    (SQLite already serialises writers). A sweep appends thousands at once: one lock, one read
    of the last hash and one multi-row insert, instead of all three per event.
    """
    if not entries:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_CHAIN_LOCK_KEY])
    previous_hash = (
        AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH
    )
    context = current_request_context()
    occurred_at = timezone.now()
    events = []
    for entry in entries:
        actor = entry.actor if entry.actor is not None and entry.actor.is_authenticated else None
        fields = {
            "occurred_at": occurred_at,
            "actor_id": actor.pk if actor else None,
            "actor_label": actor.email if actor else "",
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": str(entry.object_id),
            "patient_id": str(entry.patient_id) if entry.patient_id else "",
            "ip_address": context.ip_address,
            "request_id": context.request_id,
            "client_request_id": context.client_request_id,
            "team_id": entry.team_id,
            "detail": entry.detail[:500],
        }
        digest = audit_event_digest(
            scheme=AuditHashScheme.HMAC_SHA256, previous_hash=previous_hash, **fields
        )
        events.append(
            AuditEvent(
                previous_hash=previous_hash,
                hash=digest,
                hash_scheme=AuditHashScheme.HMAC_SHA256,
                **fields,
            )
        )
        previous_hash = digest
    if len(events) == 1:
        events[0].save(force_insert=True)
        return events
    # One statement keeps the ids in list order, which is the order the chain is verified in.
    return AuditEvent.objects.bulk_create(events, batch_size=1000)


@transaction.atomic
def add_member(*, user: User, organisation: Organisation, role: str) -> Membership:
    """Give a user a role in an organisation of the matching kind."""
    if role not in Role.values:
        raise MembershipError(f"Unknown role {role!r}.")
    if organisation.kind != ROLE_ORGANISATION_KIND[role]:
        expected = OrganisationKind(ROLE_ORGANISATION_KIND[role]).label.lower()
        raise MembershipError(f"A {Role(role).label.lower()} must belong to a {expected}.")
    membership, _ = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    return membership


def notify(*, recipient: User, verb: str, message: str, link: str = "") -> Notification:
    """Leave an in-app notice for one person (created inside the caller's transaction)."""
    return Notification.objects.create(
        recipient=recipient, verb=verb, message=message[:300], link=link[:300]
    )


def mark_notifications_read(*, recipient: User, link: str) -> int:
    """A notice is read once its person has opened the page it points to."""
    return Notification.objects.filter(recipient=recipient, link=link, read_at=None).update(
        read_at=timezone.now()
    )


@transaction.atomic
def end_user_sessions(
    *, user: User, actor: User | None, keep_session_key: str | None = None
) -> int:
    """Log a user out everywhere: every session they hold is deleted (but the one named by
    `keep_session_key`, the person's own after a password change) and every API token is
    revoked, since a token is a session too."""
    from allauth.usersessions.models import UserSession

    # Every session row, not allauth's purge_and_list: that drops the rows of sessions whose
    # password hash is stale but leaves their data in the session store.
    sessions = list(UserSession.objects.filter(user=user).exclude(session_key=keep_session_key))
    live = 0
    for session in sessions:
        live += session.exists()  # a row can outlive its session (the key cycled at a change)
        session.end()
    tokens = revoke_api_tokens(user=user)
    record_audit_event(
        actor=actor,
        action="sessions_ended",
        object_type="user",
        object_id=user.pk,
        detail=f"{live} session(s) ended, {tokens} API token(s) revoked"
        + (", the current session kept" if keep_session_key else ""),
    )
    return live


# --- API tokens (django-rest-knox): only a hash is stored; they expire and lapse when idle.


@transaction.atomic
def issue_api_token(*, user: User, mfa_verified: bool) -> tuple[AuthToken, str]:
    """A new token for `user`; returns the row and the secret, which is shown once and never
    stored. `mfa_verified` says the session asking for it passed the second factor."""
    token, secret = AuthToken.objects.create(
        user=user, expiry=datetime.timedelta(seconds=settings.API_TOKEN_TTL_SECONDS)
    )
    APITokenGrant.objects.create(token=token, mfa_verified=mfa_verified, last_used_at=token.created)
    record_audit_event(
        actor=user,
        action="api_token_issued",
        object_type="api_token",
        object_id=token.token_key,
        detail=f"expires {token.expiry.isoformat(timespec='seconds')}"
        + (", after two-factor sign-in" if mfa_verified else ""),
    )
    return token, secret


@transaction.atomic
def revoke_api_token(*, token: AuthToken, actor: User | None, reason: str = "revoked") -> None:
    record_audit_event(
        actor=actor,
        action="api_token_revoked",
        object_type="api_token",
        object_id=token.token_key,
        detail=reason,
    )
    token.delete()


def revoke_api_tokens(*, user: User) -> int:
    """Every API token of `user` stops working now (the caller audits why)."""
    _, per_model = AuthToken.objects.filter(user=user).delete()
    return per_model.get(AuthToken._meta.label, 0)


@transaction.atomic
def deactivate_user(*, user: User, actor: User | None) -> None:
    """No more logins, and the sessions already open end now."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        record_audit_event(actor=actor, action="deactivate", object_type="user", object_id=user.pk)
    transaction.on_commit(lambda: end_user_sessions(user=user, actor=actor))


# --- Reminders: created once under a unique key, delivered once by their own task


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
        return {ReminderChannel.EMAIL: self.email, ReminderChannel.SMS: self.phone}.get(channel, "")


def user_recipient(user: User) -> Recipient:
    return Recipient(
        key=f"user:{user.pk}",
        channels=tuple(settings.REMINDER_USER_CHANNELS),
        user=user,
        name=user.display_name,
        email=user.email,
        phone=user.phone,
    )


_MISSING_ADDRESS = {
    ReminderChannel.EMAIL: "No email address is recorded.",
    ReminderChannel.SMS: "No mobile number is recorded.",
}


def render_reminder(reminder: Reminder, part: str) -> str:
    """One part of a reminder's message from templates/reminders/<kind>/<part>."""
    context = {
        **reminder.context,
        "recipient_name": reminder.context.get("recipient_name", ""),
        "link": f"{settings.SITE_URL}{reminder.link}" if reminder.link else settings.SITE_URL,
        "reference": str(reminder.reference),
    }
    return render_to_string(f"reminders/{reminder.kind}/{part}", context).strip()


@dataclass(frozen=True)
class ReminderRequest:
    """The reminders one occurrence calls for: one per recipient and channel."""

    kind: str
    target_type: str
    target_id: str | int
    occurrence: str
    recipients: Sequence[Recipient]
    context: dict
    link: str = ""
    team: Organisation | None = None
    patient_id: str | int = ""


def create_reminders(
    *,
    kind: str,
    target_type: str,
    target_id: str | int,
    occurrence: str,
    recipients: Iterable[Recipient],
    context: dict,
    link: str = "",
    team: Organisation | None = None,
    patient_id: str | int = "",
) -> list[Reminder]:
    """Record one reminder per recipient and channel unless it exists already; returns only the
    new ones (see create_reminders_in_bulk)."""
    request = ReminderRequest(
        kind, target_type, target_id, occurrence, list(recipients), context, link, team, patient_id
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
    *, targets: QuerySet | Sequence, build: Callable[[list], Iterable[ReminderRequest]]
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


def _new_reminder(request: ReminderRequest, recipient: Recipient, channel: str, *, now) -> Reminder:
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
    return min(settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS, base)


@dataclass(frozen=True)
class DeliveryOutcome:
    status: str
    retry_in: int | None = None


def _claimable(now) -> Q:
    stale = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    return Q(status=ReminderStatus.PENDING) | Q(status=ReminderStatus.CLAIMED, claimed_at__lt=stale)


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
    their outcome is "released": the caller enqueues them again. Unclaimable ids are left out.
    """
    now = timezone.now()
    Reminder.objects.filter(pk__in=reminder_ids).exclude(channel=ReminderChannel.IN_APP).filter(
        _claimable(now)
    ).update(status=ReminderStatus.CLAIMED, claimed_at=now, attempts=F("attempts") + 1)
    # This claim's rows are the ones stamped with its own claimed_at.
    claimed = Reminder.objects.filter(
        pk__in=reminder_ids, status=ReminderStatus.CLAIMED, claimed_at=now
    ).order_by("pk")
    outcomes: dict[int, DeliveryOutcome] = {}
    connection = get_connection()
    # SMTP: one login for the batch. If it fails, each send tries again and fails on its own.
    with contextlib.suppress(OSError, smtplib.SMTPException):
        connection.open()
    try:
        for reminder in claimed:
            if stop_at is not None and time.monotonic() > stop_at:
                outcomes[reminder.pk] = _release_claim(reminder)
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


def _send(reminder: Reminder, *, connection=None) -> str:
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
    harmless: only one of them can claim the reminder."""
    now = now or timezone.now()
    stale_claim = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    overdue = now - datetime.timedelta(seconds=settings.REMINDER_PENDING_GRACE_SECONDS)
    ids = list(
        Reminder.objects.exclude(channel=ReminderChannel.IN_APP)
        .filter(
            Q(status=ReminderStatus.CLAIMED, claimed_at__lt=stale_claim)
            | Q(status=ReminderStatus.PENDING, next_attempt_at__lt=overdue)
        )
        .values_list("pk", flat=True)[:1000]
    )
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
    transaction.on_commit(
        lambda reminder_id=reminder.pk: enqueue_reminder_delivery(reminder_id), robust=True
    )
    return reminder


def run_sweep(*, kind: str, sweep: Callable[[datetime.datetime], list], now=None) -> JobRun:
    """Run one sweep and record it for the operations page (kept even when the sweep fails)."""
    run = JobRun.objects.create(kind=kind, started_at=timezone.now())
    try:
        created = sweep(now or timezone.now())
    except Exception as exc:
        run.finished_at = timezone.now()
        run.error = f"{exc.__class__.__name__}: {exc}"[:500]
        run.save(update_fields=["finished_at", "error"])
        raise
    run.finished_at = timezone.now()
    run.created_count = len(created)
    run.save(update_fields=["finished_at", "created_count"])
    return run


@transaction.atomic
def mark_notification_read(*, notification_id: int, by: User) -> Notification:
    notification = Notification.objects.filter(recipient=by).get(pk=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_notifications_read(*, by: User) -> int:
    return Notification.objects.filter(recipient=by, read_at=None).update(read_at=timezone.now())
