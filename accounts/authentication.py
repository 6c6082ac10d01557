"""API token authentication: django-rest-knox, plus this service's rules for tokens.

Knox keeps only a hash of each token, with an expiry. On top of that a token here is refused
when it has been idle longer than an idle session may be, and when its user's role needs
two-factor authentication but the token was not issued after a two-factor sign-in. Every use
is audited under the token's id (knox's `token_key`, the first characters of the token, which
identify it but do not let anyone use it).
"""

import datetime

from django.conf import settings
from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from .mfa import mfa_required_for
from .models import APITokenGrant
from .services import record_audit_event, revoke_api_token

# Like the session's activity clock: written at most once a minute, so most requests cost no write.
LAST_USED_RESOLUTION = datetime.timedelta(seconds=60)


class APITokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            user, token = result
            record_audit_event(
                actor=user,
                action="api_token_used",
                object_type="api_token",
                object_id=token.token_key,
                detail=f"{request.method} {request.path}"[:500],
            )
        return result

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        grant = APITokenGrant.objects.filter(token=token).first()
        now = timezone.now()
        if grant is None:
            # Issued outside issue_api_token (knox's own admin form): not ours to honour.
            raise exceptions.AuthenticationFailed("Invalid token.")
        idle_limit = settings.API_TOKEN_IDLE_TIMEOUT_SECONDS
        if idle_limit and now - grant.last_used_at > datetime.timedelta(seconds=idle_limit):
            revoke_api_token(token=token, by=None, reason="idle timeout")
            raise exceptions.AuthenticationFailed(
                "This token has not been used for a while and has lapsed: ask for a new one."
            )
        if not grant.mfa_verified and mfa_required_for(user):
            raise exceptions.AuthenticationFailed(
                "Your role needs two-factor authentication: ask for a new token after signing "
                "in with your second factor."
            )
        if now - grant.last_used_at >= LAST_USED_RESOLUTION:
            APITokenGrant.objects.filter(pk=grant.pk).update(last_used_at=now)
        return user, token


class APITokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of the token (`Authorization: Token …`)."""

    target_class = "accounts.authentication.APITokenAuthentication"
    name = "apiToken"
