from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .navigation import navigation_for
from .selectors import unread_notification_count


def current_membership(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "session_idle_timeout": settings.SESSION_IDLE_TIMEOUT_SECONDS,
        "session_idle_warning": settings.SESSION_IDLE_WARNING_SECONDS,
        "current_membership": user.primary_membership,
        "navigation": navigation_for(user, request.path),
        # Counted only when a template shows it (the header's bell).
        "unread_notifications": SimpleLazyObject(lambda: unread_notification_count(user)),
    }
