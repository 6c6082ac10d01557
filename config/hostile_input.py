"""Input no browser sends but an attacker does, refused before any view sees it: a NUL character
in the path or the query string (PostgreSQL cannot store one, and several views answered 500),
and JSON nested deeper than any real body (Python's parser recursed until it crashed)."""

from urllib.parse import unquote_plus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

JSON_PREFIXES = ("/api/", "/fhir/", "/hsds/")
NUL_MESSAGE = "A NUL character is not allowed in a web address."


def has_nul(request) -> bool:
    raw_query = request.META.get("QUERY_STRING", "")
    return "\x00" in request.path or "\x00" in unquote_plus(raw_query)


def bad_request(request, *, message: str, code: str) -> HttpResponse:
    if request.path.startswith(JSON_PREFIXES):
        return JsonResponse({"detail": message, "code": code}, status=400)
    # Rendered without the request: this runs before sessions and users are loaded.
    return HttpResponse(render_to_string("400.html", {"message": message}), status=400)


class RefuseNulCharacterMiddleware:
    """A NUL (raw or %00) anywhere in the path or query string is a 400, on every route."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul(request):
            return bad_request(request, message=NUL_MESSAGE, code="nul_character")
        return self.get_response(request)


def nesting_depth(value) -> int:
    """How deep lists and objects nest, walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than API_JSON_MAX_DEPTH with a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_JSON_MAX_DEPTH
        message = f"JSON nested deeper than {limit} levels is not accepted."
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(message) from exc
        if nesting_depth(data) > limit:
            raise ParseError(message)
        return data


def bad_request_handler(request, exception=None):
    """handler400: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413, and the API answers JSON
    (Django's own 400 is an HTML page)."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        response = bad_request(
            request,
            message=f"The request body is larger than the {limit} bytes accepted.",
            code="request_too_large",
        )
        response.status_code = 413
        return response
    if request.path.startswith(JSON_PREFIXES):
        return bad_request(request, message="Bad request.", code="bad_request")
    return defaults.bad_request(request, exception)
