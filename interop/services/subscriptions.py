"""Subscriptions: creating one (with a handshake), turning referral status changes and messages
back to the practice into notifications (the outbox, a row per notification under a unique
key), and delivering each once with retries and back-off; an endpoint that keeps failing puts
the subscription in error and its owner is told in the app."""

import datetime
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from accounts.services import notify, record_audit_event
from common.enqueue import send_task_after_commit
from gp_messages.models import MessageBack
from referrals.models import Referral, ReferralEvent
from referrals.selectors import practice_ids_of, team_ids_of

from ..codes import FHIR_JSON
from ..models import EventCursor, FhirClient, Subscription, SubscriptionNotification
from ..resources.subscription import notification_bundle

DELIVER_TASK = "interop.deliver_subscription_notification"
CURSOR = "task-status"
MESSAGE_BACK_CURSOR = "task-message-back"


@dataclass(frozen=True)
class Delivery:
    status: str  # sent | retry | failed | skipped
    retry_in: int | None = None


@transaction.atomic
def create_subscription(
    *, by: User, client: FhirClient | None, endpoint: str, header: str, reason: str
) -> Subscription:
    _start_cursors()
    now = timezone.now()
    subscription = Subscription.objects.create(
        owner=by,
        client=client,
        endpoint=endpoint,
        header=header,
        reason=reason,
        created_at=now,
        updated_at=now,
    )
    handshake = SubscriptionNotification.objects.create(
        subscription=subscription,
        kind=SubscriptionNotification.Kind.HANDSHAKE,
        occurred_at=now,
    )
    record_audit_event(
        actor=by,
        action="fhir_subscription_create",
        object_type="fhir_subscription",
        object_id=subscription.pk,
        detail=endpoint[:400],
    )
    send_task_after_commit(DELIVER_TASK, notification_id=handshake.pk)
    return subscription


@dataclass(frozen=True)
class _TaskChange:
    """What the sweep reads as a change to a Task: a referral's status event, or a message
    back to the practice (a new output of the Task; gp_messages writes the row, interop
    reads it here, as it reads the status events)."""

    referral: Referral
    occurred_at: datetime.datetime
    referral_event: ReferralEvent | None = None
    message_back: MessageBack | None = None


def _subscribers_of(change: _TaskChange, subscriptions: list[Subscription]) -> list[Subscription]:
    """Whose Tasks changed: the subscriptions whose owner's organisation may see the referral,
    and which existed when it changed. A change made before the subscription (the referral it
    was created to follow being received) is no change to the subscriber: the sweep may read it
    only after the handshake, and telling of it then would be a notification per timing."""
    referral = change.referral
    return [
        s
        for s in subscriptions
        if change.occurred_at >= s.created_at
        and (
            referral.referring_practice_id in practice_ids_of(s.owner)
            or referral.team_id in team_ids_of(s.owner)
        )
    ]


def _start_cursors() -> None:
    """Before the first subscription, the sweep starts at the latest change: what happened
    before anyone subscribed is news to no one, and a site with years of history would
    otherwise make the first subscriber wait while the sweep reads it all, a batch a tick."""
    started = set(EventCursor.objects.values_list("name", flat=True))
    EventCursor.objects.bulk_create(
        [
            EventCursor(
                name=name, last_event_id=model.objects.aggregate(latest=Max("id"))["latest"] or 0
            )
            for name, model in ((CURSOR, ReferralEvent), (MESSAGE_BACK_CURSOR, MessageBack))
            if name not in started
        ],
        ignore_conflicts=True,
    )


def _cursor(name: str) -> EventCursor:
    cursor, _ = EventCursor.objects.get_or_create(name=name)
    return EventCursor.objects.select_for_update().get(pk=cursor.pk)


# How long a hole in the ids may stay open before the sweep takes it for a rolled-back
# transaction (or a skipped sequence value) and moves its cursor past it: far longer than any
# request or task may hold a transaction open (gunicorn's and Celery's time limits).
SETTLE = datetime.timedelta(minutes=2)


