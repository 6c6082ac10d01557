"""Subscriptions Backport: a handshake on creation, a notification per Task status change with
event numbers that increase by one, each sent once, retries then error (owner told in the app),
and $status / $events to recover what was missed."""

import datetime
import json

import pytest
from django.utils import timezone

from accounts.models import Notification
from gp_messages.models import MessageMoment
from gp_messages.services import produce_message_back
from interop.models import EventCursor, Subscription, SubscriptionNotification
from interop.resources.subscription import task_status_topic
from interop.services.subscriptions import deliver_notification, record_task_events
from referrals import services as referral_services
from referrals.models import ContactMethod, Referral
from tests.interop.conftest import FHIR, post_bundle, referral_bundle
from tests.interop.fhir_validity import assert_valid
from tests.interop.receiver import Receiver
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


def subscription_body(endpoint: str) -> dict:
    return {
        "resourceType": "Subscription",
        "status": "requested",
        "reason": "Our referrals' progress",
        "criteria": task_status_topic(),
        "channel": {
            "type": "rest-hook",
            "endpoint": endpoint,
            "payload": FHIR,
            "_payload": {
                "extension": [
                    {
                        "url": "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-payload-content",
                        "valueCode": "id-only",
                    }
                ]
            },
            "header": ["Authorization: Bearer receiver-secret"],
        },
    }


def _subscribe(api, receiver) -> Subscription:
    response = api.post(
        "/fhir/R4/Subscription", json.dumps(subscription_body(receiver.url)), content_type=FHIR
    )
    assert response.status_code == 201, response.content
    subscription = Subscription.objects.get(pk=response.json()["id"])
    handshake = subscription.notifications.get()
    assert deliver_notification(notification_id=handshake.pk).status == "sent"
    subscription.refresh_from_db()
    return subscription


def _deliver_all():
    for notification in SubscriptionNotification.objects.filter(state="pending"):
        deliver_notification(notification_id=notification.pk)


def test_a_subscription_is_active_after_its_handshake_reaches_the_endpoint(
    practice_a_api, receiver
):
    subscription = _subscribe(practice_a_api, receiver)
    assert subscription.status == "active"
    assert receiver.events() == [("handshake", [], [])]
    assert receiver.headers[0]["Authorization"] == "Bearer receiver-secret"
    assert_valid(receiver.received[0])


def test_each_status_change_of_the_practices_tasks_is_notified_once_numbered_in_order(
    practice_a_api, receiver, practice_a, practice_b, referrer_a, referrer_b, team_x, coordinator_x
):
    _subscribe(practice_a_api, receiver)
    ours = ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    ReferralFactory(referring_practice=practice_b, referred_by=referrer_b, team=team_x)
    referral_services.accept_referral(referral=ours, by=coordinator_x)
    assert record_task_events() == 2  # received and accepted: ours only
    assert record_task_events() == 0  # a second sweep adds nothing
    _deliver_all()
    _deliver_all()  # nothing is sent twice
    assert receiver.events()[1:] == [
        ("event-notification", [1], [ours.reference]),
        ("event-notification", [2], [ours.reference]),
    ]
    for bundle in receiver.received:
        assert_valid(bundle)


def test_a_failing_endpoint_is_retried_then_the_subscription_errors_and_the_owner_is_told(
    practice_a_api, receiver, practice_a, referrer_a, team_x, settings
):
    settings.FHIR_NOTIFICATION_MAX_ATTEMPTS = 3
    subscription = _subscribe(practice_a_api, receiver)
    receiver.answer = 500
    ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    record_task_events()
    notification = SubscriptionNotification.objects.get(kind="event-notification")
    outcomes = [deliver_notification(notification_id=notification.pk) for _ in range(3)]
    assert [o.status for o in outcomes] == ["retry", "retry", "failed"]
    assert [o.retry_in for o in outcomes[:2]] == [5, 10]
    subscription.refresh_from_db()
    assert subscription.status == "error"
    assert Notification.objects.filter(verb="fhir_subscription_error").exists()


def test_status_and_events_recover_what_a_receiver_missed(
    practice_a_api, receiver, practice_a, referrer_a, team_x
):
    subscription = _subscribe(practice_a_api, receiver)
    for _ in range(3):
        ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    record_task_events()
    status = practice_a_api.get(f"/fhir/R4/Subscription/{subscription.pk}/$status").json()
    parameters = status["entry"][0]["resource"]["parameter"]
    assert (
        next(p for p in parameters if p["name"] == "events-since-subscription-start")["valueString"]
        == "3"
    )
    events = practice_a_api.get(
        f"/fhir/R4/Subscription/{subscription.pk}/$events?eventsSinceNumber=2"
    ).json()
    numbers = [
        next(x["valueString"] for x in p["part"] if x["name"] == "event-number")
        for p in events["entry"][0]["resource"]["parameter"]
        if p["name"] == "notification-event"
    ]
    assert numbers == ["2", "3"]
    assert_valid(status)
    assert_valid(events)


def test_another_callers_subscription_is_not_found(practice_a_api, practice_b_api, receiver):
    subscription = _subscribe(practice_a_api, receiver)
    assert practice_b_api.get(f"/fhir/R4/Subscription/{subscription.pk}").status_code == 404


def test_a_subscription_to_another_topic_is_a_422_naming_the_criteria(practice_a_api, receiver):
    body = {**subscription_body(receiver.url), "criteria": "Patient?name=x"}
    response = practice_a_api.post("/fhir/R4/Subscription", json.dumps(body), content_type=FHIR)
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == ["Subscription.criteria"]
    assert not Subscription.objects.exists()


