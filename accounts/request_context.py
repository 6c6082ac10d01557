"""Who is asking and from where, for the audit trail, without threading `request` everywhere."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""  # ours, made for this request
    client_request_id: str = ""  # the client's X-Request-ID: kept for tracing, never trusted
    ip_address: str | None = None


_NO_REQUEST = RequestContext()
_current: ContextVar[RequestContext] = ContextVar("request_context", default=_NO_REQUEST)  # noqa: B039 - frozen


def current_request_context() -> RequestContext:
    return _current.get()


def set_request_context(context: RequestContext):
    return _current.set(context)


def reset_request_context(token) -> None:
    _current.reset(token)
