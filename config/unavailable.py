"""When PostgreSQL or the job queue is unreachable, answer 503 with Retry-After (an NHS-styled
page, or JSON for the API), never a traceback. The cache is not a reason: it falls back to memory
(config/cache.py), so a Redis error that still reaches here came from Celery's Redis.

Nothing half-written is left: services run in transactions, so the failed request's writes roll
back; the next request reconnects by itself."""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

MESSAGES = {
    "database": "The database is not available.",
    "broker": "The job queue is not available.",
}


def unavailable_part(exc: BaseException | None) -> str | None:
    """Which dependency an exception (or its cause) says is down, if any."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OperationalError | InterfaceError):
            return "database"
        if isinstance(exc, BrokerError):
            return "broker"
        if isinstance(exc, RedisConnectionError | RedisTimeoutError):
            return "broker"
        exc = exc.__cause__ or exc.__context__
    return None


def wants_json(request) -> bool:
    return request.path.startswith(
        ("/api/", "/fhir/", "/hsds/", "/healthz")
    ) or "application/json" in request.headers.get("Accept", "")


def service_unavailable(request, part: str) -> HttpResponse:
    message = f"{MESSAGES[part]} Please try again in a few minutes."
    response: HttpResponse
    if wants_json(request):
        response = JsonResponse(
            {"detail": message, "code": "service_unavailable", "unavailable": part}, status=503
        )
    else:
        # Rendered without the request: context processors would ask the database again.
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(settings.SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailableMiddleware:
    """Turns a view's database or broker connection error into a 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        part = unavailable_part(exception)
        if part is None:
            return None
        log.error("%s unavailable: %s %s", part, request.method, request.path, exc_info=exception)
        return service_unavailable(request, part)


def server_error(request):
    """handler500: errors raised outside views (a session or user lookup in a middleware) reach
    here; a dependency being down is still a 503."""
    part = unavailable_part(sys.exc_info()[1])
    if part is not None:
        return service_unavailable(request, part)
    if wants_json(request):
        return JsonResponse({"detail": "Server error.", "code": "server_error"}, status=500)
    return defaults.server_error(request)
