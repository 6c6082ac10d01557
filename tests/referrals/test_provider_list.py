"""The provider's list of referrals (issue 19 item 11): waiting for an answer first, filters by
status and date sent, and durations people say ("Sent today", not "waiting 0 minutes")."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.templatetags.humane_dates import waiting_since
from referrals import services
from referrals.models import ServiceReferral
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def refer(case_a, provider_service, coordinator_x):
    """An onward referral to the provider's service, sent `days_ago`, in `status`."""

    def _refer(name, *, days_ago=0, status="sent"):
        case = ReferralFactory(
            team=case_a.team,
            status="in_progress",
            patient__consent_to_share=True,
            patient__given_name=name,
        )
        sr = services.create_service_referral(
            referral=case, service=provider_service, by=coordinator_x, provider_needs_to_know="x"
        )
        ServiceReferral.objects.filter(pk=sr.pk).update(
            sent_at=timezone.now() - datetime.timedelta(days=days_ago), status=status
        )
        return sr

    return _refer


def _names_in_order(client, **params) -> list[str]:
    page = client.get(reverse("referrals:provider-home"), params).content.decode()
    names = ("Accepteda", "Newwaiting", "Oldwaiting", "Olddeclined")
    return sorted((n for n in names if n in page), key=page.index)


def test_the_provider_sees_referrals_waiting_for_an_answer_first_the_longest_waiting_on_top(
    client, provider, refer
):
    refer("Accepteda", days_ago=0, status="accepted")
    refer("Newwaiting", days_ago=1)
    refer("Oldwaiting", days_ago=9, status="no_response")
    refer("Olddeclined", days_ago=20, status="declined")
    client.force_login(provider)

    assert _names_in_order(client) == ["Oldwaiting", "Newwaiting", "Accepteda", "Olddeclined"]


def test_the_provider_filters_by_status_and_by_the_date_sent(client, provider, refer):
    refer("Accepteda", days_ago=0, status="accepted")
    refer("Newwaiting", days_ago=1)
    refer("Oldwaiting", days_ago=9, status="no_response")
    client.force_login(provider)
    today = timezone.localdate()

    assert _names_in_order(client, status="waiting") == ["Oldwaiting", "Newwaiting"]
    assert _names_in_order(client, status="accepted") == ["Accepteda"]
    since = today - datetime.timedelta(days=2)
    assert _names_in_order(client, sent_from=since) == ["Newwaiting", "Accepteda"]
    until = today - datetime.timedelta(days=5)
    assert _names_in_order(client, sent_to=until) == ["Oldwaiting"]


def test_a_bad_filter_is_an_error_next_to_its_field(client, provider, refer):
    refer("Newwaiting", days_ago=1)
    client.force_login(provider)
    today = timezone.localdate()

    page = client.get(
        reverse("referrals:provider-home"),
        {"sent_from": today, "sent_to": today - datetime.timedelta(days=3)},
    ).content.decode()

    assert "&#x27;Sent to&#x27; must be the same as or after &#x27;Sent from&#x27;." in page
    assert 'href="#id_sent_to"' in page


def test_a_referral_sent_a_minute_ago_reads_sent_today_not_waiting_0_minutes(
    client, provider, refer
):
    refer("Newwaiting", days_ago=0)
    client.force_login(provider)

    page = client.get(reverse("referrals:provider-home")).content.decode()

    assert "Sent today" in page
    assert "0\xa0minutes" not in page


@pytest.mark.parametrize(
    ("days", "words"),
    [(0, "Sent today"), (1, "Sent yesterday"), (5, "Waiting 5 days"), (22, "Waiting 3 weeks")],
)
def test_waiting_times_read_in_days_and_weeks(days, words):
    assert waiting_since(timezone.now() - datetime.timedelta(days=days)) == words


def test_the_filtered_provider_list_query_count_does_not_grow_with_rows(
    client, provider, refer, django_assert_max_num_queries
):
    refer("Newwaiting", days_ago=1)
    client.force_login(provider)
    url = reverse("referrals:provider-home")
    params = {"status": "waiting", "sent_from": timezone.localdate() - datetime.timedelta(days=30)}
    client.get(url, params)
    for days in range(5):
        refer(f"Person{days}", days_ago=days + 2)

    # Session, user, memberships (x2: the role check, the organisations), count, page, the
    # waiting count, the header bell, and the audit of the rows shown (lock, previous hash,
    # insert): one audit batch however many rows.
    with django_assert_max_num_queries(14):
        assert client.get(url, params).status_code == 200
