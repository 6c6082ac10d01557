"""Sign-in events go to the audit trail through the one service function."""

from allauth.account.signals import password_changed, password_reset, password_set
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .mfa import settle_mfa_status
from .middleware import start_session_clock
from .services import end_user_sessions, record_audit_event


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    start_session_clock(request)
    if getattr(request, "session", None) is not None:
        settle_mfa_status(request, user)
    record_audit_event(actor=user, action="login", object_type="user", object_id=user.pk)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record_audit_event(actor=user, action="logout", object_type="user", object_id=user.pk)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:200]
    record_audit_event(
        actor=None, action="login_failed", object_type="user", detail=f"attempted: {attempted}"
    )


@receiver(authenticator_added)
def mfa_enrolled(sender, request, user, authenticator, **kwargs):
    settle_mfa_status(request, user)
    record_audit_event(
        actor=user,
        action="mfa_enrolled",
        object_type="user",
        object_id=user.pk,
        detail=authenticator.type,
    )


@receiver(authenticator_removed)
def mfa_removed(sender, request, user, authenticator, **kwargs):
    settle_mfa_status(request, user)
    record_audit_event(
        actor=user,
        action="mfa_removed",
        object_type="user",
        object_id=user.pk,
        detail=authenticator.type,
    )


@receiver(password_changed)
@receiver(password_set)
def end_other_sessions_on_password_change(sender, request, user, **kwargs):
    """Whoever knew the old password is out: the person's other sessions and their API tokens
    end; the session they changed it from carries on."""
    session = getattr(request, "session", None)
    end_user_sessions(user=user, by=user, keep_session_key=session.session_key if session else None)


@receiver(password_reset)
def end_sessions_on_password_reset(sender, request, user, **kwargs):
    """A reset is made signed out: every session and API token of the account ends."""
    end_user_sessions(user=user, by=user)
