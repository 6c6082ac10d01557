"""'Our referrals': search, filters and one summary line for the notices (issue 19, item 4)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import notify
from referrals.models import ReferralStatus
from tests.referrals.factories import PatientFactory, ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, password, referrer_a):
    client.login(email=referrer_a.email, password=password)
    return client


@pytest.fixture
def three(referrer_a, practice_a, team_x):
    def refer(given, family, nhs_number, days_ago, status=ReferralStatus.RECEIVED):
        return ReferralFactory(
            patient=PatientFactory(
                given_name=given,
                family_name=family,
                nhs_number=nhs_number,
                registered_practice=practice_a,
            ),
            referring_practice=practice_a,
            referred_by=referrer_a,
            team=team_x,
            status=status,
            received_at=timezone.now() - datetime.timedelta(days=days_ago),
        )

    return (
        refer("Ianto", "Testperson", "9434765919", 1),
        refer("Bronwen", "Examplewoman", "9990000018", 40, ReferralStatus.ACCEPTED),
        refer("Carys", "Testperson", "9990000026", 90, ReferralStatus.DECLINED),
    )


def _listed(client, **params) -> set[str]:
    page = client.get(reverse("referrals:practice-home"), params).content.decode()
    table = page[page.index('data-testid="our-referrals"') :]
    return {word for word in ("Ianto", "Bronwen", "Carys") if word in table}


def test_search_finds_by_name_nhs_number_or_reference(signed_in, three):
    assert _listed(signed_in, q="testperson") == {"Ianto", "Carys"}
    assert _listed(signed_in, q="carys testperson") == {"Carys"}
    assert _listed(signed_in, q="999 000 0018") == {"Bronwen"}
    assert _listed(signed_in, q=three[2].reference.lower()) == {"Carys"}
    assert _listed(signed_in) == {"Ianto", "Bronwen", "Carys"}


def test_filters_by_status_and_date_received(signed_in, three):
    assert _listed(signed_in, status="accepted") == {"Bronwen"}
    since = timezone.localdate() - datetime.timedelta(days=60)
    after = {
        "received_from_day": since.day,
        "received_from_month": since.month,
        "received_from_year": since.year,
    }
    assert _listed(signed_in, **after) == {"Ianto", "Bronwen"}
    until = timezone.localdate() - datetime.timedelta(days=10)
    before = {
        "received_to_day": until.day,
        "received_to_month": until.month,
        "received_to_year": until.year,
    }
    assert _listed(signed_in, **after, **before) == {"Bronwen"}


def test_a_backwards_date_range_is_an_error_naming_the_field(signed_in, three):
    today = timezone.localdate()
    page = signed_in.get(
        reverse("referrals:practice-home"),
        {
            "received_from_day": today.day,
            "received_from_month": today.month,
            "received_from_year": today.year,
            "received_to_day": 1,
            "received_to_month": 1,
            "received_to_year": 2000,
        },
    ).content.decode()
    assert "Received on or before must be on or after the start." in page
    assert 'href="#id_received_to"' in page


def test_the_notices_are_one_summary_line_linking_to_them(signed_in, referrer_a, three):
    for referral in three:
        notify(
            recipient=referrer_a,
            verb="referral_accepted",
            message=f"Referral {referral.reference} was accepted.",
            link=reverse("referrals:detail", args=[referral.reference]),
        )
    page = signed_in.get(reverse("referrals:practice-home")).content.decode()
    summary = page[page.index('data-testid="notifications"') :].split("</p>")[0]
    assert "3 updates since your last visit" in summary
    assert f'href="{reverse("accounts:notifications")}"' in summary
    assert three[0].reference not in summary


def test_a_search_reads_the_same_number_of_queries_for_1_or_20_rows(
    signed_in, referrer_a, practice_a, team_x, django_assert_max_num_queries
):
    url = reverse("referrals:practice-home")
    ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    signed_in.get(url, {"q": "a", "status": "received"})  # warm the session
    with django_assert_max_num_queries(20) as one_row:
        signed_in.get(url, {"q": "a", "status": "received"})
    for _ in range(19):
        ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    with django_assert_max_num_queries(len(one_row)):
        signed_in.get(url, {"q": "a", "status": "received"})
