"""End to end over HTTP with a FHIR client we did not write (fhirpy): a practice system gets a
token, refers in, subscribes; the coordinator accepts in the browser; the notification reaches a
receiver the test starts; the Task reads accepted; the case closes; the Task reads completed with
its summary. Celery runs as a real worker on the Redis broker; the sweep runs as beat would."""

import threading
import time
import uuid

import pytest
import requests
from celery.contrib.testing.worker import start_worker
from django.utils import timezone
from fhirpy import SyncFHIRClient

from common.enqueue import send_task
from config.celery import app as celery_app
from interop import services
from referrals import services as referral_services
from referrals.models import ContactMethod, Referral
from tests.interop.conftest import referral_bundle
from tests.interop.receiver import Receiver
from tests.interop.test_subscriptions import subscription_body
from tests.referrals.factories import TeamCoverageFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker(settings):
    """A real worker on a queue of its own, and a stand-in for beat running the sweep."""
    queue = f"fhir-e2e-{uuid.uuid4().hex}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    stop = threading.Event()

    def beat():
        while not stop.wait(1):
            send_task("interop.record_task_events", queue=queue)

    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=10
    ):
        ticker = threading.Thread(target=beat, daemon=True)
        ticker.start()
        yield
        stop.set()
        ticker.join(5)
    celery_app.conf.task_default_queue = previous


def _wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_practice_system_refers_in_hears_back_and_reads_the_task_through_to_completed(
    page, live_server, log_in, practice_a, team_x, coordinator_x, worker
):
    TeamCoverageFactory(practice=practice_a, team=team_x)
    registered = services.register_client(organisation=practice_a, name="GP system", by=None)
    receiver = Receiver()
    try:
        token = requests.post(
            f"{live_server.url}/fhir/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": registered.client.client_id,
                "client_secret": registered.secret,
                "scope": "system/Task.crus system/ServiceRequest.crs system/Patient.crs "
                "system/Consent.cr system/Subscription.crs system/DocumentReference.r",
            },
            timeout=10,
        ).json()["access_token"]
        fhir = SyncFHIRClient(f"{live_server.url}/fhir/R4", authorization=f"Bearer {token}")

        answer = fhir.execute("", method="post", data=referral_bundle(identifier="E2E-1"))
        task_id = answer["entry"][3]["response"]["location"].split("/")[1]
        assert fhir.reference("Task", task_id).to_resource()["status"] == "requested"

        subscription = fhir.resource("Subscription", **subscription_body(receiver.url))
        subscription.save()
        assert _wait_for(lambda: receiver.events()[:1] == [("handshake", [], [])])
        assert _wait_for(
            lambda: (
                fhir.reference("Subscription", subscription.id).to_resource()["status"] == "active"
            )
        )

        log_in(coordinator_x)
        page.get_by_role("link", name="Triage queue").first.click()
        page.get_by_role("link", name=task_id, exact=True).click()
        page.get_by_role("button", name="Accept and assign").click()
        page.get_by_role("button", name="Accept referral").click()
        assert page.get_by_test_id("status").inner_text() == "Accepted"
        accepted_at = time.monotonic()

        assert _wait_for(
            lambda: any(focus == [task_id] and n for _, n, focus in receiver.events()[1:])
        )
        latency = time.monotonic() - accepted_at
        assert fhir.reference("Task", task_id).to_resource()["status"] == "accepted"

        referral = Referral.objects.get(reference=task_id)
        referral_services.record_first_contact(
            referral=referral,
            by=coordinator_x,
            contacted_on=timezone.localdate(),
            method=ContactMethod.PHONE,
        )
        referral_services.close_referral(
            referral=referral,
            by=coordinator_x,
            outcome="goals_met",
            summary="Joined the walking group.",
        )
        task = fhir.reference("Task", task_id).to_resource()
        assert task["status"] == "completed"
        summary = fhir.get(task["output"][0]["valueReference"]["reference"])
        assert summary["resourceType"] == "DocumentReference"
        polled = fhir.resources("Task").search(status="completed").fetch()
        assert [t.id for t in polled] == [task_id]
        # After the handshake: accepted, in progress, completed; numbered 1, 2, 3, each once. The
        # referral's receipt came before the subscription, so it is not told, however the sweep
        # and the handshake interleave.
        assert _wait_for(lambda: len(receiver.events()) >= 4)
        time.sleep(2)
        numbers = [n for _, ns, _ in receiver.events()[1:] for n in ns]
        assert sorted(numbers) == [1, 2, 3]
        print(f"FHIR notification latency after accepting in the browser: {latency:.2f} s")
        assert latency < 15, f"notification took {latency:.1f} s"
    finally:
        receiver.close()
