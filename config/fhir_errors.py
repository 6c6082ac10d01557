"""Every error under the FHIR base is an OperationOutcome. The FHIR views answer their own; what
is refused before them (a NUL in the address, config.hostile_input), an address that routes
nowhere (handler404), a server error (handler500), a database that is down (503) or a session
that ran out comes from code shared with the pages and the REST API, which answers HTML or the
API's {"detail", "code"}. A FHIR client reads nothing but an OperationOutcome, so this turns
those answers into one, keeping the status and the headers that matter (Retry-After,
WWW-Authenticate). The token endpoint (/fhir/auth/) answers OAuth 2.0's own errors, untouched."""

import json
from http import HTTPStatus

from django.http import HttpResponse

from interop.codes import FHIR_JSON
from interop.outcome import FhirError
from interop.views.base import outcome_response

FHIR_PREFIX = "/fhir/"
OAUTH_PREFIX = "/fhir/auth/"
KEPT_HEADERS = ("Retry-After", "WWW-Authenticate", "Cache-Control", "Allow")


def is_fhir_address(path: str) -> bool:
    return path.startswith(FHIR_PREFIX) and not path.startswith(OAUTH_PREFIX)


def _diagnostics(response: HttpResponse) -> str:
    """The API's `detail` when the answer has one (config.unavailable and config.hostile_input
    answer /fhir/ in the API's JSON for this); otherwise the status's own words."""
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            detail = json.loads(response.content).get("detail")
        except (ValueError, AttributeError):
            detail = None
        if isinstance(detail, str) and detail:
            return detail
    try:
        return HTTPStatus(response.status_code).phrase + "."
    except ValueError:
        return "The request failed."


def as_operation_outcome(response: HttpResponse) -> HttpResponse:
    outcome = outcome_response(FhirError.one(response.status_code, _diagnostics(response)))
    for name in KEPT_HEADERS:
        if name in response and name not in outcome:
            outcome[name] = response[name]
    return outcome


class FhirOperationOutcomeMiddleware:
    """Outermost but for SecurityMiddleware: it sees every answer, the refusals of the
    middleware inside it included, and the security headers are added to what it returns."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_fhir_address(request.path)
            and not response.get("Content-Type", "").startswith(FHIR_JSON)
            and not getattr(response, "streaming", False)
        ):
            return as_operation_outcome(response)
        return response
