"""Onward referral pages: the list on the referral, the emailed link, the provider's home.
(Referring on happens on the case page: tests/coordinators/test_onward_referrals.py.)"""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from referrals import provider_links, services
from referrals.models import ProviderLink, ServiceReferral
from tests.community_services.factories import ApprovedServiceFactory, ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, password):
    def _as(user):
        client.login(email=user.email, password=password)
        return client

    return _as


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _link_url(token):
    return reverse("referrals:provider-link", args=[token])


# --- Onward referrals on the referral page


def test_the_referral_page_lists_onward_referrals_with_waiting_time_and_links_to_the_case(
    as_user, service_referral, case_a, coordinator_x
):
    ServiceReferral.objects.filter(pk=service_referral.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=10)
    )
    page = (
        as_user(coordinator_x)
        .get(reverse("referrals:detail", args=[case_a.reference]))
        .content.decode()
    )
    assert reverse("coordinators:case", args=[case_a.reference]) in page
    assert "Refer to a community service" not in page
    assert "Tuesday Lunch Club" in page
    assert "Waiting 1\xa0week, 3\xa0days for an answer" in page


def test_the_referrer_sees_service_names_and_outcomes_but_no_notes(
    as_user, service_referral, case_a, referrer_a, provider
):
    services.accept_service_referral(service_referral=service_referral, by=provider)
    page = (
        as_user(referrer_a)
        .get(reverse("referrals:detail", args=[case_a.reference]))
        .content.decode()
    )
    assert "Tuesday Lunch Club: Accepted" in page
    assert "Would love company" not in page
    assert reverse("coordinators:case", args=[case_a.reference]) not in page


def test_the_referral_page_query_count_does_not_grow_with_onward_referrals(
    as_user, case_a, coordinator_x, provider_service, django_assert_num_queries
):
    client = as_user(coordinator_x)
    url = reverse("referrals:detail", args=[case_a.reference])
    services.create_service_referral(
        referral=case_a, service=provider_service, by=coordinator_x, provider_needs_to_know="x"
    )
    client.get(url)
    before = _queries(client, url)
    for _ in range(3):
        service = ApprovedServiceFactory()
        services.create_service_referral(
            referral=case_a, service=service, by=coordinator_x, provider_needs_to_know="x"
        )
    with django_assert_num_queries(before):
        client.get(url)


def test_another_team_cannot_see_the_onward_referral(
    as_user, case_a, coordinator_y, service_referral
):
    url = reverse("referrals:service-referral", args=[case_a.reference, service_referral.pk])
    assert as_user(coordinator_y).get(url).status_code == 404


def test_the_coordinator_records_an_answer_and_withdraws_from_the_onward_referral_page(
    as_user, case_a, coordinator_x, service_referral
):
    client = as_user(coordinator_x)
    url = reverse("referrals:service-referral", args=[case_a.reference, service_referral.pk])
    client.post(url, {"action": "accept"})
    assert ServiceReferral.objects.get().status == "accepted"
    client.post(url, {"action": "accept"})  # illegal: a message, not a 500
    client.post(url, {"action": "withdraw", "note": "Moved away."})
    withdrawn = ServiceReferral.objects.get()
    assert withdrawn.status == "withdrawn" and withdrawn.events.last().note == "Moved away."


def test_declining_without_a_reason_shows_the_error_next_to_the_field(
    as_user, case_a, coordinator_x, service_referral
):
    url = reverse("referrals:service-referral", args=[case_a.reference, service_referral.pk])
    page = as_user(coordinator_x).post(url, {"action": "decline"}).content.decode()
    assert 'id="id_reason-error"' in page and "There is a problem" in page
    assert ServiceReferral.objects.get().status == "sent"


# --- The signed link


def test_a_valid_link_shows_only_the_minimum_necessary_and_opening_it_is_audited(
    client, link_token, case_a, coordinator_x
):
    response = client.get(_link_url(link_token))
    page = response.content.decode()
    patient = case_a.patient
    for shown in (
        patient.given_name,
        patient.family_name,
        patient.phone,
        "patient@test.example",
        "Would love company at lunch",
        "Uses a wheelchair.",
        coordinator_x.email,
    ):
        assert shown in page
    for hidden in (patient.nhs_number_display, "Confidential risk note.", "1958"):
        assert hidden not in page
    assert "no-store" in response["Cache-Control"]
    opened = AuditEvent.objects.get(action="open_link")
    assert opened.patient_id == str(patient.pk) and opened.actor is None


def test_the_provider_accepts_then_marks_attended_by_link_and_each_answer_is_audited(
    client, link_token, service_referral
):
    url = _link_url(link_token)
    client.post(url, {"action": "accept"})
    client.post(url, {"action": "attended"})
    answered = ServiceReferral.objects.get()
    assert answered.status == "attended"
    assert [e.link_id for e in answered.events.all()][1:] == [answered.links.get().pk] * 2
    details = AuditEvent.objects.filter(action__in=["accept", "attended"]).values_list(
        "detail", flat=True
    )
    assert len(details) == 2 and all("via emailed link" in d for d in details)


