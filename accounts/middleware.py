import ipaddress
import logging
import re
import time
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from .request_context import RequestContext, reset_request_context, set_request_context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
logger = logging.getLogger(__name__)
SESSION_STARTED_KEY = "auth_started_at"
SESSION_ACTIVITY_KEY = "last_activity_at"


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the entry of
    X-Forwarded-For that the outermost trusted proxy appended (the Nth from the right). Entries
    to its left are whatever the client sent and are never believed."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < proxies:
        logger.warning(
            "X-Forwarded-For has %d entries behind %d trusted proxies: using REMOTE_ADDR",
            len(forwarded),
            proxies,
        )
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        logger.warning("X-Forwarded-For entry from a trusted proxy is not an address")
        return remote


class RequestContextMiddleware:
    """Gives every request an id of our own (returned as X-Request-ID) and remembers the client
    IP. A sane X-Request-ID from the client is kept beside it, marked as the client's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = uuid.uuid4().hex
        request.client_request_id = incoming if _REQUEST_ID.match(incoming) else ""
        token = set_request_context(
            RequestContext(
                request_id=request.request_id,
                client_request_id=request.client_request_id,
                ip_address=client_ip(request),
            )
        )
        try:
            response = self.get_response(request)
        finally:
            reset_request_context(token)
        response["X-Request-ID"] = request.request_id
        return response


class NoStoreForSignedInMiddleware:
    """Pages seen by a signed-in user may hold patient data: no browser or proxy may keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            add_never_cache_headers(response)
        return response


def start_session_clock(request) -> None:
    """A new login starts both the idle and the absolute clock afresh."""
    session = getattr(request, "session", None)
    if session is not None:
        now = time.time()
        session[SESSION_STARTED_KEY] = now
        session[SESSION_ACTIVITY_KEY] = now


def mark_session_activity(request) -> None:
    request.session[SESSION_ACTIVITY_KEY] = time.time()


# The REST API and the FHIR server: a machine (or a page's script) is calling, so a refusal is
# an answer with a status, never a redirect to a page (config.fhir_errors makes the FHIR
# server's an OperationOutcome).
MACHINE_PREFIXES = ("/api/", "/fhir/")


class SessionTimeoutMiddleware:
    """Automatic logoff: after an idle spell, and after an absolute lifetime whatever happens.

    Activity is written to the session at most once a minute, so most requests cost no write.
    """

    ACTIVITY_RESOLUTION_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._expired_reason(request)
            if expired:
                return self._log_out(request, expired)
        return self.get_response(request)

    def _expired_reason(self, request) -> str | None:
        now = time.time()
        session = request.session
        started = session.setdefault(SESSION_STARTED_KEY, now)
        last_activity = session.get(SESSION_ACTIVITY_KEY, now)
        if now - started > settings.SESSION_ABSOLUTE_LIFETIME_SECONDS:
            return "absolute"
        if now - last_activity > settings.SESSION_IDLE_TIMEOUT_SECONDS:
            return "idle"
        if now - last_activity >= self.ACTIVITY_RESOLUTION_SECONDS or (
            SESSION_ACTIVITY_KEY not in session
        ):
            session[SESSION_ACTIVITY_KEY] = now
        return None

    def _log_out(self, request, reason: str):
        from .services import record_audit_event

        user = request.user
        record_audit_event(
            actor=user,
            action="session_expired",
            object_type="user",
            object_id=user.pk,
            detail=f"logged off: {'idle timeout' if reason == 'idle' else 'session lifetime'}",
        )
        logout(request)
        message = (
            "You were logged out because you had not done anything for a while."
            if reason == "idle"
            else "You were logged out because your session reached its time limit."
        )
        if request.path.startswith(MACHINE_PREFIXES):
            return JsonResponse({"detail": message, "code": "session_expired"}, status=401)
        messages.info(request, f"{message} Log in again to carry on.")
        return redirect(
            f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}"
        )


class MFAEnrolmentMiddleware:
    """Staff who reach patient data must have set up two-factor authentication first.

    Logging in with an authenticator is enforced by allauth's login stage; this closes the gap
    of a first login before any authenticator exists, sending the user to set one up.
    """

    EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/session/keepalive/", "/hsds")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            from .mfa import needs_mfa_enrolment

            if needs_mfa_enrolment(request):
                message = "Set up two-factor authentication before you continue."
                if request.path.startswith(MACHINE_PREFIXES):
                    return JsonResponse({"detail": message, "code": "mfa_required"}, status=403)
                messages.warning(request, message)
                return redirect("mfa_activate_totp")
        return self.get_response(request)


class DeniedAccessAuditMiddleware:
    """A signed-in user refused a route (403), or asking for an object outside their scope (a
    404 on a route that names one), leaves a 'denied' event in the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or response.status_code not in (403, 404):
            return response
        match = getattr(request, "resolver_match", None)
        if response.status_code == 404 and not (match and match.kwargs):
            return response
        from .services import record_audit_event

        record_audit_event(
            actor=user,
            action="denied",
            object_type="route",
            object_id=(match.view_name if match else "")[:64],
            detail=f"{response.status_code} {request.method} {request.path}",
        )
        return response
