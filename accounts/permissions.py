"""Role checks shared by pages and the API."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission


def user_has_role(user, *roles: str) -> bool:
    """`User.has_role` for whoever is asking, signed in or not."""
    return bool(user.is_authenticated and user.has_role(*roles))


def role_required(*roles: str, allow_superuser: bool = False):
    """Page decorator: signed in, and holding one of `roles` (403 otherwise)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if allow_superuser and request.user.is_superuser:
                return view(request, *args, **kwargs)
            if not user_has_role(request.user, *roles):
                raise PermissionDenied("Your role cannot use this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def has_role(*roles: str):
    """DRF permission class factory: `permission_classes = [has_role(Role.VETTER)]`."""

    class HasRole(BasePermission):
        message = "Your role cannot use this endpoint."

        def has_permission(self, request, view) -> bool:
            return user_has_role(request.user, *roles)

    HasRole.__name__ = f"HasRole_{'_'.join(roles)}"
    return HasRole
