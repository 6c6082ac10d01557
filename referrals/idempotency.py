"""Idempotency-Key for POSTs, after the IETF httpapi draft (draft-ietf-httpapi-idempotency-key).

The key is claimed in its own committed transaction, so a concurrent retry sees it in flight (409);
the work and the stored response commit together, so a replay returns exactly what was created.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User

from .errors import IdempotencyKeyInFlight, IdempotencyKeyReused
from .models import IdempotencyKey

KEY_LIFETIME = datetime.timedelta(hours=24)
# A claim older than this was abandoned (its process died before committing any work).
ABANDONED_AFTER = datetime.timedelta(minutes=5)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Claim:
    record: IdempotencyKey
    replay: bool


def fingerprint(*, method: str, path: str, payload) -> str:
    canonical = json.dumps(
        [method.upper(), path, payload], sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def claim_key(*, user: User, key: str, request_fingerprint: str) -> Claim:
    """Claim a fresh key, or say what to do with a known one: replay, 422 or 409."""
    for _attempt in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user=user,
                    key=key,
                    fingerprint=request_fingerprint,
                    created_at=now,
                    expires_at=now + KEY_LIFETIME,
                )
            return Claim(record=record, replay=False)
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(user=user, key=key).first()
        if existing is None:
            continue  # released a moment ago: claim it afresh
        if existing.expires_at <= now:
            IdempotencyKey.objects.filter(pk=existing.pk, expires_at__lte=now).delete()
            continue
        if existing.fingerprint != request_fingerprint:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was already used with a different request body."
            )
        if existing.state == IdempotencyKey.State.COMPLETED:
            return Claim(record=existing, replay=True)
        if existing.created_at <= now - ABANDONED_AFTER:
            taken_over = IdempotencyKey.objects.filter(
                pk=existing.pk,
                state=IdempotencyKey.State.IN_FLIGHT,
                created_at=existing.created_at,
            ).update(created_at=now, expires_at=now + KEY_LIFETIME)
            if taken_over:
                existing.refresh_from_db()
                return Claim(record=existing, replay=False)
        raise IdempotencyKeyInFlight(
            "A request with this Idempotency-Key is still being processed; retry later."
        )
    raise IdempotencyKeyInFlight("This Idempotency-Key is busy; retry later.")


def complete_key(*, record: IdempotencyKey, status: int, body) -> None:
    """Store the response; call inside the transaction that did the work."""
    IdempotencyKey.objects.filter(pk=record.pk).update(
        state=IdempotencyKey.State.COMPLETED, response_status=status, response_body=body
    )


def release_key(*, record: IdempotencyKey) -> None:
    """The request failed and created nothing: the client may retry with the same key."""
    IdempotencyKey.objects.filter(pk=record.pk, state=IdempotencyKey.State.IN_FLIGHT).delete()


def purge_expired_keys() -> int:
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
