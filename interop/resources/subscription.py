"""Subscription (R4 Subscriptions Backport, topic-based, rest-hook, id-only): the resource ↔ our
row, and the notification Bundle with its SubscriptionStatus (a Parameters in R4)."""

import uuid

from ..codes import FHIR_JSON, fhir_base
from ..outcome import Issue
from .common import instant, meta

BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport"
PAYLOAD_CONTENT = f"{BACKPORT}/StructureDefinition/backport-payload-content"
STATUS_PROFILE = f"{BACKPORT}/StructureDefinition/backport-subscription-status-r4"
SUBSCRIPTION_PROFILE = f"{BACKPORT}/StructureDefinition/backport-subscription"


def task_status_topic() -> str:
    """Our one topic: a Task of the subscriber's changed status."""
    return f"{fhir_base()}/SubscriptionTopic/task-status"


def subscription_resource(subscription) -> dict:
    channel = {
        "type": "rest-hook",
        "endpoint": subscription.endpoint,
        "payload": FHIR_JSON,
        "_payload": {"extension": [{"url": PAYLOAD_CONTENT, "valueCode": "id-only"}]},
    }
    if subscription.header:
        channel["header"] = ["Authorization: (set; not shown)"]
    resource = {
        "resourceType": "Subscription",
        "id": str(subscription.pk),
        "meta": meta(subscription.updated_at, SUBSCRIPTION_PROFILE),
        "status": subscription.status,
        "reason": subscription.reason,
        "criteria": task_status_topic(),
        "channel": channel,
    }
    if subscription.last_error:
        resource["error"] = subscription.last_error
    return resource


def subscription_request(resource: dict, issues: list[Issue]) -> dict:
    """A client's Subscription → the arguments of services.create_subscription."""
    if resource.get("resourceType") != "Subscription":
        issues.append(Issue("The body must be a Subscription.", ("Subscription.resourceType",)))
        return {}
    if resource.get("criteria") != task_status_topic():
        issues.append(
            Issue(
                f"Subscription.criteria must be the topic {task_status_topic()}.",
                ("Subscription.criteria",),
            )
        )
    channel: dict = resource["channel"] if isinstance(resource.get("channel"), dict) else {}
    if channel.get("type") != "rest-hook":
        issues.append(
            Issue("Subscription.channel.type must be 'rest-hook'.", ("Subscription.channel.type",))
        )
    endpoint = channel.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        issues.append(
            Issue(
                "Subscription.channel.endpoint must be an http(s) URL.",
                ("Subscription.channel.endpoint",),
            )
        )
    content = [
        e.get("valueCode")
        for e in (channel.get("_payload") or {}).get("extension") or []
        if isinstance(e, dict) and e.get("url") == PAYLOAD_CONTENT
    ]
    if content and content[0] != "id-only":
        issues.append(Issue("Only id-only payloads are sent.", ("Subscription.channel.payload",)))
    headers = [h for h in channel.get("header") or [] if isinstance(h, str)]
    authorization = next(
        (h.split(":", 1)[1].strip() for h in headers if h.lower().startswith("authorization:")), ""
    )
    return {
        "endpoint": endpoint if isinstance(endpoint, str) else "",
        "header": authorization[:500],
        "reason": str(resource.get("reason") or "Task status changes")[:300],
    }


def _status_parameters(subscription, kind: str, notifications) -> dict:
    parameters = [
        {
            "name": "subscription",
            "valueReference": {"reference": f"Subscription/{subscription.pk}"},
        },
        {"name": "topic", "valueCanonical": task_status_topic()},
        {"name": "status", "valueCode": subscription.status},
        {"name": "type", "valueCode": kind},
        {
            "name": "events-since-subscription-start",
            "valueString": str(subscription.events_since_start),
        },
    ]
    for notification in notifications:
        part: list[dict] = [
            {"name": "event-number", "valueString": str(notification.event_number)},
            {"name": "timestamp", "valueInstant": instant(notification.occurred_at)},
        ]
        if notification.task_reference:
            part.append(
                {
                    "name": "focus",
                    "valueReference": {"reference": f"Task/{notification.task_reference}"},
                }
            )
        parameters.append({"name": "notification-event", "part": part})
    return {
        "resourceType": "Parameters",
        "id": f"{subscription.pk}-status",
        "meta": {"profile": [STATUS_PROFILE]},
        "parameter": parameters,
    }


def notification_bundle(
    subscription, kind: str, notifications, bundle_type: str = "history"
) -> dict:
    """id-only: the status, then each focus Task named by its full URL (not its content)."""
    base = fhir_base()
    status = _status_parameters(subscription, kind, notifications)
    entries = [
        {
            "fullUrl": f"urn:uuid:{_uuid_for(subscription.pk, kind, notifications)}",
            "resource": status,
            "request": {"method": "GET", "url": f"Subscription/{subscription.pk}/$status"},
            "response": {"status": "200"},
        }
    ]
    for notification in notifications:
        if notification.task_reference:
            entries.append(
                {
                    "fullUrl": f"{base}/Task/{notification.task_reference}",
                    "request": {"method": "PUT", "url": f"Task/{notification.task_reference}"},
                    "response": {"status": "200"},
                }
            )
    return {
        "resourceType": "Bundle",
        "type": bundle_type,
        "timestamp": instant(
            max([n.occurred_at for n in notifications], default=subscription.updated_at)
        ),
        "entry": entries,
    }


def _uuid_for(pk: int, kind: str, notifications) -> str:
    numbers = ",".join(str(n.event_number) for n in notifications)
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"subscription/{pk}/{kind}/{numbers}"))


def status_bundle(subscription) -> dict:
    """The $status answer: a searchset of the SubscriptionStatus alone."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {
                "fullUrl": f"urn:uuid:{_uuid_for(subscription.pk, 'query-status', [])}",
                "resource": _status_parameters(subscription, "query-status", []),
                "search": {"mode": "match"},
            }
        ],
    }
