"""Sign-in events go to the audit trail through the one service function."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .middleware import start_session_clock
from .services import record_audit_event


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    start_session_clock(request)
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
