import datetime
import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from .models import (
    ROLE_ORGANISATION_KIND,
    AuditEvent,
    Membership,
    Notification,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from .request_context import current_request_context

GENESIS_HASH = "0" * 64
# Any constant will do: it names the lock that serialises appends to the chain on PostgreSQL.
_AUDIT_CHAIN_LOCK_KEY = 0x5A0D17


class MembershipError(Exception):
    pass


def audit_event_digest(
    *,
    previous_hash: str,
    occurred_at,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    patient_id: str,
    ip_address: str | None,
    request_id: str,
    detail: str,
) -> str:
    """SHA-256 over the previous hash and every field: any edit or removal breaks the chain."""
    payload = json.dumps(
        [
            previous_hash,
            occurred_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
            actor_id,
            actor_label,
            action,
            object_type,
            object_id,
            patient_id,
            ip_address,
            request_id,
            detail,
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@transaction.atomic
def record_audit_event(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: str | int = "",
    patient_id: str | int = "",
    detail: str = "",
) -> AuditEvent:
    """Append one event to the audit trail, chained to the one before it.

    The chain needs a total order, so appends take a transaction-scoped lock on PostgreSQL
    (SQLite already serialises writers).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_CHAIN_LOCK_KEY])
    previous_hash = (
        AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH
    )
    context = current_request_context()
    actor = actor if actor is not None and actor.is_authenticated else None
    fields = {
        "occurred_at": timezone.now(),
        "actor_id": actor.pk if actor else None,
        "actor_label": actor.email if actor else "",
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "patient_id": str(patient_id) if patient_id else "",
        "ip_address": context.ip_address,
        "request_id": context.request_id,
        "detail": detail[:500],
    }
    digest = audit_event_digest(previous_hash=previous_hash, **fields)
    return AuditEvent.objects.create(previous_hash=previous_hash, hash=digest, **fields)


@dataclass(frozen=True)
class AuditVerification:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify_audit_chain() -> AuditVerification:
    """Walk the trail in order and report the first event whose link or content does not match."""
    expected_previous = GENESIS_HASH
    checked = 0
    events = AuditEvent.objects.order_by("id").values(
        "id",
        "previous_hash",
        "hash",
        "occurred_at",
        "actor_id",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "patient_id",
        "ip_address",
        "request_id",
        "detail",
    )
    for event in events.iterator(chunk_size=2000):
        event_id = event.pop("id")
        stored_previous = event.pop("previous_hash")
        stored_hash = event.pop("hash")
        if stored_previous != expected_previous:
            return AuditVerification(
                checked, event_id, "its link to the previous event does not match"
            )
        if audit_event_digest(previous_hash=stored_previous, **event) != stored_hash:
            return AuditVerification(checked, event_id, "its content does not match its hash")
        expected_previous = stored_hash
        checked += 1
    return AuditVerification(checked)


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


def end_user_sessions(*, user: User, actor: User | None) -> int:
    """Log a user out everywhere: every session they hold is deleted."""
    from allauth.usersessions.models import UserSession

    sessions = UserSession.objects.purge_and_list(user)
    for session in sessions:
        session.end()
    record_audit_event(
        actor=actor,
        action="sessions_ended",
        object_type="user",
        object_id=user.pk,
        detail=f"{len(sessions)} session(s) ended",
    )
    return len(sessions)


@transaction.atomic
def deactivate_user(*, user: User, actor: User | None) -> None:
    """No more logins, and the sessions already open end now."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        record_audit_event(actor=actor, action="deactivate", object_type="user", object_id=user.pk)
    transaction.on_commit(lambda: end_user_sessions(user=user, actor=actor))


def can_manage_sessions_of(*, actor: User, user: User) -> bool:
    """Superusers: anyone. Managers: the members of their own teams."""
    if actor.is_superuser:
        return True
    managed_teams = actor.memberships.filter(role=Role.MANAGER).values("organisation")
    return Membership.objects.filter(user=user, organisation__in=managed_teams).exists()
