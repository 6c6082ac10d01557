"""The directory as FHIR: HealthcareService, Location and Organization, read and searched by a
practice system as a referrer sees them: referable services only, by name, need domain and
distance from a postcode, paged; capacity as the SDOHCC extension; each resource valid."""

import datetime

import pytest
from django.utils import timezone

from community_services.models import Capacity, Postcode, ServiceStatus
from interop.codes import SDOHCC_CAPACITY_EXTENSION, SDOHCC_CATEGORY_SYSTEM, our_code_system
from interop.resources.healthcare_service import healthcare_service_resource
from interop.resources.location import location_resource
from tests.community_services.factories import (
    ApprovedServiceFactory,
    LocationFactory,
    ProviderFactory,
    ServiceFactory,
)
from tests.interop.fhir_validity import assert_valid

pytestmark = pytest.mark.postgres


@pytest.fixture
def choir(db):
    service = ApprovedServiceFactory(name="Northfield Community Choir", domains=["loneliness"])
    LocationFactory(service=service, postcode="NF1 1AA", latitude="52.400000", longitude="-1.9")
    return service


@pytest.fixture
def debt_advice(db):
    service = ApprovedServiceFactory(
        name="Debt Advice Drop-in",
        domains=["money_and_debt"],
        capacity=Capacity.WAITING_LIST,
        expected_wait_weeks=4,
    )
    # About 55 km north of the choir.
    LocationFactory(service=service, postcode="NF9 9ZZ", latitude="52.900000", longitude="-1.9")
    return service


@pytest.fixture
def not_referable(db):
    """A draft, a paused and a lapsed service: none is shown."""
    return [
        ServiceFactory(name="Draft Choir"),
        ApprovedServiceFactory(name="Paused Choir", capacity=Capacity.PAUSED),
        ApprovedServiceFactory(
            name="Lapsed Choir", vetted_until=timezone.localdate() - datetime.timedelta(days=1)
        ),
    ]


def _ids(bundle: dict) -> list[str]:
    return [entry["resource"]["name"] for entry in bundle["entry"]]


def test_a_waiting_list_service_carries_the_sdohcc_capacity_extension_with_the_expected_wait(
    debt_advice,
):
    resource = healthcare_service_resource(debt_advice)
    extension = resource["extension"][0]
    assert extension["url"] == SDOHCC_CAPACITY_EXTENSION
    status = next(e for e in extension["extension"] if e["url"] == "capacityStatus")
    codes = {(c["system"], c["code"]) for c in status["valueCodeableConcept"]["coding"]}
    assert (SDOHCC_CATEGORY_SYSTEM, "no-capacity-has-waitlist") in codes
    assert (our_code_system("capacity"), "waiting_list") in codes
    notes = next(e for e in extension["extension"] if e["url"] == "capacityNotes")
    assert notes["valueString"] == "Waiting list, about 4 weeks"
    assert resource["category"][0]["coding"][1]["code"] == "financial-insecurity"
    assert_valid(resource)


