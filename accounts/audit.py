"""Appending to the audit trail: every view and change of patient data calls
record_audit_event (or record_audit_events for many at once). How the chain is hashed,
checkpointed and verified is in accounts.audit_chain."""

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .audit_chain import GENESIS_HASH, audit_event_digest, chain_stream_of
from .models import AuditEvent, AuditHashScheme, User
from .request_context import RequestContext, current_request_context

# The advisory lock of chain n is this plus n. Chain 0's is the single chain's lock from before
# there were several, so that during the upgrade old and new processes serialise on it alike.
_AUDIT_CHAIN_LOCK_KEY = 0x5A0D17

# What an event is about: a row's id or public UUID (stored as text).
ObjectId = str | int | uuid.UUID


@dataclass(frozen=True)
class AuditEntry:
    """One event to append to the audit trail (see record_audit_events)."""

    actor: User | None
    action: str
    object_type: str
    object_id: ObjectId = ""
    patient_id: str | int = ""
    detail: str = ""
    team_id: int | None = None


def record_audit_event(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: ObjectId = "",
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
    return record_audit_events(
        entries=list_viewed_entries(actor=actor, what=what, object_type=object_type, listed=listed)
    )


def list_viewed_entries(
    *, actor: User | None, what: str, object_type: str, listed: Sequence[Listed]
) -> list[AuditEntry]:
    """The events of a list page (record_list_viewed), for a caller appending them together
    with its own in one append."""
    if not listed:
        return [AuditEntry(actor, "view_list", object_type, detail=f"{what}: 0 shown")]
    total = len(listed)
    return [
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

    The trail is AUDIT_CHAIN_STREAMS chains (accounts.audit_chain): each needs a total order,
    so an append takes its chain's transaction-scoped lock on PostgreSQL, and appends to other
    chains go on in parallel. A sweep appends thousands at once: one lock, one read of the last
    hash and one multi-row insert per chain it touches, instead of all three per event.
    """
    if not entries:
        return []
    context = current_request_context()
    occurred_at = timezone.now()
    by_stream: dict[int, list[int]] = {}
    for position, entry in enumerate(entries):
        by_stream.setdefault(_stream_of(entry, context), []).append(position)
    events: list[AuditEvent | None] = [None] * len(entries)
    # Locks in ascending order, so two appends that span the same chains cannot deadlock.
    for stream in sorted(by_stream):
        previous_hash = _lock_and_read_head(stream)
        for position in by_stream[stream]:
            event = _chained_event(entries[position], stream, previous_hash, context, occurred_at)
            events[position] = event
            previous_hash = event.hash
    appended = [event for event in events if event is not None]
    if len(appended) == 1:
        appended[0].save(force_insert=True)
        return appended
    # One statement keeps the ids in list order, which is each chain's verification order.
    return AuditEvent.objects.bulk_create(appended, batch_size=1000)


def _stream_of(entry: AuditEntry, context: RequestContext) -> int:
    """Whose action it is picks the chain: one person's appends (a list page's many events
    included) stay in one chain, while different people's proceed in parallel."""
    actor = entry.actor
    if actor is not None and actor.is_authenticated:
        return chain_stream_of(f"user:{actor.pk}")
    return chain_stream_of(f"request:{context.request_id}" if context.request_id else "system")


def _lock_and_read_head(stream: int) -> str:
    """Take the chain's lock until commit (PostgreSQL; SQLite serialises writers anyway) and
    read its last hash: no one else can append to this chain before we commit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_CHAIN_LOCK_KEY + stream])
    return (
        AuditEvent.objects.filter(stream=stream)
        .order_by("-id")
        .values_list("hash", flat=True)
        .first()
        or GENESIS_HASH
    )


def _chained_event(
    entry: AuditEntry,
    stream: int,
    previous_hash: str,
    context: RequestContext,
    occurred_at: datetime.datetime,
) -> AuditEvent:
    actor = entry.actor if entry.actor is not None and entry.actor.is_authenticated else None
    fields: dict[str, Any] = {
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
    return AuditEvent(
        stream=stream,
        previous_hash=previous_hash,
        hash=digest,
        hash_scheme=AuditHashScheme.HMAC_SHA256,
        **fields,
    )
