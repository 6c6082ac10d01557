"""What the referrer can do with a referral it sent (issue 19, item 3): withdraw it as a
warning action in plain words, and add information the team sees."""

import re

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Notification
from referrals import services
from referrals.errors import IllegalTransition, NotInReferringPractice
from referrals.models import ReferralInformation, ReferralStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, password):
    def _as(user):
        client.login(email=user.email, password=password)
        return client

    return _as


def _actions(page: str) -> str:
    return re.search(r'data-testid="actions">(.*?)</div>', page, re.S).group(1)  # type: ignore[union-attr]


def test_the_referrer_withdraws_by_a_warning_action_in_plain_words(as_user, referral_a, referrer_a):
    page = as_user(referrer_a).get(reverse("referrals:detail", args=[referral_a.reference]))
    actions = _actions(page.content.decode())
    assert "The patient no longer wants this referral" in actions
    assert "Patient declined" not in actions
    withdraw = re.search(r'<a class="([^"]+)"[^>]*>The patient no longer wants', actions)
    assert withdraw and "nhsuk-button--warning" in withdraw.group(1)
    assert "Add information to this referral" in actions


def test_the_team_still_sees_its_own_wording(as_user, referral_a, coordinator_x):
    page = as_user(coordinator_x).get(reverse("referrals:detail", args=[referral_a.reference]))
    actions = _actions(page.content.decode())
    assert "The patient no longer wants this referral" not in actions
    assert "Add information to this referral" not in actions


def test_information_the_referrer_adds_is_shown_to_the_team_and_audited(
    as_user, referral_a, referrer_a, coordinator_x
):
    services.accept_referral(referral=referral_a, by=coordinator_x)
    client = as_user(referrer_a)
    url = reverse("referrals:add-information", args=[referral_a.reference])
    response = client.post(url, {"text": "New mobile number: 07700 900123."})
    assert response.url == reverse("referrals:detail", args=[referral_a.reference])
    added = ReferralInformation.objects.get()
    assert (added.referral, added.added_by) == (referral_a, referrer_a)
    assert AuditEvent.objects.filter(
        action="update", object_type="referral", object_id=str(referral_a.pk)
    ).exists()
    assert Notification.objects.filter(recipient=coordinator_x).exists()
    team_page = as_user(coordinator_x).get(reverse("referrals:detail", args=[referral_a.reference]))
    assert "New mobile number: 07700 900123." in team_page.content.decode()
    assert 'data-testid="added-information"' in team_page.content.decode()


def test_empty_information_is_an_error_naming_the_field(as_user, referral_a, referrer_a):
    url = reverse("referrals:add-information", args=[referral_a.reference])
    page = as_user(referrer_a).post(url, {"text": ""}).content.decode()
    assert "Enter the information to add to the referral." in page
    assert 'href="#id_text"' in page
    assert not ReferralInformation.objects.exists()


def test_another_practice_cannot_add_to_a_referral(as_user, referral_a, referrer_b):
    url = reverse("referrals:add-information", args=[referral_a.reference])
    assert as_user(referrer_b).post(url, {"text": "Hello"}).status_code == 404
    assert not ReferralInformation.objects.exists()


def test_only_the_referring_practice_may_add_information(referral_a, coordinator_x):
    with pytest.raises(NotInReferringPractice):
        services.add_referral_information(referral=referral_a, by=coordinator_x, text="Hello")


def test_an_ended_referral_takes_no_more_information(referral_a, referrer_a):
    referral_a.status = ReferralStatus.DECLINED
    referral_a.save(update_fields=["status"])
    with pytest.raises(IllegalTransition):
        services.add_referral_information(referral=referral_a, by=referrer_a, text="Hello")
    assert not ReferralInformation.objects.exists()
