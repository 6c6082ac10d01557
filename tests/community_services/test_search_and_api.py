import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from community_services.models import Capacity, Service, ServiceStatus
from community_services.selectors import DirectoryFilters, search_directory

from .conftest import FULL_CHECKLIST
from .factories import (
    ApprovedServiceFactory,
    ProviderFactory,
    ServiceFactory,
    SubmittedServiceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, password):
    def _as(user):
        client.login(email=user.email, password=password)
        return client

    return _as


def _names(filters):
    return [service.name for service in search_directory(filters)]


def test_the_referable_rule_needs_approval_current_vetting_and_capacity_not_paused():
    today = timezone.localdate()
    ok = ApprovedServiceFactory(vetted_until=today)
    waiting = ApprovedServiceFactory(capacity=Capacity.WAITING_LIST, expected_wait_weeks=3)
    ApprovedServiceFactory(capacity=Capacity.PAUSED)
    ApprovedServiceFactory(vetted_until=today - datetime.timedelta(days=1))
    for status in ("draft", "submitted", "rejected", "suspended", "expired"):
        ServiceFactory(status=status, vetted_until=today + datetime.timedelta(days=30))
    assert set(Service.objects.referable()) == {ok, waiting}
    assert ok.is_referable


def test_search_only_finds_referable_services():
    ApprovedServiceFactory(name="Walking group")
    SubmittedServiceFactory(name="Walking club")
    assert _names(DirectoryFilters(text="walking")) == ["Walking group"]


def test_search_matches_the_provider_name():
    ApprovedServiceFactory(name="Tuesday club", provider=ProviderFactory(name="Oakfield Trust"))
    assert _names(DirectoryFilters(text="Oakfield")) == ["Tuesday club"]


@pytest.mark.postgres
def test_search_ranks_a_name_match_above_a_description_match():
    ApprovedServiceFactory(name="Community lunch", description="We also garden sometimes.")
    ApprovedServiceFactory(name="Garden volunteers", description="Growing vegetables together.")
    assert _names(DirectoryFilters(text="garden")) == ["Garden volunteers", "Community lunch"]


@pytest.mark.postgres
def test_search_understands_word_forms_with_full_text_search():
    ApprovedServiceFactory(name="Gardening for wellbeing")
    assert _names(DirectoryFilters(text="gardens")) == ["Gardening for wellbeing"]


def test_filter_by_need_domain():
    ApprovedServiceFactory(name="Debt help", domains=["money_and_debt"])
    ApprovedServiceFactory(name="Choir", domains=["arts_and_culture"])
    assert _names(DirectoryFilters(need_domain="money_and_debt")) == ["Debt help"]


def test_filter_by_delivery_mode():
    ApprovedServiceFactory(name="Phone befriending", delivered_in_person=False,
                           delivered_by_phone=True)  # fmt: skip
    ApprovedServiceFactory(name="Lunch club")
    assert _names(DirectoryFilters(delivery_mode="phone")) == ["Phone befriending"]


def test_filter_free_only():
    ApprovedServiceFactory(name="Free walk")
    ApprovedServiceFactory(name="Paid yoga", is_free=False, fees_description="£5")
    assert _names(DirectoryFilters(free_only=True)) == ["Free walk"]


def test_filter_by_age_eligibility():
    ApprovedServiceFactory(name="Over 50s", minimum_age=50, maximum_age=None)
    ApprovedServiceFactory(name="Young adults", minimum_age=18, maximum_age=25)
    ApprovedServiceFactory(name="Anyone", minimum_age=None, maximum_age=None)
    assert _names(DirectoryFilters(age=60)) == ["Anyone", "Over 50s"]
    assert _names(DirectoryFilters(age=20)) == ["Anyone", "Young adults"]


def test_filter_accepting_referrals_only():
    ApprovedServiceFactory(name="Open now")
    ApprovedServiceFactory(name="Busy", capacity=Capacity.WAITING_LIST, expected_wait_weeks=6)
    assert _names(DirectoryFilters(accepting_only=True)) == ["Open now"]


def test_the_search_page_shows_capacity_and_vetted_until(as_user, coordinator_x):
    ApprovedServiceFactory(name="Busy", capacity=Capacity.WAITING_LIST, expected_wait_weeks=6,
                           vetted_until=datetime.date(2099, 5, 1))  # fmt: skip
    page = as_user(coordinator_x).get(reverse("community_services:directory-search"), {"q": "Busy"})
    text = page.content.decode()
    assert "Waiting list, about 6 weeks" in text
    assert "Vetted until 1 May 2099" in text


def test_htmx_gets_only_the_results_partial(as_user, coordinator_x):
    ApprovedServiceFactory(name="Choir")
    response = as_user(coordinator_x).get(
        reverse("community_services:directory-search"),
        {"q": "choir"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="results"')
    assert "<html" not in text and "Choir" in text


def _count_queries(client, url, params, django_assert_num_queries, make_more):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url, params).status_code == 200
    make_more()
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url, params).status_code == 200


def test_the_search_page_query_count_does_not_grow_with_results(
    as_user, coordinator_x, django_assert_num_queries
):
    ApprovedServiceFactory(domains=["loneliness", "learning"])
    client = as_user(coordinator_x)
    _count_queries(
        client,
        reverse("community_services:directory-search"),
        {"q": "group"},
        django_assert_num_queries,
        lambda: [ApprovedServiceFactory(domains=["loneliness", "volunteering"]) for _ in range(8)],
    )
    page = client.get(reverse("community_services:directory-search"), {"q": "group"})
    assert page.context["page"].paginator.count == 9


