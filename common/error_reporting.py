"""Error reports to Sentry (sentry-sdk), only when SENTRY_DSN is set, with patient data removed.

An error report leaves our infrastructure, so it keeps only what finds the bug: the exception
type, the stack (file, function, line; no local variables), the route, the release and the
user's numeric id. Everything that could hold a patient detail goes before sending: request
bodies, query strings, cookies and headers, exception messages (a ValidationError's message can
quote what was typed), log messages in breadcrumbs, and any email or name of the user. What is
kept as text (the URL's path, the transaction, the culprit) goes through the same rule as the
logs (common.patient_data_scrubbing): a link token or an NHS number in a path goes too.
Exception messages go whole rather than by that rule, because it cannot recognise a name.
"""

from typing import TYPE_CHECKING, Any, cast

from .patient_data_scrubbing import SCRUBBED, scrub_patient_details

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint

__all__ = ["SCRUBBED", "scrub_event", "start_error_reporting"]

_KEPT_HEADERS = {"user-agent", "x-request-id", "content-type", "content-length", "host"}


def scrub_event(sent: "Event", hint: "Hint | None" = None) -> "Event":
    """Sentry's `before_send`: the event as it may leave, patient data removed."""
    event = cast(dict[str, Any], sent)
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "query_string", "cookies", "env"):
            if key in request:
                request[key] = SCRUBBED
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value if name.lower() in _KEPT_HEADERS else SCRUBBED
                for name, value in headers.items()
            }
        if isinstance(request.get("url"), str):
            request["url"] = scrub_patient_details(request["url"].split("?", 1)[0])
    for key in ("transaction", "culprit"):
        if isinstance(event.get(key), str):
            event[key] = scrub_patient_details(event[key])
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    for exception in (event.get("exception") or {}).get("values") or []:
        if exception.get("value"):
            exception["value"] = SCRUBBED
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        event["logentry"] = {"message": SCRUBBED}
    if "message" in event:
        event["message"] = SCRUBBED
    event.pop("extra", None)
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, dict):
        for crumb in breadcrumbs.get("values") or []:
            crumb.pop("data", None)
            if crumb.get("message"):
                crumb["message"] = SCRUBBED
    return sent


def start_error_reporting(*, dsn: str, environment: str, **options: Any) -> None:
    """Start sentry-sdk for Django and Celery with the scrubber; `options` is for tests (a
    transport of their own)."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0,
        before_send=scrub_event,
        **options,
    )
