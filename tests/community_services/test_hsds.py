import datetime

import pytest
from django.utils import timezone

from community_services.hsds import TAXONOMY_TERMS, TERMS_BY_CODE
from community_services.models import Capacity, ServiceStatus

from .factories import ApprovedServiceFactory, ProviderFactory, ServiceFactory
from .hsds_schemas import assert_valid, page_schema_required

pytestmark = pytest.mark.django_db


def _get(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


def test_the_hsds_root_says_version_profile_and_openapi_url(client):
    document = _get(client, "/hsds/")
    assert document["version"] == "3.0"
    assert document["openapi_url"].startswith("https://")
    assert_valid("/", document)


def test_the_services_page_validates_against_hsds_and_has_every_envelope_field(
    client, published_service
):
    ApprovedServiceFactory(name="Walking for Health")
    document = _get(client, "/hsds/services")
    assert_valid("/services", document)
    assert set(page_schema_required()) <= set(document)
    assert document["total_items"] == 2
    assert {item["name"] for item in document["contents"]} == {
        "Friendship Lunch Club",
        "Walking for Health",
    }


def test_a_full_service_validates_against_hsds_with_its_nested_records(client, published_service):
    document = _get(client, f"/hsds/services/{published_service.public_id}")
    assert_valid("/services/{id}", document)
    assert document["organization"]["id"] == str(published_service.provider.public_id)
    (sal,) = document["service_at_locations"]
    assert sal["location"]["addresses"][0]["postal_code"] == "NF1 1AA"
    assert [s["byday"] for s in sal["schedules"]] == ["TU", "TH"]
    assert document["phones"][0]["number"] == published_service.phone
    assert [language["name"] for language in document["languages"]] == ["English", "Polish"]
    codes = {a["taxonomy_term"]["code"] for a in document["attributes"]}
    assert codes == {"loneliness", "healthy_eating", "in_person", "phone"}


def test_organizations_validate_against_hsds_and_list_only_providers_with_published_services(
    client, published_service
):
    ProviderFactory(name="Unpublished Trust")
    document = _get(client, "/hsds/organizations")
    assert_valid("/organizations", document)
    assert [org["name"] for org in document["contents"]] == [published_service.provider.name]


def test_taxonomy_terms_validate_against_hsds_and_cover_every_need_domain(client):
    document = _get(client, "/hsds/taxonomy_terms", per_page=100)
    assert_valid("/taxonomy_terms", document)
    assert document["total_items"] == len(TAXONOMY_TERMS)
    assert "Loneliness and social isolation" in {t["name"] for t in document["contents"]}


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected", "suspended", "expired"])
def test_only_referable_services_are_published(client, status):
    service = ServiceFactory(status=status, vetted_until=timezone.localdate())
    assert _get(client, "/hsds/services")["total_items"] == 0
    assert client.get(f"/hsds/services/{service.public_id}").status_code == 404


def test_a_paused_or_lapsed_approved_service_is_not_published(client):
    ApprovedServiceFactory(capacity=Capacity.PAUSED)
    ApprovedServiceFactory(vetted_until=timezone.localdate() - datetime.timedelta(days=1))
    assert _get(client, "/hsds/services")["total_items"] == 0


def test_services_are_paged_with_page_and_per_page(client):
    for n in range(5):
        ApprovedServiceFactory(name=f"Group {n}")
    document = _get(client, "/hsds/services", page=2, per_page=2)
    assert_valid("/services", document)
    assert [s["name"] for s in document["contents"]] == ["Group 2", "Group 3"]
    assert (document["total_pages"], document["page_number"], document["size"]) == (3, 2, 2)
    assert (document["first_page"], document["last_page"], document["empty"]) == (
        False,
        False,
        False,
    )
    last = _get(client, "/hsds/services", page=3, per_page=2)
    assert last["last_page"] is True and last["size"] == 1


def test_services_filters_combine_with_and(client):
    wanted = ApprovedServiceFactory(
        name="Debt advice drop-in", description="Money advice", domains=["money_and_debt"]
    )
    ApprovedServiceFactory(name="Debt advice phone line", domains=["benefits"])
    ApprovedServiceFactory(name="Gardening group", domains=["money_and_debt"])
    term = TERMS_BY_CODE[("need_domains", "money_and_debt")]
    document = _get(client, "/hsds/services", search="debt", taxonomy_term_id=term.id)
    assert [s["id"] for s in document["contents"]] == [str(wanted.public_id)]


def test_services_modified_after_leaves_out_older_services(client):
    old = ApprovedServiceFactory(modified_at=timezone.now() - datetime.timedelta(days=10))
    new = ApprovedServiceFactory()
    since = (timezone.now() - datetime.timedelta(days=1)).date().isoformat()
    document = _get(client, "/hsds/services", modified_after=since)
    assert [s["id"] for s in document["contents"]] == [str(new.public_id)]
    assert old.status == ServiceStatus.APPROVED


def test_bad_paging_parameters_are_a_400_not_a_500(client):
    assert client.get("/hsds/services", {"page": "x"}).status_code == 400
    assert client.get("/hsds/services", {"modified_after": "yesterday"}).status_code == 400


def test_the_feed_needs_no_login_and_refuses_writes(client, published_service):
    assert client.get("/hsds/services").status_code == 200
    assert client.post("/hsds/services", {}).status_code == 405
