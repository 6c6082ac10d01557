"""The CapabilityStatement lists exactly what the URL configuration serves; errors are
OperationOutcomes; only JSON is served; our CodeSystems are public at their canonical URL."""

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from interop.resources.capability import IMPLEMENTED
from interop.resources.code_systems import CODE_SYSTEMS


def _served_resource_types() -> set[str]:
    fhir = next(p for p in get_resolver().url_patterns if str(p.pattern) == "fhir/")
    assert isinstance(fhir, URLResolver)
    return {
        str(p.pattern).removeprefix("R4/").split("/")[0]
        for p in fhir.url_patterns
        if str(p.pattern).startswith("R4/") and str(p.pattern)[3:4].isupper()
    }


def test_the_capability_statement_lists_exactly_the_resource_types_served(db):
    statement = Client().get("/fhir/R4/metadata").json()
    listed = {r["type"] for r in statement["rest"][0]["resource"]}
    assert listed == set(IMPLEMENTED) == _served_resource_types()
    assert statement["fhirVersion"] == "4.0.1"
    token = statement["rest"][0]["security"]["extension"][0]["extension"][0]["valueUri"]
    assert token.endswith("/fhir/auth/token")


def test_the_capability_statement_names_the_task_search_parameters(db):
    statement = Client().get("/fhir/R4/metadata?_format=json").json()
    task = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Task")
    assert {p["name"] for p in task["searchParam"]} == {
        "_id",
        "_lastUpdated",
        "requester",
        "owner",
        "status",
    }
    assert task["searchInclude"] == ["Task:focus"]


@pytest.mark.parametrize("system_id", sorted(CODE_SYSTEMS))
def test_each_code_system_of_ours_is_served_at_its_canonical_url(db, system_id, settings):
    resource = Client().get(f"/fhir/R4/CodeSystem/{system_id}").json()
    assert resource["url"] == f"{settings.SITE_URL}/fhir/R4/CodeSystem/{system_id}"
    assert resource["count"] == len(resource["concept"])


def test_an_unknown_code_system_is_a_404_operation_outcome(db):
    response = Client().get("/fhir/R4/CodeSystem/horoscopes")
    assert response.status_code == 404
    assert response.json()["issue"][0]["code"] == "not-found"


def test_asking_for_xml_is_a_406_naming_the_format(db):
    response = Client().get("/fhir/R4/metadata?_format=xml")
    assert response.status_code == 406
    assert response.json()["issue"][0]["expression"] == ["_format"]


def test_posting_anything_but_json_is_a_415(client, referrer_a):
    client.force_login(referrer_a)
    response = client.post("/fhir/R4/", "<Bundle/>", content_type="application/fhir+xml")
    assert response.status_code == 415


def test_the_capability_statement_names_the_directory_searches_and_the_capacity_extension(db):
    statement = Client().get("/fhir/R4/metadata").json()
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    service = resources["HealthcareService"]
    assert {p["name"] for p in service["searchParam"]} == {
        "name",
        "service-category",
        "near-postcode",
        "near-distance",
    }
    assert service["supportedProfile"] == [
        "https://fhir.hl7.org.uk/StructureDefinition/UKCore-HealthcareService"
    ]
    assert "SDOHCC-ExtensionHealthcareServiceCapacityStatus" in service["documentation"]
    assert {p["name"] for p in resources["Organization"]["searchParam"]} == {"name"}
    assert resources["Location"]["interaction"] == [{"code": "read"}, {"code": "search-type"}]
