"""One log line per request, and the request id and user id on every log line.

What a line may hold is chosen here, not by whoever logs: the route pattern (never the path,
which can carry a reference or a signed token, nor the query string, which can carry a search
for a patient's name), the status, the time taken and the number of database queries, the
user's numeric id (never their name or email) and our request id. Patient details never reach
a log this way.
"""

import logging
import time
from contextvars import ContextVar

from django.db import connection
from django.utils.functional import SimpleLazyObject, empty

from .request_context import current_request_context

logger = logging.getLogger("accounts.request")
_request: ContextVar[object | None] = ContextVar("log_request", default=None)


def _known_user_id(request) -> int | None:
    """The signed-in user's id, if the request has looked them up already: logging never
    costs a query of its own."""
    user = getattr(request, "user", None)
    if user is None or (
        isinstance(user, SimpleLazyObject) and getattr(user, "_wrapped", None) is empty
    ):
        return None
    return user.pk if user.is_authenticated else None


class RequestContextLogFilter(logging.Filter):
    """Adds `request_id` and `user_id` to every record logged while a request is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            # django.request attaches the request, whose repr holds the query string.
            record.request = getattr(request, "method", "")
        if not hasattr(record, "request_id"):
            record.request_id = current_request_context().request_id or None
        if not hasattr(record, "user_id"):
            request = _request.get()
            record.user_id = _known_user_id(request) if request is not None else None
        return True


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class RequestLogMiddleware:
    """Times each request and logs it once it is answered (after authentication, so the user
    is known; inside RequestContextMiddleware, so the request id is)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        counter = _QueryCounter()
        started = time.perf_counter()
        try:
            with connection.execute_wrapper(counter):
                response = self.get_response(request)
        finally:
            _request.reset(token)
        match = getattr(request, "resolver_match", None)
        logger.info(
            "request",
            extra={
                "method": request.method,
                "route": match.route if match else None,
                "view": match.view_name if match else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "db_queries": counter.count,
                "request_id": current_request_context().request_id or None,
                "user_id": _known_user_id(request),
            },
        )
        return response