def test_the_provider_declines_by_link_with_a_reason(client, link_token):
    client.post(_link_url(link_token), {"action": "decline", "reason": "no_capacity"})
    assert ServiceReferral.objects.get().decline_reason == "no_capacity"


def test_an_expired_link_gets_a_clear_page_and_no_data(client, link_token, case_a):
    later = timezone.now() + datetime.timedelta(days=15)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        response = client.get(_link_url(link_token))
        post = client.post(_link_url(link_token), {"action": "accept"})
    page = response.content.decode()
    assert response.status_code == 410 and "This link has expired" in page
    assert case_a.patient.family_name not in page
    assert post.status_code == 410 and ServiceReferral.objects.get().status == "sent"


def test_a_link_past_its_recorded_expiry_is_refused_even_with_a_fresh_signature(
    client, service_referral, case_a
):
    ProviderLink.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    token = provider_links.token_for(service_referral.links.get())
    response = client.get(_link_url(token))
    assert response.status_code == 410
    assert case_a.patient.family_name not in response.content.decode()


def test_a_tampered_link_gets_a_clear_page_and_no_data(client, link_token, case_a):
    tampered = link_token[:-2] + ("AA" if not link_token.endswith("AA") else "BB")
    response = client.get(_link_url(tampered))
    assert response.status_code == 404
    page = response.content.decode()
    assert "This link is not valid" in page and case_a.patient.family_name not in page
    forged = provider_links.signing.dumps({"link": 1}, salt="another-salt")
    assert client.get(_link_url(forged)).status_code == 404


def test_a_link_used_for_the_final_answer_no_longer_shows_data_or_changes_anything(
    client, link_token, case_a
):
    url = _link_url(link_token)
    client.post(url, {"action": "decline", "reason": "not_eligible"})
    response = client.get(url)
    page = response.content.decode()
    assert "this referral is finished" in page and case_a.patient.family_name not in page
    client.post(url, {"action": "accept"})
    assert ServiceReferral.objects.get().status == "declined"


def test_after_expiry_the_coordinator_sends_a_fresh_link_from_the_page(
    as_user, case_a, coordinator_x, service_referral, mailoutbox
):
    client = as_user(coordinator_x)
    url = reverse("referrals:service-referral", args=[case_a.reference, service_referral.pk])
    assert "Send the provider a fresh link" not in client.get(url).content.decode()
    ProviderLink.objects.update(expires_at=timezone.now() - datetime.timedelta(days=1))
    assert "Send the provider a fresh link" in client.get(url).content.decode()
    client.post(url, {"action": "send_link"})
    assert service_referral.links.count() == 2


# --- Provider users


def test_the_provider_home_lists_only_their_services_referrals_with_the_waiting_count(
    as_user, service_referral, provider, other_provider, case_a, coordinator_x
):
    services.create_service_referral(
        referral=case_a, service=other_provider[1], by=coordinator_x, provider_needs_to_know="x"
    )
    page = as_user(provider).get(reverse("referrals:provider-home")).content.decode()
    assert "Tuesday Lunch Club" in page and "Other Walks" not in page
    assert "<strong>1</strong> referral waiting for your answer" in page


def test_the_provider_home_query_count_does_not_grow_with_rows(
    as_user, provider, provider_service, coordinator_x, case_a, django_assert_num_queries
):
    from tests.referrals.factories import ReferralFactory

    def refer():
        case = ReferralFactory(
            team=case_a.team, status="in_progress", patient__consent_to_share=True
        )
        services.create_service_referral(
            referral=case, service=provider_service, by=coordinator_x, provider_needs_to_know="x"
        )

    refer()
    client = as_user(provider)
    url = reverse("referrals:provider-home")
    client.get(url)
    one_row = _queries(client, url)
    for _ in range(5):
        refer()
    with django_assert_num_queries(one_row):
        client.get(url)


def test_another_providers_referral_is_a_404_for_a_provider_user(
    as_user, service_referral, other_provider
):
    client = as_user(other_provider[0])
    url = reverse("referrals:provider-service-referral", args=[service_referral.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "accept"}).status_code == 404
    assert ServiceReferral.objects.get().status == "sent"


def test_a_provider_user_answers_from_their_page_and_viewing_is_audited(
    as_user, service_referral, provider
):
    client = as_user(provider)
    url = reverse("referrals:provider-service-referral", args=[service_referral.pk])
    page = client.get(url).content.decode()
    assert "Accept the referral" in page and "Withdraw" not in page
    client.post(url, {"action": "accept"})
    client.post(url, {"action": "withdraw"})  # not a provider's action
    assert ServiceReferral.objects.get().status == "accepted"
    assert AuditEvent.objects.filter(action="view", object_type="service_referral").exists()


def test_provider_service_without_organisation_is_not_answerable_by_provider_users(
    as_user, provider, case_a, coordinator_x
):
    unlinked = ApprovedServiceFactory(provider=ProviderFactory(organisation=None))
    created = services.create_service_referral(
        referral=case_a, service=unlinked, by=coordinator_x, provider_needs_to_know="x"
    )
    url = reverse("referrals:provider-service-referral", args=[created.pk])
    assert as_user(provider).get(url).status_code == 404