def test_the_services_api_list_query_count_does_not_grow_with_rows(
    as_user, vetter, django_assert_num_queries
):
    ApprovedServiceFactory()
    client = as_user(vetter)
    _count_queries(
        client, "/api/v1/services/", {}, django_assert_num_queries,
        lambda: [ApprovedServiceFactory() for _ in range(8)],
    )  # fmt: skip
    assert client.get("/api/v1/services/").json()["count"] == 9


def test_the_services_api_searches_and_filters(as_user, coordinator_x):
    ApprovedServiceFactory(name="Debt help", domains=["money_and_debt"])
    ApprovedServiceFactory(name="Choir", domains=["arts_and_culture"], is_free=False,
                           fees_description="£2")  # fmt: skip
    client = as_user(coordinator_x)
    assert [
        s["name"] for s in client.get("/api/v1/services/", {"q": "debt"}).json()["results"]
    ] == ["Debt help"]
    results = client.get("/api/v1/services/", {"free_only": "true"}).json()["results"]
    assert [s["name"] for s in results] == ["Debt help"]
    results = client.get("/api/v1/services/", {"need_domain": "arts_and_culture"}).json()["results"]
    assert [s["name"] for s in results] == ["Choir"]


def test_coordinators_read_only_referable_services_through_the_api(as_user, coordinator_x):
    ApprovedServiceFactory(name="Visible")
    hidden = SubmittedServiceFactory(name="Hidden")
    client = as_user(coordinator_x)
    assert [s["name"] for s in client.get("/api/v1/services/").json()["results"]] == ["Visible"]
    assert client.get(f"/api/v1/services/{hidden.public_id}/").status_code == 404


@pytest.mark.parametrize("role", ["referrer", "provider"])
def test_referrers_and_providers_cannot_read_or_vet_through_the_api(as_user, cast, role):
    service = SubmittedServiceFactory()
    client = as_user(cast[role])
    assert client.get("/api/v1/services/").status_code == 403
    assert client.get("/api/v1/providers/").status_code == 403
    response = client.post(f"/api/v1/services/{service.public_id}/approve/", FULL_CHECKLIST)
    assert response.status_code == 403
    service.refresh_from_db()
    assert service.status == ServiceStatus.SUBMITTED


def test_coordinators_cannot_vet_through_the_api(as_user, coordinator_x):
    service = ApprovedServiceFactory()
    response = as_user(coordinator_x).post(
        f"/api/v1/services/{service.public_id}/suspend/", {"reason": "x"}
    )
    assert response.status_code == 403


def test_anonymous_users_can_read_only_the_hsds_feed(client):
    service = ApprovedServiceFactory()
    assert client.get("/hsds/services").status_code == 200
    assert client.get("/api/v1/services/").status_code in (401, 403)
    assert client.get("/api/v1/providers/").status_code in (401, 403)
    assert client.get(reverse("community_services:directory-search")).status_code == 302
    detail = reverse("community_services:service-detail", args=[service.public_id])
    assert client.get(detail).status_code == 302


def test_a_vetter_creates_submits_and_another_approves_through_the_api(
    as_user, vetter, second_vetter, insurance_expiry, client
):
    provider = ProviderFactory()
    api = as_user(vetter)
    created = api.post(
        "/api/v1/services/",
        {
            "provider": str(provider.public_id),
            "name": "Men's Shed",
            "description": "Woodwork and company.",
            "need_domains": ["loneliness"],
            "delivery_modes": ["in_person"],
            "locations": [{"address_1": "3 Mill Road", "city": "Northfield", "postcode": "NF3 3CC",
                           "opening_times": [{"weekday": 2, "opens_at": "10:00",
                                              "closes_at": "15:00"}]}],
        },
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    service_id = created.json()["id"]
    assert api.post(f"/api/v1/services/{service_id}/submit/").json()["status"] == "submitted"
    own = api.post(
        f"/api/v1/services/{service_id}/approve/",
        {**FULL_CHECKLIST, "insurance_expires_on": insurance_expiry.isoformat()},
        content_type="application/json",
    )
    assert own.status_code == 409
    assert "another vetter" in own.json()["detail"]
    client.logout()
    other = as_user(second_vetter).post(
        f"/api/v1/services/{service_id}/approve/",
        {**FULL_CHECKLIST, "insurance_expires_on": insurance_expiry.isoformat()},
        content_type="application/json",
    )
    assert other.status_code == 200
    assert other.json()["status"] == "approved"
    assert other.json()["locations"][0]["opening_times"][0]["weekday"] == 2
    assert AuditEvent.objects.filter(action="service.approved").exists()


def test_an_illegal_transition_through_the_api_is_a_409_with_a_message(as_user, vetter):
    service = ServiceFactory(status="draft")
    response = as_user(vetter).post(f"/api/v1/services/{service.public_id}/reinstate/")
    assert response.status_code == 409
    assert response.json()["detail"] == "A service that is draft cannot be reinstated."


def test_rejecting_without_a_reason_through_the_api_is_a_400(as_user, vetter):
    service = SubmittedServiceFactory()
    response = as_user(vetter).post(f"/api/v1/services/{service.public_id}/reject/", {})
    assert response.status_code == 400
    assert "reason" in response.json()


def test_the_providers_api_lists_providers_for_staff(as_user, manager):
    ProviderFactory(name="Acorn Trust")
    results = as_user(manager).get("/api/v1/providers/").json()["results"]
    assert [p["name"] for p in results] == ["Acorn Trust"]


@pytest.mark.postgres
def test_a_search_text_carrying_a_nul_character_is_a_400(client, coordinator_x):
    """Every route refuses a NUL in the query string (config.hostile_input)."""
    client.force_login(coordinator_x)
    response = client.get("/api/v1/services/", {"q": "lunch\x00club"})
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"
    assert client.get("/directory/", {"q": "lunch\x00club"}).status_code == 400
