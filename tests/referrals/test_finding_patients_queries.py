"""The pages issue 18 added to referrals cost the same number of queries however much they
show: the self-referral form (its list of practices), and the contact pages of a referral
(record an attempt, confirm identity, unable to contact) with the attempts they cite."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from referrals import services
from tests.factories import OrganisationFactory
from tests.referrals.factories import TeamCoverageFactory

pytestmark = pytest.mark.postgres


def _queries(client, url: str) -> int:
    client.get(url)  # the session and anything cached once
    with CaptureQueriesContext(connection) as counted:
        assert client.get(url).status_code == 200
    return len(counted)


def test_the_self_referral_form_uses_the_same_queries_for_2_or_11_practices(
    client, team_x, django_assert_num_queries
):
    url = reverse("referrals:self-referral")
    one = _queries(client, url)
    for n in range(9):
        practice = OrganisationFactory(name=f"Covered practice {n}", kind="gp_practice")
        TeamCoverageFactory(practice=practice, team=team_x)
    with django_assert_num_queries(one):
        page = client.get(url).content.decode()
    assert "Covered practice 8" in page


@pytest.mark.parametrize(
    "name", ["referrals:contact-attempt", "referrals:confirm-identity", "referrals:unable"]
)
def test_a_referrals_contact_pages_use_the_same_queries_for_1_or_5_attempts(
    client, referral_a, coordinator_x, name, django_assert_num_queries
):
    services.accept_referral(referral=referral_a, by=coordinator_x)

    def attempt() -> None:
        services.record_contact_attempt(
            referral=referral_a,
            by=coordinator_x,
            attempted_on=timezone.localdate(),
            method="phone",
            outcome="no_answer",
        )

    attempt()
    client.force_login(coordinator_x)
    url = reverse(name, args=[referral_a.reference])
    one = _queries(client, url)
    for _ in range(4):
        attempt()
    with django_assert_num_queries(one):
        assert client.get(url).status_code == 200
