"""/api/v1/service-referrals/: create, list, detail and transitions, scoped like the pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community_services.models import Capacity
from referrals import services
from referrals.models import ServiceReferral
from tests.community_services.factories import ApprovedServiceFactory, ProviderFactory
from tests.referrals.conftest import token_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/service-referrals/"


def _create_body(case, service, **overrides):
    return {
        "referral": case.reference,
        "service": str(service.public_id),
        "provider_needs_to_know": "Enjoys cooking.",
        **overrides,
    }


def test_a_coordinator_creates_an_onward_referral(case_a, provider_service, coordinator_x):
    response = token_client(coordinator_x).post(
        URL, _create_body(case_a, provider_service), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["service_name"], body["referral"]) == (
        "sent",
        "Tuesday Lunch Club",
        case_a.reference,
    )
    assert body["patient"]["family_name"] == case_a.patient.family_name
    assert "nhs_number" not in body["patient"]


def test_creation_without_consent_or_to_a_paused_service_is_a_409_with_the_message(
    case_a, provider_service, coordinator_x
):
    client = token_client(coordinator_x)
    provider_service.capacity = Capacity.PAUSED
    provider_service.save()
    paused = client.post(URL, _create_body(case_a, provider_service), format="json")
    assert paused.status_code == 409 and "paused" in paused.json()["detail"]
    case_a.patient.consent_to_share = False
    case_a.patient.save()
    other = ApprovedServiceFactory()
    refused = client.post(URL, _create_body(case_a, other), format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "no_consent_to_share"
    assert not ServiceReferral.objects.exists()


def test_creation_for_another_teams_referral_or_by_a_provider_is_refused(
    case_a, provider_service, coordinator_y, provider
):
    body = _create_body(case_a, provider_service)
    assert token_client(coordinator_y).post(URL, body, format="json").status_code == 400
    assert token_client(provider).post(URL, body, format="json").status_code == 403


def test_lists_are_scoped_to_the_team_and_to_the_provider_organisation(
    service_referral, coordinator_x, coordinator_y, provider, other_provider
):
    def ids(user):
        return [row["id"] for row in token_client(user).get(URL).json()["results"]]

    assert ids(coordinator_x) == [service_referral.pk]
    assert ids(provider) == [service_referral.pk]
    assert ids(coordinator_y) == [] and ids(other_provider[0]) == []


def test_another_providers_or_teams_referral_is_a_404(
    service_referral, coordinator_y, other_provider
):
    for outsider in (coordinator_y, other_provider[0]):
        client = token_client(outsider)
        assert client.get(f"{URL}{service_referral.pk}/").status_code == 404
        assert client.post(f"{URL}{service_referral.pk}/accept/").status_code == 404


def test_the_provider_answers_through_the_api_and_an_illegal_change_is_a_409(
    service_referral, provider
):
    client = token_client(provider)
    base = f"{URL}{service_referral.pk}"
    assert client.post(f"{base}/accept/", {"note": "See you Tuesday"}).json()["status"] == (
        "accepted"
    )
    illegal = client.post(f"{base}/completed/")
    assert (
        illegal.status_code == 409 and "cannot be marked as completed" in illegal.json()["detail"]
    )
    assert client.post(f"{base}/attended/").json()["status"] == "attended"
    assert client.post(f"{base}/completed/").json()["status"] == "completed"


def test_declining_through_the_api_needs_a_valid_reason(service_referral, provider):
    client = token_client(provider)
    base = f"{URL}{service_referral.pk}"
    assert client.post(f"{base}/decline/", {"reason": "busy"}).status_code == 400
    declined = client.post(f"{base}/decline/", {"reason": "no_capacity"})
    assert declined.json()["decline_reason"] == "no_capacity"


def test_only_the_team_withdraws_or_sends_a_fresh_link(service_referral, provider, coordinator_x):
    base = f"{URL}{service_referral.pk}"
    assert token_client(provider).post(f"{base}/withdraw/").status_code == 403
    coordinator = token_client(coordinator_x)
    assert coordinator.post(f"{base}/send-link/").status_code == 409  # the link still works
    assert coordinator.post(f"{base}/withdraw/").json()["status"] == "withdrawn"
    assert coordinator.post(f"{base}/did-not-attend/").status_code == 409


def test_the_list_uses_the_same_number_of_queries_for_1_or_6_rows(
    case_a, coordinator_x, provider, django_assert_num_queries
):
    def refer():
        services.create_service_referral(
            referral=case_a,
            service=ApprovedServiceFactory(provider=provider_org_provider),
            by=coordinator_x,
            provider_needs_to_know="x",
        )

    provider_org_provider = ProviderFactory(organisation=provider.memberships.get().organisation)
    refer()
    for user in (coordinator_x, provider):
        client = token_client(user)
        with CaptureQueriesContext(connection) as one:
            client.get(URL)
        for _ in range(5):
            refer()
        with django_assert_num_queries(len(one)):
            assert len(client.get(URL).json()["results"]) > 1