def _changes_since(
    status_cursor: EventCursor, message_cursor: EventCursor, limit: int
) -> list[_TaskChange]:
    """The status events and messages back after their cursors not yet told of, in the order
    they happened. Rows told of are left out, so a held cursor (below) re-reads nothing twice."""
    told = SubscriptionNotification.objects.filter(kind=SubscriptionNotification.Kind.EVENT)
    events = (
        ReferralEvent.objects.filter(id__gt=status_cursor.last_event_id)
        .exclude(Exists(told.filter(referral_event_id=OuterRef("pk"))))
        .select_related("referral")
    )
    messages = (
        MessageBack.objects.filter(id__gt=message_cursor.last_event_id)
        .exclude(Exists(told.filter(message_back_id=OuterRef("pk"))))
        .select_related("referral")
    )
    changes = [
        _TaskChange(e.referral, e.occurred_at, referral_event=e)
        for e in events.order_by("id")[:limit]
    ] + [
        _TaskChange(m.referral, m.sent_at, message_back=m)
        for m in messages.only("id", "sent_at", "referral").order_by("id")[:limit]
    ]
    return sorted(changes, key=lambda change: change.occurred_at)


def _settled_up_to(cursor: int, after: list[tuple[int, datetime.datetime, bool]]) -> int:
    """How far the cursor may move over the rows after it (id, when it happened, told of yet),
    in id order: over rows told of, along consecutive ids, and over a hole only once the row
    after it is older than SETTLE; never over a row not told of. Ids are handed out before their
    transactions commit, so a lower id can become visible after a higher one was read: the
    cursor waits below it rather than step over it for ever."""
    settled_before = timezone.now() - SETTLE
    for pk, at, told in after:
        if not told or (pk != cursor + 1 and at >= settled_before):
            break
        cursor = pk
    return cursor


@transaction.atomic
def record_task_events(*, limit: int = 500) -> int:
    """Read the Task changes since the cursors and add a notification per subscriber. The cursor
    rows are locked, so two sweeps never read the same changes; the unique keys hold anyway."""
    status_cursor, message_cursor = _cursor(CURSOR), _cursor(MESSAGE_BACK_CURSOR)
    changes = _changes_since(status_cursor, message_cursor, limit)
    if not changes:
        return 0
    active = list(
        Subscription.objects.filter(status=Subscription.Status.ACTIVE)
        .select_related("owner")
        .prefetch_related("owner__memberships")
    )
    created = 0
    for change in changes:
        for subscription in _subscribers_of(change, active):
            Subscription.objects.filter(pk=subscription.pk).update(
                events_since_start=F("events_since_start") + 1, updated_at=timezone.now()
            )
            subscription.refresh_from_db(fields=["events_since_start"])
            notification = SubscriptionNotification.objects.create(
                subscription=subscription,
                kind=SubscriptionNotification.Kind.EVENT,
                event_number=subscription.events_since_start,
                referral_event=change.referral_event,
                message_back=change.message_back,
                task_reference=change.referral.reference,
                occurred_at=change.occurred_at,
            )
            send_task_after_commit(DELIVER_TASK, notification_id=notification.pk)
            created += 1
    for cursor, read in (
        (
            status_cursor,
            _rows_after(changes, "referral_event", ReferralEvent, status_cursor, limit),
        ),
        (message_cursor, _rows_after(changes, "message_back", MessageBack, message_cursor, limit)),
    ):
        settled = _settled_up_to(cursor.last_event_id, read)
        if settled != cursor.last_event_id:
            cursor.last_event_id = settled
            cursor.save(update_fields=["last_event_id"])
    return created


def _rows_after(
    changes: list[_TaskChange], field: str, model, cursor: EventCursor, limit: int
) -> list[tuple[int, datetime.datetime, bool]]:
    """(id, when, told of) of the rows after the cursor, in id order: told of if this sweep
    read them or an earlier one told of them while the cursor waited below a hole."""
    just_read = {getattr(c, field).pk for c in changes if getattr(c, field)}
    when = "occurred_at" if model is ReferralEvent else "sent_at"
    told = SubscriptionNotification.objects.filter(
        kind=SubscriptionNotification.Kind.EVENT, **{field: OuterRef("pk")}
    )
    rows = (
        model.objects.filter(id__gt=cursor.last_event_id)
        .annotate(told=Exists(told))
        .order_by("id")
        .values_list("id", when, "told")[: limit * 2]
    )
    return [(pk, at, told or pk in just_read) for pk, at, told in rows]


