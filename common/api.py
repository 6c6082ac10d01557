"""API plumbing shared by every app: domain errors become 409s with a message, a service's
field errors 400s, and the schema documents the error answers every operation can give."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response({"detail": str(exc), "code": exc.code}, status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        # A service's (or a model's) field errors: a 400 per field, like the serializers'.
        exc = ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    return drf_exception_handler(exc, context)


ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Field name → messages (nested for nested objects), or `detail`.",
    "additionalProperties": {},
}


def _error(description: str, schema_name: str = "Error") -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
        },
    }


def document_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular post-processing hook: add the error answers the views really give, so
    the schema describes reality (schemathesis checks every status code against it)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    schemas.setdefault("FieldErrors", FIELD_ERRORS_SCHEMA)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            extra = {
                "403": _error("Not signed in, or the role may not do this."),
                "429": _error("Too many requests (abuse control, not a security boundary)."),
                "503": _error("The database or the broker is unavailable; retry later."),
            }
            if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
                extra["400"] = _error("Invalid input, per field.", "FieldErrors")
            # Path ids, objects named in a body (a case, a goal) and bad page numbers or cursors.
            if (
                "{" in path
                or "requestBody" in operation
                or any(p.get("name") in {"page", "cursor"} for p in parameters)
            ):
                extra["404"] = _error("Not found, or outside the caller's scope.")
            if method in {"post", "put", "patch", "delete"}:
                extra["409"] = _error("A business rule refused the change (an illegal transition).")
            # Only a view that takes API tokens alone says 401 (with WWW-Authenticate); where
            # the session comes first, DRF answers a bad token with 403.
            security = operation.get("security") or []
            if security and all(set(entry) == {"apiToken"} for entry in security):
                extra["401"] = _error("The API token is invalid, expired or revoked.")
            if any(p.get("name") == "Idempotency-Key" for p in parameters):
                extra["422"] = _error("The Idempotency-Key was used with a different body.")
            for code, response in extra.items():
                responses.setdefault(code, response)
    return result
