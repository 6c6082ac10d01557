"""Idempotency-Key for POSTs, after the IETF httpapi draft (draft-ietf-httpapi-idempotency-key).

The key is claimed in its own committed transaction, so a concurrent retry sees it in flight (409);
the work and the stored response commit together, so a replay returns exactly what was created.
"""

import datetime
import hashlib
import json
import secrets
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


# --- The same for a web form: a submission token issued with the form, so a double click or a
# resend after Back creates one referral
#
# A browser has no Idempotency-Key header, so the form carries one: a random token issued when
# the form is rendered and remembered in the (server-side) session. Posting it claims the key
# above, under the user; a second post of the same token replays the first result (the
# confirmation page) instead of creating anything.

FORM_TOKENS_SESSION_KEY = "form_submission_tokens"
FORM_TOKENS_KEPT = 20  # forms open at once in one session (tabs), oldest forgotten first
_FORM_FINGERPRINT = fingerprint(method="POST", path="web form", payload=None)


def issue_form_token(session, *, form: str) -> str:
    token = secrets.token_urlsafe(24)
    issued = session.get(FORM_TOKENS_SESSION_KEY, [])
    session[FORM_TOKENS_SESSION_KEY] = [*issued, f"{form}:{token}"][-FORM_TOKENS_KEPT:]
    return token


def _form_key(form: str, token: str) -> str:
    return f"form:{form}:{token}"


def replayed_form_result(*, user: User, form: str, token: str) -> dict | None:
    """What the first post of this token produced, if it completed."""
    if not token:
        return None
    record = IdempotencyKey.objects.filter(
        user=user,
        key=_form_key(form, token),
        state=IdempotencyKey.State.COMPLETED,
        expires_at__gt=timezone.now(),
    ).first()
    return record.response_body if record else None


def claim_form_token(*, session, user: User, form: str, token: str) -> Claim | None:
    """Claim a token this session was issued; None for a token it never was (a stale or forged
    form). Raises IdempotencyKeyInFlight while the first post of the token is being processed."""
    if not token or f"{form}:{token}" not in session.get(FORM_TOKENS_SESSION_KEY, []):
        return None
    return claim_key(user=user, key=_form_key(form, token), request_fingerprint=_FORM_FINGERPRINT)