def test_a_change_made_before_the_subscription_existed_is_not_notified(
    practice_a_api, receiver, practice_a, referrer_a, team_x
):
    """The sweep may read the referral's receipt only after the handshake made the subscription
    active: it was no change to the subscriber, whenever the sweep runs."""
    ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    _subscribe(practice_a_api, receiver)
    assert record_task_events() == 0
    assert not SubscriptionNotification.objects.filter(kind="event-notification").exists()


def test_a_referral_followed_from_requested_to_completed_is_notified_exactly_three_times(
    practice_a_api, receiver, coordinator_x
):
    """The journey of the end-to-end test without the browser: referred in, subscribed, then
    accepted, first contact, closed. Each status change once, numbered 1, 2, 3."""
    answer = post_bundle(practice_a_api, referral_bundle(identifier="PIN-1")).json()
    task_id = answer["entry"][3]["response"]["location"].split("/")[1]
    _subscribe(practice_a_api, receiver)
    referral = Referral.objects.get(reference=task_id)
    referral_services.accept_referral(referral=referral, by=coordinator_x)
    referral_services.record_first_contact(
        referral=referral,
        by=coordinator_x,
        contacted_on=timezone.localdate(),
        method=ContactMethod.PHONE,
    )
    referral_services.close_referral(
        referral=referral, by=coordinator_x, outcome="goals_met", summary="Joined a choir."
    )
    assert record_task_events() == 3
    _deliver_all()
    assert receiver.events()[1:] == [
        ("event-notification", [1], [task_id]),
        ("event-notification", [2], [task_id]),
        ("event-notification", [3], [task_id]),
    ]
    statuses = [
        n.referral_event.to_status
        for n in SubscriptionNotification.objects.filter(kind="event-notification")
        .select_related("referral_event")
        .order_by("event_number")
    ]
    assert statuses == ["accepted", "in_progress", "closed"]


def test_a_message_back_is_notified_once_as_a_change_to_its_task(
    practice_a_api, practice_b_api, receiver, practice_a, referrer_a, team_x, coordinator_x
):
    """The message back is a new output of the Task: the practice's subscriber hears of it once,
    numbered after the status change before it; another practice's subscriber hears nothing."""
    subscription = _subscribe(practice_a_api, receiver)
    other = Receiver()
    try:
        _subscribe(practice_b_api, other)
        referral = ReferralFactory(
            referring_practice=practice_a, referred_by=referrer_a, team=team_x
        )
        referral_services.accept_referral(referral=referral, by=coordinator_x)
        message = produce_message_back(case_id=referral.pk, moment=MessageMoment.FIRST_SEEN)
        assert record_task_events() == 3  # received, accepted, the message back
        assert record_task_events() == 0
        _deliver_all()
        _deliver_all()
        assert receiver.events()[1:] == [
            ("event-notification", [1], [referral.reference]),
            ("event-notification", [2], [referral.reference]),
            ("event-notification", [3], [referral.reference]),
        ]
        assert other.events() == [("handshake", [], [])]
        notified = SubscriptionNotification.objects.get(subscription=subscription, event_number=3)
        assert notified.message_back == message
        assert notified.occurred_at == message.sent_at
        assert notified.state == "sent"
        for bundle in receiver.received:
            assert_valid(bundle)
    finally:
        other.close()


def test_the_first_subscription_starts_the_sweep_after_the_history_not_at_its_beginning(
    practice_a_api, receiver, practice_a, referrer_a, team_x, coordinator_x
):
    """A site with years of referral events: the first subscriber is told of the next change
    at the next sweep, not after the sweep has read the whole history a batch at a time."""
    old = ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    _subscribe(practice_a_api, receiver)
    cursor = EventCursor.objects.get(name="task-status")
    assert cursor.last_event_id == old.events.get().pk
    referral_services.accept_referral(referral=old, by=coordinator_x)
    assert record_task_events(limit=1) == 1


def _event_at(referral, *, pk: int, to_status: str, ago: datetime.timedelta = datetime.timedelta()):
    """A status event under a chosen id: ids are handed out before their transactions commit,
    so a lower id can become visible after a higher one."""
    from referrals.models import ReferralEvent

    return ReferralEvent.objects.create(
        pk=pk,
        referral=referral,
        occurred_at=timezone.now() - ago,
        from_status="received",
        to_status=to_status,
    )


def _status_cursor() -> int:
    return EventCursor.objects.get(name="task-status").last_event_id


def test_a_change_committed_after_a_later_one_was_read_is_still_notified_once(
    practice_a_api, receiver, practice_a, referrer_a, team_x
):
    _subscribe(practice_a_api, receiver)
    ours = ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    assert record_task_events() == 1  # its received event
    read_up_to = _status_cursor()

    _event_at(ours, pk=read_up_to + 2, to_status="accepted")  # committed first
    assert record_task_events() == 1
    assert _status_cursor() == read_up_to  # waits below the hole
    _event_at(ours, pk=read_up_to + 1, to_status="declined")  # the slower transaction commits
    assert record_task_events() == 1
    assert record_task_events() == 0

    assert _status_cursor() == read_up_to + 2
    told = SubscriptionNotification.objects.filter(kind="event-notification")
    assert sorted(told.values_list("event_number", flat=True)) == [1, 2, 3]
    assert told.filter(referral_event_id=read_up_to + 1).count() == 1


def test_a_hole_older_than_any_transaction_is_taken_for_a_rollback_and_passed(
    practice_a_api, receiver, practice_a, referrer_a, team_x
):
    from interop.services.subscriptions import SETTLE

    _subscribe(practice_a_api, receiver)
    ours = ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    record_task_events()
    read_up_to = _status_cursor()

    _event_at(ours, pk=read_up_to + 2, to_status="accepted", ago=SETTLE * 2)

    record_task_events()  # (before the subscription: no notification, but read)

    assert _status_cursor() == read_up_to + 2
