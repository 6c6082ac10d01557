"""Real concurrent transactions on PostgreSQL: one thread, one connection."""

import threading

import pytest
from django.db import connection

from referrals import services
from referrals.errors import ReferralAlreadyTaken
from referrals.models import Referral, ReferralEvent
from tests.referrals.conftest import referral_payload, token_client

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_together(count, work):
    """Start `count` threads at the same moment; return what each returned or raised."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_coordinators_accepting_at_once_exactly_one_succeeds(
    referral_a, coordinator_x, manager
):
    people = [coordinator_x, manager]
    results = _run_together(
        2, lambda i: services.accept_referral(referral=referral_a, by=people[i])
    )
    winners = [r for r in results if isinstance(r, Referral)]
    losers = [r for r in results if isinstance(r, ReferralAlreadyTaken)]
    assert (len(winners), len(losers)) == (1, 1), results
    assert "already accepted" in str(losers[0])
    referral_a.refresh_from_db()
    assert referral_a.assigned_to == winners[0].assigned_to
    assert ReferralEvent.objects.filter(referral=referral_a, to_status="accepted").count() == 1


def test_twenty_concurrent_posts_with_one_idempotency_key_create_one_referral(referrer_a):
    payload = referral_payload()
    clients = [token_client(referrer_a) for _ in range(20)]
    responses = _run_together(
        20,
        lambda i: clients[i].post(
            "/api/v1/referrals/", payload, format="json", HTTP_IDEMPOTENCY_KEY="key-20"
        ),
    )
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, statuses
    assert 201 in statuses
    assert Referral.objects.count() == 1
    created_ids = {r.json()["id"] for r in responses if r.status_code == 201}
    assert created_ids == {Referral.objects.get().pk}
