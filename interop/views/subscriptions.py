"""Subscription: create (handshake follows), read, $status and $events to recover missed ones."""

from django.http import Http404

from ..models import Subscription
from ..outcome import FhirError, Issue
from ..resources.subscription import (
    notification_bundle,
    status_bundle,
    subscription_request,
    subscription_resource,
)
from ..services import create_subscription
from ..services.subscriptions import notifications_between
from .base import FhirView, fhir_response, read_json_body


def _own(caller, subscription_id: str) -> Subscription:
    subscription = (
        Subscription.objects.filter(owner=caller.user, pk=int(subscription_id)).first()
        if subscription_id.isdigit()
        else None
    )
    if subscription is None:
        raise Http404("No such Subscription for this caller.")
    return subscription


class SubscriptionCreate(FhirView):
    def post(self, request, caller):
        caller.require("Subscription", "c")
        issues: list[Issue] = []
        wanted = subscription_request(read_json_body(request), issues)
        if issues:
            raise FhirError(422, issues)
        subscription = create_subscription(by=caller.user, client=caller.client, **wanted)
        return fhir_response(
            subscription_resource(subscription),
            status=201,
            headers={"Location": f"Subscription/{subscription.pk}"},
        )


class SubscriptionRead(FhirView):
    def get(self, request, caller, subscription_id: str):
        caller.require("Subscription", "r")
        return fhir_response(subscription_resource(_own(caller, subscription_id)))


class SubscriptionStatus(FhirView):
    def get(self, request, caller, subscription_id: str):
        caller.require("Subscription", "r")
        return fhir_response(status_bundle(_own(caller, subscription_id)))


def _number(request, name: str) -> int | None:
    raw = request.GET.get(name)
    if raw is None:
        return None
    if not raw.isdigit():
        raise FhirError.one(400, f"{name} must be a whole number.", name)
    return int(raw)


class SubscriptionEvents(FhirView):
    def get(self, request, caller, subscription_id: str):
        caller.require("Subscription", "r")
        subscription = _own(caller, subscription_id)
        since, until = _number(request, "eventsSinceNumber"), _number(request, "eventsUntilNumber")
        notifications = list(notifications_between(subscription, since, until)[:100])
        return fhir_response(
            notification_bundle(subscription, "query-event", notifications, bundle_type="history")
        )