def test_an_accepting_service_says_capacity_without_notes(choir):
    extension = healthcare_service_resource(choir)["extension"][0]
    assert [e["url"] for e in extension["extension"]] == ["capacityStatus"]
    assert extension["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "capacity"


def test_a_location_has_its_address_and_coordinates(choir):
    resource = location_resource(choir.locations.select_related("service__provider").get())
    assert resource["address"]["postalCode"] == "NF1 1AA"
    assert resource["position"] == {"latitude": 52.4, "longitude": -1.9}
    assert_valid(resource)


def test_a_practice_searches_only_referable_services_in_name_order(
    practice_a_api, choir, debt_advice, not_referable, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        bundle = practice_a_api.get("/fhir/R4/HealthcareService").json()
    assert _ids(bundle) == ["Debt Advice Drop-in", "Northfield Community Choir"]
    assert bundle["total"] == 2
    assert_valid(bundle)


def test_services_are_searched_by_name_and_by_need_domain_ours_or_sdohcc(
    practice_a_api, choir, debt_advice
):
    search = "/fhir/R4/HealthcareService?"
    assert _ids(practice_a_api.get(search + "name=choir").json()) == ["Northfield Community Choir"]
    assert _ids(practice_a_api.get(search + "service-category=money_and_debt").json()) == [
        "Debt Advice Drop-in"
    ]
    sdohcc = f"{SDOHCC_CATEGORY_SYSTEM}|social-connection"
    assert _ids(practice_a_api.get(search, {"service-category": sdohcc}).json()) == [
        "Northfield Community Choir"
    ]


def test_an_unknown_service_category_is_a_400_naming_the_parameter(practice_a_api, choir):
    response = practice_a_api.get("/fhir/R4/HealthcareService?service-category=horoscopes")
    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"] == ["service-category"]


def test_services_near_a_postcode_come_nearest_first_and_within_the_distance(
    practice_a_api, choir, debt_advice, django_assert_max_num_queries
):
    Postcode.objects.create(postcode="NF1 2AB", latitude="52.410000", longitude="-1.900000")
    search = "/fhir/R4/HealthcareService?near-postcode=nf12ab&near-distance="
    with django_assert_max_num_queries(12):
        near = practice_a_api.get(search + "10").json()
    assert _ids(near) == ["Northfield Community Choir"]
    assert _ids(practice_a_api.get(search + "100").json()) == [
        "Northfield Community Choir",
        "Debt Advice Drop-in",
    ]


def test_a_postcode_not_shaped_like_one_is_a_400_and_an_unknown_one_a_404(practice_a_api, choir):
    bad = practice_a_api.get("/fhir/R4/HealthcareService?near-postcode=nowhere")
    assert bad.status_code == 400
    assert bad.json()["issue"][0]["expression"] == ["near-postcode"]
    unknown = practice_a_api.get("/fhir/R4/HealthcareService?near-postcode=ZZ9 9ZZ")
    assert unknown.status_code == 404


def test_the_service_search_pages_by_count_with_a_next_link(practice_a_api, db):
    for n in range(3):
        ApprovedServiceFactory(name=f"Walking group {n}")
    first = practice_a_api.get("/fhir/R4/HealthcareService?_count=2").json()
    assert _ids(first) == ["Walking group 0", "Walking group 1"]
    assert first["total"] == 3
    following = next(link["url"] for link in first["link"] if link["relation"] == "next")
    second = practice_a_api.get(following.removeprefix("http://testserver")).json()
    assert _ids(second) == ["Walking group 2"]
    assert [link["relation"] for link in second["link"]] == ["self"]


def test_a_service_that_is_not_referable_is_not_found(practice_a_api, not_referable):
    for service in not_referable:
        response = practice_a_api.get(f"/fhir/R4/HealthcareService/{service.public_id}")
        assert response.status_code == 404


def test_a_service_its_location_and_its_organisation_read_and_resolve(
    practice_a_api, choir, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        service = practice_a_api.get(f"/fhir/R4/HealthcareService/{choir.public_id}").json()
    assert service["name"] == "Northfield Community Choir"
    for reference in [service["location"][0]["reference"], service["providedBy"]["reference"]]:
        resource = practice_a_api.get(f"/fhir/R4/{reference}").json()
        assert resource["id"] == reference.split("/")[1]
        assert_valid(resource)
    assert_valid(service)


def test_locations_are_searched_near_a_postcode(practice_a_api, choir, debt_advice):
    Postcode.objects.create(postcode="NF9 9ZY", latitude="52.890000", longitude="-1.900000")
    bundle = practice_a_api.get("/fhir/R4/Location?near-postcode=NF9 9ZY&near-distance=5").json()
    assert [e["resource"]["address"]["postalCode"] for e in bundle["entry"]] == ["NF9 9ZZ"]
    assert_valid(bundle)


def test_organisations_searched_are_those_running_a_referable_service(
    practice_a_api, choir, not_referable
):
    ProviderFactory(name="Community Trust with nothing referable")
    bundle = practice_a_api.get("/fhir/R4/Organization").json()
    assert _ids(bundle) == [choir.provider.name]
    named = practice_a_api.get("/fhir/R4/Organization", {"name": "nothing"}).json()
    assert named["entry"] == []


def test_a_provider_system_and_a_team_system_read_the_directory_too(
    team_x_api, choir, provider_org
):
    from interop import services
    from tests.interop.conftest import fhir_client

    provider_api = fhir_client(
        services.register_client(organisation=provider_org, name="Provider", by=None)
    )
    for api in (team_x_api, provider_api):
        assert _ids(api.get("/fhir/R4/HealthcareService").json()) == [choir.name]


def test_a_suspended_service_leaves_the_search(practice_a_api, choir):
    type(choir).objects.filter(pk=choir.pk).update(status=ServiceStatus.SUSPENDED)
    assert practice_a_api.get("/fhir/R4/HealthcareService").json()["entry"] == []
