"""The HSDS operations beyond services: taxonomies, terms and organizations by id, services at
locations (with postcode and proximity), schedules, the paging clamp and the JSON errors. Each
document is validated against the official schema of its operation; each list and detail has its
query count pinned."""

import datetime
import io
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command

from community_services.hsds import TAXONOMIES, TAXONOMY_TERMS, TERMS_BY_CODE
from community_services.services import create_service

from .factories import (
    ApprovedServiceFactory,
    LocationFactory,
    ProviderFactory,
    ServiceScheduleFactory,
)
from .hsds_schemas import assert_valid

pytestmark = pytest.mark.django_db

POSTCODES = (
    Path(__file__).resolve().parents[2] / "community_services" / "data" / "onspd_invented.csv"
)
NEED_DOMAINS = TAXONOMIES["need_domains"]


def _get(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.fixture
def postcodes(db):
    call_command("load_postcodes", str(POSTCODES), stdout=io.StringIO())


@pytest.fixture
def town(published_service):
    """Three services at three places: the lunch club in NF1 1AA (52.4, -1.9), walks about 7 km
    away in NF4 7QX, a choir about 16 km away in NF8 1ZT; and one service without coordinates."""
    walks = ApprovedServiceFactory(name="Health Walks", domains=["physical_activity"])
    LocationFactory(service=walks, postcode="NF4 7QX", latitude="52.45", longitude="-1.95")
    choir = ApprovedServiceFactory(name="Community Choir", domains=["arts_and_culture"])
    LocationFactory(service=choir, postcode="NF8 1ZT", latitude="52.52", longitude="-2.01")
    unplaced = ApprovedServiceFactory(name="Allotment", domains=["nature"])
    LocationFactory(service=unplaced, postcode="NF1 2AD", latitude=None, longitude=None)
    return {"walks": walks, "choir": choir, "unplaced": unplaced}


def test_taxonomies_list_and_each_taxonomy_validate_against_hsds(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        page = _get(client, "/hsds/taxonomies")
    assert_valid("/taxonomies", page)
    assert {t["name"] for t in page["contents"]} == {"Need domains", "Delivery modes"}
    with django_assert_num_queries(0):
        taxonomy = _get(client, f"/hsds/taxonomies/{NEED_DOMAINS.id}")
    assert_valid("/taxonomies/{id}", taxonomy)
    assert taxonomy["name"] == "Need domains"


def test_a_taxonomy_term_by_id_validates_and_names_its_taxonomy(client):
    term = TERMS_BY_CODE[("need_domains", "loneliness")]
    document = _get(client, f"/hsds/taxonomy_terms/{term.id}")
    assert_valid("/taxonomy_terms/{id}", document)
    assert (document["code"], document["taxonomy_id"]) == ("loneliness", NEED_DOMAINS.id)


def test_taxonomy_terms_filter_by_taxonomy_and_have_no_children(client):
    delivery = TAXONOMIES["delivery_modes"]
    document = _get(client, "/hsds/taxonomy_terms", taxonomy_id=delivery.id, top_only="true")
    assert {t["code"] for t in document["contents"]} == {
        "in_person",
        "phone",
        "online",
        "home_visit",
    }
    assert _get(client, "/hsds/taxonomy_terms", parent_id=TAXONOMY_TERMS[0].id)["empty"] is True


@pytest.mark.parametrize(
    "path", ["/hsds/taxonomies/nope", "/hsds/taxonomy_terms/nope", "/hsds/organizations/nope",
             "/hsds/service_at_locations/4f0e6a39-0b1c-4a43-9d55-8f00c3e0a001",
             "/hsds/services/4f0e6a39-0b1c-4a43-9d55-8f00c3e0a001"],
)  # fmt: skip
def test_an_unknown_id_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["/hsds/nothing-here", "/hsds/services/a/b", "/hsds/services/"])
def test_an_unknown_route_under_hsds_is_a_json_404_not_an_html_page(client, path):
    response = client.get(path)
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_another_method_is_a_json_405_that_says_what_is_allowed(client, method):
    response = getattr(client, method)("/hsds/services")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.json()["code"] == "method_not_allowed"


def test_a_server_error_under_hsds_is_json(client, monkeypatch):
    client.raise_request_exception = False
    monkeypatch.setattr(
        "community_services.hsds_views.selectors.published_services",
        lambda *args, **kwargs: 1 / 0,
    )
    response = client.get("/hsds/services")
    assert (response.status_code, response["Content-Type"]) == (500, "application/json")


def test_organization_by_id_nests_its_published_services_simply_or_in_full(
    client, published_service, django_assert_num_queries
):
    provider = published_service.provider
    ApprovedServiceFactory(provider=provider, name="Tea Dance", status="draft")
    with django_assert_num_queries(2):
        simple = _get(client, f"/hsds/organizations/{provider.public_id}")
    assert_valid("/organizations/{id}", simple)
    assert [s["name"] for s in simple["services"]] == ["Friendship Lunch Club"]
    assert "service_at_locations" not in simple["services"][0]
    with django_assert_num_queries(6):
        full = _get(client, f"/hsds/organizations/{provider.public_id}", full_service="true")
    assert_valid("/organizations/{id}", full)
    assert full["services"][0]["service_at_locations"][0]["location"]["addresses"]


def test_an_organization_without_published_services_is_not_published(client):
    provider = ProviderFactory()
    assert client.get(f"/hsds/organizations/{provider.public_id}").status_code == 404


def test_the_organizations_list_can_nest_full_services_in_a_fixed_number_of_queries(
    client, published_service, django_assert_num_queries
):
    for n in range(3):
        ApprovedServiceFactory(name=f"Group {n}", provider=ProviderFactory(name=f"Trust {n}"))
    with django_assert_num_queries(7):
        page = _get(client, "/hsds/organizations", full_service="true")
    assert_valid("/organizations", page)
    assert page["total_items"] == 4
    assert all(len(org["services"]) == 1 for org in page["contents"])


def test_services_are_listed_in_a_fixed_number_of_queries_plain_full_or_minimal(
    client, published_service, django_assert_num_queries
):
    for n in range(3):
        ApprovedServiceFactory(name=f"Group {n}")
    with django_assert_num_queries(2):
        _get(client, "/hsds/services")
    with django_assert_num_queries(6):
        full = _get(client, "/hsds/services", full="true")
    assert_valid("/services", full)
    assert all("service_at_locations" in s for s in full["contents"])
    with django_assert_num_queries(2):
        minimal = _get(client, "/hsds/services", minimal="true")
    assert_valid("/services", minimal)
    assert set(minimal["contents"][0]) == {"id", "name", "status", "last_modified"}


def test_a_service_is_read_in_a_fixed_number_of_queries(
    client, published_service, django_assert_num_queries
):
    with django_assert_num_queries(5):
        _get(client, f"/hsds/services/{published_service.public_id}")


def test_a_services_schedules_are_published_as_hsds_schedules(client, published_service):
    ServiceScheduleFactory(
        service=published_service,
        byday="TU,TH",
        opens_at=datetime.time(12),
        closes_at=datetime.time(14),
        valid_from=datetime.date(2026, 1, 5),
        valid_to=datetime.date(2026, 12, 18),
    )
    ServiceScheduleFactory(service=published_service, freq="MONTHLY", interval=1, byday="-1FR")
    document = _get(client, f"/hsds/services/{published_service.public_id}")
    assert_valid("/services/{id}", document)
    weekly, monthly = document["schedules"]
    assert weekly["service_id"] == str(published_service.public_id)
    assert (weekly["freq"], weekly["byday"], weekly["opens_at"], weekly["closes_at"]) == (
        "WEEKLY", "TU,TH", "12:00", "14:00"
    )  # fmt: skip
    assert (weekly["valid_from"], weekly["valid_to"]) == ("2026-01-05", "2026-12-18")
    assert weekly["description"] == "Every Tuesday and Thursday"
    assert monthly["description"] == "The last Friday of every month"


def test_service_at_locations_list_each_service_at_each_location(
    client, town, django_assert_num_queries
):
    with django_assert_num_queries(3):
        page = _get(client, "/hsds/service_at_locations")
    assert_valid("/service_at_locations", page)
    assert page["total_items"] == 4
    first = page["contents"][0]
    assert first["service"]["name"] == "Allotment"
    assert first["location_id"] == first["location"]["id"]


def test_full_service_at_locations_are_listed_in_a_fixed_number_of_queries(
    client, town, django_assert_num_queries
):
    with django_assert_num_queries(7):
        page = _get(client, "/hsds/service_at_locations", full="true")
    assert_valid("/service_at_locations", page)
    assert all("attributes" in sal["service"] for sal in page["contents"])


def test_a_service_at_location_by_id_is_valid_as_the_description_reads_it_and_as_hsds_defines_it(
    client, published_service, django_assert_num_queries
):
    location = published_service.locations.get()
    with django_assert_num_queries(6):
        document = _get(client, f"/hsds/service_at_locations/{location.service_at_location_id}")
    assert_valid("/service_at_locations/{id}", document)  # the 3.0 description: service.json
    assert_valid("/service_at_locations", {"contents": [document]})  # service_at_location
    assert document["id"] == str(location.service_at_location_id)
    assert document["service"]["id"] == str(published_service.public_id)
    assert [s["byday"] for s in document["schedules"]] == ["TU", "TH"]


def test_a_saved_location_keeps_the_service_at_location_id_the_feed_has_always_derived(vetter):
    service = create_service(
        by=vetter,
        provider=ProviderFactory(),
        fields={"name": "Lunch", "description": "Hot lunches."},
        need_domains=["loneliness"],
        delivery_modes=["in_person"],
        locations=[{"address_1": "1 High Street", "city": "Northfield", "postcode": "NF1 1AA"}],
    )
    location = service.locations.get()
    expected = uuid.uuid5(service.public_id, f"service_at_location:{location.public_id}")
    assert location.service_at_location_id == expected


def test_a_postcode_orders_services_at_locations_nearest_first(client, town, postcodes):
    page = _get(client, "/hsds/service_at_locations", postcode="nf11aa")
    assert [sal["service"]["name"] for sal in page["contents"]] == [
        "Friendship Lunch Club",
        "Health Walks",
        "Community Choir",
    ]  # the allotment has no coordinates


def test_proximity_keeps_only_services_within_that_many_metres_of_the_postcode(
    client, town, postcodes, django_assert_num_queries
):
    with django_assert_num_queries(4):
        page = _get(client, "/hsds/service_at_locations", postcode="NF1 1AA", proximity="10000")
    assert_valid("/service_at_locations", page)
    assert [sal["service"]["name"] for sal in page["contents"]] == [
        "Friendship Lunch Club",
        "Health Walks",
    ]
    assert (
        _get(client, "/hsds/service_at_locations", postcode="NF1 1AA", proximity="100")[
            "total_items"
        ]
        == 1
    )


def test_a_postcode_we_do_not_know_matches_nothing(client, town, postcodes):
    page = _get(client, "/hsds/service_at_locations", postcode="NF9 9ZZ", proximity="5000")
    assert (page["total_items"], page["empty"]) == (0, True)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"postcode": "not a postcode"}, "postcode"),
        ({"postcode": "NF1 1AA", "proximity": "ten"}, "proximity"),
        ({"page": "x"}, "page"),
        ({"per_page": "1.5"}, "per_page"),
        ({"format": "xml"}, "format"),
        ({"full": "yes"}, "full"),
        ({"modified_after": "yesterday"}, "modified_after"),
        ({"modified_after": "2026-02-30"}, "modified_after"),
        ({"search": ["a", "b"]}, "search"),
    ],
)
def test_a_malformed_parameter_is_a_400_naming_it(client, params, name):
    response = client.get("/hsds/service_at_locations", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "bad_parameter"
    assert list(body["errors"]) == [name]


@pytest.mark.parametrize(
    ("page", "per_page", "served"),
    [("0", "2", (1, 2)), ("-3", "2", (1, 2)), ("1", "0", (1, 1)), ("1", "-5", (1, 1)),
     ("1", "5000", (1, 3))],
)  # fmt: skip
def test_paging_below_one_or_above_the_maximum_is_clamped_not_refused(
    client, page, per_page, served
):
    for n in range(3):
        ApprovedServiceFactory(name=f"Group {n}")
    document = _get(client, "/hsds/services", page=page, per_page=per_page)
    assert_valid("/services", document)
    assert (document["page_number"], document["size"]) == served


def test_a_page_far_past_the_end_is_empty_without_asking_for_rows(
    client, published_service, django_assert_num_queries
):
    with django_assert_num_queries(1):
        document = _get(client, "/hsds/services", page=str(10**20))
    assert (document["empty"], document["contents"]) == (True, [])


def test_ndjson_streams_every_result_without_the_page_envelope(client, town):
    response = client.get("/hsds/service_at_locations", {"format": "ndjson", "per_page": 1})
    assert response["Content-Type"] == "application/x-ndjson"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 4


def test_the_root_links_the_official_description_and_our_overlay(client):
    document = _get(client, "/hsds/")
    assert_valid("/", document)
    overlay = _get(client, "/hsds/openapi-overlay.json")
    assert overlay["overlay"] == "1.0.0"
    assert document["openapi_overlay_url"].endswith("/hsds/openapi-overlay.json")
    assert "page` below 1 is read as 1" in overlay["actions"][0]["update"]["description"]
