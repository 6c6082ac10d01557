"""Who may read the OpenAPI schema and the Swagger UI: signed-in users, or anyone when
API_SCHEMA_PUBLIC opens them. Read at request time, so the setting can be changed in tests."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from rest_framework.permissions import BasePermission


class SchemaAccess(BasePermission):
    def has_permission(self, request, view) -> bool:
        return settings.API_SCHEMA_PUBLIC or bool(request.user and request.user.is_authenticated)


def schema_page(view):
    """The Swagger UI page sends a signed-out browser to the login page (not a bare 403)."""
    protected = login_required(view)

    def wrapper(request, *args, **kwargs):
        return (view if settings.API_SCHEMA_PUBLIC else protected)(request, *args, **kwargs)

    return wrapper
