"""The practice sees its messages back on each referral's page and reaches its list of messages
from "Our referrals"; nobody else sees them there."""

import pytest
from django.urls import reverse

from gp_messages.models import MessageMoment
from gp_messages.services import produce_message_back

pytestmark = pytest.mark.django_db


def test_the_referrals_page_lists_its_messages_for_the_practice_with_a_link_to_each(
    as_user, case, referrer_a, django_assert_max_num_queries
):
    message = produce_message_back(case_id=case.pk, moment=MessageMoment.FIRST_SEEN)
    client = as_user(referrer_a)
    url = reverse("referrals:detail", args=[case.reference])
    client.get(url)
    with django_assert_max_num_queries(20):
        page = client.get(url).content.decode()
    assert 'data-testid="messages-back-about"' in page
    assert reverse("gp_messages:detail", args=[message.public_id]) in page
    assert "Not filed" in page


def test_a_referral_without_messages_says_none_has_been_sent(as_user, case, referrer_a):
    page = as_user(referrer_a).get(reverse("referrals:detail", args=[case.reference]))
    assert "No message has been sent to the practice about this referral yet." in (
        page.content.decode()
    )


def test_our_referrals_links_to_the_practices_messages_once(as_user, case, referrer_a):
    page = as_user(referrer_a).get(reverse("referrals:practice-home")).content.decode()
    assert page.count(f'href="{reverse("gp_messages:list")}" data-testid') == 1


def test_the_case_page_lists_the_messages_with_a_correction_link_for_the_team(
    as_user, case, coordinator_x
):
    message = produce_message_back(case_id=case.pk, moment=MessageMoment.FIRST_SEEN)
    page = as_user(coordinator_x).get(reverse("coordinators:case", args=[case.reference]))
    assert reverse("gp_messages:correct", args=[message.public_id]) in page.content.decode()
