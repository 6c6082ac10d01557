"""API tokens (django-rest-knox): only a hash is stored; they expire and lapse when idle."""

import datetime

from django.conf import settings
from django.db import transaction
from knox.models import AuthToken

from ..audit import record_audit_event
from ..models import APITokenGrant, User


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
def revoke_api_token(*, token: AuthToken, by: User | None, reason: str = "revoked") -> None:
    record_audit_event(
        actor=by,
        action="api_token_revoked",
        object_type="api_token",
        object_id=token.token_key,
        detail=reason,
    )
    token.delete()


def revoke_api_tokens(*, user: User) -> int:
    """Every API token of `user` stops working now (the caller audits why)."""
    _, per_model = AuthToken.objects.filter(user=user).delete()
    revoked: int = per_model.get(AuthToken._meta.label, 0)
    return revoked
