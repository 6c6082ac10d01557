"""The one base of every FHIR endpoint: content negotiation, who is calling, and every refusal
as an OperationOutcome with its HTTP status. Endpoints stay thin: a mapping and a service call."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from common.errors import DomainError

from ..caller import Caller, identify, require_fhir_role
from ..codes import FHIR_JSON
from ..outcome import FhirError, Issue, operation_outcome

JSON_FORMATS = {"json", "application/json", FHIR_JSON}
MAX_DEPTH = 20


def fhir_response(body: dict, status: int = 200, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type=f"{FHIR_JSON}; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def outcome_response(error: FhirError) -> HttpResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="fhir"'} if error.status == 401 else {}
    return fhir_response(operation_outcome(error.status, error.issues), error.status, headers)


def _check_format(request: HttpRequest) -> None:
    wanted = request.GET.get("_format")
    if wanted is not None and wanted.split(";")[0].strip() not in JSON_FORMATS:
        raise FhirError.one(406, "Only JSON is served: _format=json.", "_format")
    accept = request.headers.get("Accept", "")
    if accept and not any(kind in accept for kind in ("json", "*/*", "application/*")):
        raise FhirError.one(406, f"Only {FHIR_JSON} is served.", "Accept")


def _depth(value, limit: int) -> int:
    stack, deepest = [(value, 1)], 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        stack.extend((child, depth + 1) for child in children)
    return deepest


def read_json_body(request: HttpRequest, *, patch: bool = False):
    """A FHIR resource (a JSON object), or with `patch` a JSON Patch (a list)."""
    if not request.body:
        raise FhirError.one(400, "The body is empty.", code="required")
    kind = request.content_type or ""
    if kind not in (FHIR_JSON, "application/json", "application/json-patch+json"):
        raise FhirError.one(415, f"Send {FHIR_JSON}.", "Content-Type")
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise FhirError.one(400, f"The body is not JSON: {exc}.", code="structure") from exc
    if _depth(body, MAX_DEPTH) > MAX_DEPTH:
        raise FhirError.one(400, "The body is nested too deeply.", code="structure")
    if not isinstance(body, list if patch else dict):
        expected = "a JSON Patch (a list)" if patch else "a JSON object"
        raise FhirError.one(400, f"The body must be {expected}.", code="structure")
    return body


def _validation_issues(exc: ValidationError, expressions: dict[str, str]) -> list[Issue]:
    if not hasattr(exc, "error_dict"):
        return [Issue(message) for message in exc.messages]
    return [
        Issue(message, (expressions.get(field, field),))
        for field, messages in exc.message_dict.items()
        for message in messages
    ]


@method_decorator(csrf_exempt, name="dispatch")
class FhirView(View):
    """Subclasses implement get/post/put/patch taking (request, caller, **kwargs)."""

    # A service's field errors → the FHIR element each names (for `expression`).
    field_expressions: dict[str, str] = {}

    def dispatch(self, request, *args, **kwargs):
        try:
            _check_format(request)
            caller = identify(request)
            require_fhir_role(caller)
            if request.method.lower() not in self.http_method_names or not hasattr(
                self, request.method.lower()
            ):
                raise FhirError.one(405, f"{request.method} is not supported here.")
            return getattr(self, request.method.lower())(request, caller, *args, **kwargs)
        except FhirError as error:
            return outcome_response(error)
        except Http404 as exc:
            return outcome_response(FhirError.one(404, str(exc) or "No such resource."))
        except PermissionDenied as exc:
            return outcome_response(FhirError.one(403, str(exc) or "Not allowed."))
        except DomainError as exc:
            return outcome_response(FhirError.one(exc.http_status, str(exc)))
        except ValidationError as exc:
            return outcome_response(FhirError(422, _validation_issues(exc, self.field_expressions)))

    def http_method_not_allowed(self, request, *args, **kwargs):
        return outcome_response(FhirError.one(405, f"{request.method} is not supported here."))


class PublicFhirView(FhirView):
    """The CapabilityStatement and our CodeSystems: readable without signing in."""

    def dispatch(self, request, *args, **kwargs):
        try:
            _check_format(request)
            if request.method not in ("GET", "HEAD"):
                raise FhirError.one(405, f"{request.method} is not supported here.")
            return self.get(request, None, *args, **kwargs)
        except FhirError as error:
            return outcome_response(error)
        except Http404 as exc:
            return outcome_response(FhirError.one(404, str(exc) or "No such resource."))


__all__ = ["Caller", "FhirView", "PublicFhirView", "fhir_response", "read_json_body"]