def _post(subscription: Subscription, body: dict) -> None:
    headers = {"Content-Type": FHIR_JSON}
    if subscription.header:
        headers["Authorization"] = subscription.header
    request = urllib.request.Request(  # noqa: S310 - the endpoint is checked as http(s)
        subscription.endpoint, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    with urllib.request.urlopen(  # noqa: S310
        request, timeout=settings.FHIR_NOTIFICATION_TIMEOUT_SECONDS
    ) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"{subscription.endpoint} answered {response.status}")


def deliver_notification(*, notification_id: int) -> Delivery:
    """Send one notification; only one worker holds it at a time (the row lock), and a sent one
    is never sent again. The attempt count decides when to give up."""
    with transaction.atomic():
        notification = (
            SubscriptionNotification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, state=SubscriptionNotification.State.PENDING)
            .select_related("subscription")
            .first()
        )
        if notification is None:
            return Delivery("skipped")
        subscription = notification.subscription
        if subscription.status not in (Subscription.Status.REQUESTED, Subscription.Status.ACTIVE):
            return Delivery("skipped")
        notification.attempts += 1
        try:
            _post(
                subscription,
                notification_bundle(
                    subscription,
                    notification.kind,
                    [notification] if notification.kind != "handshake" else [],
                ),
            )
        except (OSError, ValueError) as exc:
            return _failed(notification, str(exc))
        notification.state, notification.sent_at = (
            SubscriptionNotification.State.SENT,
            timezone.now(),
        )
        notification.save(update_fields=["state", "sent_at", "attempts"])
        if subscription.status == Subscription.Status.REQUESTED:
            Subscription.objects.filter(pk=subscription.pk).update(
                status=Subscription.Status.ACTIVE, updated_at=timezone.now(), last_error=""
            )
        return Delivery("sent")


def _failed(notification: SubscriptionNotification, error: str) -> Delivery:
    notification.last_error = error[:500]
    if notification.attempts < settings.FHIR_NOTIFICATION_MAX_ATTEMPTS:
        notification.save(update_fields=["attempts", "last_error"])
        return Delivery(
            "retry",
            retry_in=settings.FHIR_NOTIFICATION_BACKOFF_SECONDS * 2 ** (notification.attempts - 1),
        )
    notification.state = SubscriptionNotification.State.FAILED
    notification.save(update_fields=["attempts", "last_error", "state"])
    subscription = Subscription.objects.select_for_update().get(pk=notification.subscription_id)
    subscription.status, subscription.last_error = Subscription.Status.ERROR, error[:500]
    subscription.updated_at = timezone.now()
    subscription.save(update_fields=["status", "last_error", "updated_at"])
    _tell_owner(subscription)
    return Delivery("failed")


def _tell_owner(subscription: Subscription) -> None:
    """The client's registering superuser, or the person who subscribed, sees it in the app."""
    recipient = (
        subscription.client.registered_by if subscription.client else subscription.owner
    ) or subscription.owner
    notify(
        recipient=recipient,
        verb="fhir_subscription_error",
        message=f"FHIR Subscription {subscription.pk} to {subscription.endpoint} stopped: "
        f"the endpoint kept failing ({subscription.last_error}).",
        link="/fhir-clients/" if recipient.is_superuser else "",
    )


def notifications_between(subscription: Subscription, since: int | None, until: int | None):
    """For $events: the event notifications a receiver missed, by number."""
    numbers = Q(kind=SubscriptionNotification.Kind.EVENT)
    if since is not None:
        numbers &= Q(event_number__gte=since)
    if until is not None:
        numbers &= Q(event_number__lte=until)
    return subscription.notifications.filter(numbers).order_by("event_number")
