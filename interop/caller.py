"""Who is calling the FHIR API: a system client (OAuth 2.0 bearer token) or a signed-in person
(the browser session), and what they may do. Both resolve to a user whose memberships scope every
query, so a client sees exactly what a person of its organisation would see."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from oauth2_provider.oauth2_backends import get_oauthlib_core

from accounts.models import TEAM_ROLES, Role, User
from accounts.services import record_audit_event

from .models import FhirClient
from .outcome import FhirError
from .scopes import allows

# The roles that may use the FHIR API at all: the practice, the team, the provider.
FHIR_ROLES = (Role.REFERRER, *TEAM_ROLES, Role.PROVIDER)


@dataclass(frozen=True)
class Caller:
    user: User
    client: FhirClient | None = None
    scopes: str = ""

    def require(self, resource: str, permission: str) -> None:
        """A client needs the scope; a person's session is bounded by their role alone."""
        if self.client is not None and not allows(self.scopes, resource, permission):
            raise FhirError.one(
                403,
                f"The client's token does not carry the scope system/{resource}.{permission}.",
                code="forbidden",
            )

    @property
    def client_id(self) -> str:
        return self.client.client_id if self.client else ""


def _unauthorised(message: str) -> FhirError:
    return FhirError.one(401, message, code="login")


def _csrf_refused(request: HttpRequest) -> bool:
    """A session may change things only with the CSRF token, as on every page."""
    middleware = CsrfViewMiddleware(lambda r: None)  # type: ignore[arg-type]
    return middleware.process_view(request, None, (), {}) is not None  # type: ignore[arg-type]


def identify(request: HttpRequest) -> Caller:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
        token = getattr(oauth_request, "access_token", None) if valid else None
        client = (
            FhirClient.objects.select_related("application", "system_user", "organisation")
            .filter(application_id=token.application_id, revoked_at__isnull=True)
            .first()
            if token is not None
            else None
        )
        if token is None or client is None or not client.system_user.is_active:
            raise _unauthorised("The access token is missing, expired or revoked.")
        record_audit_event(
            actor=client.system_user,
            action="fhir_client_call",
            object_type="fhir_client",
            object_id=client.client_id,
            detail=f"{request.method} {request.get_full_path()}"[:500],
        )
        return Caller(user=client.system_user, client=client, scopes=token.scope)
    if header:
        raise _unauthorised("Use a Bearer token from the token endpoint.")
    user = request.user
    if not user.is_authenticated:
        raise _unauthorised("Sign in, or use a Bearer token from the token endpoint.")
    if request.method not in ("GET", "HEAD", "OPTIONS") and _csrf_refused(request):
        raise FhirError.one(403, "The CSRF token is missing or wrong.", code="forbidden")
    return Caller(user=user)


def require_fhir_role(caller: Caller) -> None:
    if not caller.user.has_role(*FHIR_ROLES):
        raise FhirError.one(
            403, "Only a practice, a coordinator team or a provider may use the FHIR API."
        )
