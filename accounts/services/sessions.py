"""Ending sessions: logging a user out everywhere, and deactivating an account."""

from django.db import transaction

from ..audit import record_audit_event
from ..models import User
from .api_tokens import revoke_api_tokens


@transaction.atomic
def end_user_sessions(*, user: User, by: User | None, keep_session_key: str | None = None) -> int:
    """Sign a user out everywhere: every session they hold is deleted (but the one named by
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
        actor=by,
        action="sessions_ended",
        object_type="user",
        object_id=user.pk,
        detail=f"{live} session(s) ended, {tokens} API token(s) revoked"
        + (", the current session kept" if keep_session_key else ""),
    )
    return live


@transaction.atomic
def deactivate_user(*, user: User, by: User | None) -> None:
    """No more logins, and the sessions already open end now."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        record_audit_event(actor=by, action="deactivate", object_type="user", object_id=user.pk)
    transaction.on_commit(lambda: end_user_sessions(user=user, by=by))
