"""Fuzzing the FHIR API (not in the OpenAPI schema, so schemathesis does not reach it): random
bodies, Bundles with random entries and random search parameters, as a practice system with a
token. Every answer is FHIR JSON; nothing is a server error; a refusal is an OperationOutcome."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.interop.conftest import fhir_client, referral_bundle
from tests.referrals.factories import ReferralFactory, TeamCoverageFactory

pytestmark = pytest.mark.postgres

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
RESOURCE_KEYS = [
    "resourceType",
    "status",
    "intent",
    "identifier",
    "name",
    "birthDate",
    "code",
    "reasonCode",
    "subject",
    "requester",
    "focus",
    "for",
    "owner",
    "note",
    "entry",
]
FUZZ = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def api(practice_a, team_x, referrer_a):
    from interop import services

    TeamCoverageFactory(practice=practice_a, team=team_x)
    ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    return fhir_client(services.register_client(organisation=practice_a, name="Fuzz", by=None))


def _check(response) -> None:
    assert response.status_code < 500, response.content[:500]
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    if response.status_code >= 400:
        assert body["resourceType"] == "OperationOutcome"
        assert body["issue"]


def test_random_bodies_posted_to_the_base_never_cause_a_server_error(api):
    @FUZZ
    @given(body=json_values)
    def run(body):
        _check(api.post("/fhir/R4/", json.dumps(body), content_type="application/fhir+json"))

    run()


def test_bundles_with_random_elements_never_cause_a_server_error(api):
    @FUZZ
    @given(
        index=st.integers(min_value=0, max_value=3),
        key=st.sampled_from(RESOURCE_KEYS),
        value=json_values,
    )
    def run(index, key, value):
        bundle = referral_bundle(identifier="FUZZ")
        bundle["entry"][index]["resource"][key] = value
        _check(api.post("/fhir/R4/", json.dumps(bundle), content_type="application/fhir+json"))

    run()


def test_random_task_search_parameters_never_cause_a_server_error(api):
    names = st.sampled_from(
        [
            "_id",
            "_lastUpdated",
            "requester",
            "owner",
            "status",
            "_count",
            "_include",
            "_cursor",
            "_format",
        ]
    )

    @FUZZ
    @given(params=st.dictionaries(names, query_values, max_size=4))
    def run(params):
        _check(api.get("/fhir/R4/Task", params, HTTP_PREFER="handling=strict"))

    run()


# Any text a client can send, NUL included (refused before any view by config.hostile_input,
# and answered as an OperationOutcome by config.fhir_errors like every other refusal).
query_values = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30)


def test_random_directory_search_parameters_never_cause_a_server_error(api):
    names = st.sampled_from(
        ["name", "service-category", "near-postcode", "near-distance", "_count", "_page"]
    )
    kinds = st.sampled_from(["HealthcareService", "Location", "Organization"])

    @FUZZ
    @given(kind=kinds, params=st.dictionaries(names, query_values, max_size=4))
    def run(kind, params):
        _check(api.get(f"/fhir/R4/{kind}", params, HTTP_PREFER="handling=strict"))

    run()


def test_random_casework_search_parameters_never_cause_a_server_error(api):
    names = st.sampled_from(["patient", "subject", "code", "_count", "_page"])
    kinds = st.sampled_from(["Goal", "Observation"])

    @FUZZ
    @given(kind=kinds, params=st.dictionaries(names, query_values, max_size=4))
    def run(kind, params):
        _check(api.get(f"/fhir/R4/{kind}", params, HTTP_PREFER="handling=strict"))

    run()


def test_random_ids_in_reads_never_cause_a_server_error(api):
    kinds = st.sampled_from(
        [
            "Task",
            "ServiceRequest",
            "Patient",
            "Consent",
            "DocumentReference",
            "Organization",
            "CodeSystem",
            "Subscription",
            "HealthcareService",
            "Location",
            "Goal",
            "Observation",
        ]
    )
    ids = st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="/?#%"),
        min_size=1,
        max_size=40,
    )

    @FUZZ
    @given(kind=kinds, resource_id=ids)
    def run(kind, resource_id):
        _check(api.get(f"/fhir/R4/{kind}/{resource_id}"))

    run()


def test_random_task_updates_never_cause_a_server_error(api):
    @FUZZ
    @given(body=json_values)
    def run(body):
        reference = api.get("/fhir/R4/Task").json()["entry"][0]["resource"]["id"]
        _check(
            api.put(
                f"/fhir/R4/Task/{reference}", json.dumps(body), content_type="application/fhir+json"
            )
        )
        _check(
            api.patch(
                f"/fhir/R4/Task/{reference}",
                json.dumps(body),
                content_type="application/json-patch+json",
            )
        )

    run()


HOSTILE_ADDRESSES = [
    "/fhir/R4/Task?_lastUpdated=gt2026%00",
    "/fhir/R4/Task?status=%00",
    "/fhir/R4/Task/SP-1%00",
    "/fhir/R4/%00",
    "/fhir/R4/metadata?_format=json%00",
    "/fhir/R4/Task?requester=%FF%FE",
    "/fhir/R4/Task?_lastUpdated=%C3%28",
    "/fhir/R4/Task?%FF=1",
    "/fhir/R4/HealthcareService?name=%ED%A0%80",
    "/fhir/R4/NoSuchType",
]


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
def test_a_nul_or_undecodable_bytes_in_a_fhir_address_are_answered_with_an_operation_outcome(
    api, address
):
    """Undecodable bytes read as U+FFFD: a search finds nothing, an id no resource, a bad date
    is a 400; a NUL is refused before any view. Every answer is FHIR JSON."""
    response = api.get(address, HTTP_PREFER="handling=strict")
    _check(response)
    if "%00" in address:
        assert response.status_code == 400
        assert "NUL" in response.json()["issue"][0]["diagnostics"]


def test_errors_from_outside_the_fhir_views_keep_their_status_and_headers(rf):
    """A server error or a database that is down, caught by Django's handlers or the middleware
    shared with the pages, still reaches a FHIR client as an OperationOutcome."""
    from config.fhir_errors import FhirOperationOutcomeMiddleware
    from config.unavailable import server_error, service_unavailable

    request = rf.get("/fhir/R4/Task")
    failing = FhirOperationOutcomeMiddleware(server_error)(request)
    down = FhirOperationOutcomeMiddleware(lambda r: service_unavailable(r, "database"))(request)
    for response in (failing, down):
        assert response["Content-Type"].startswith("application/fhir+json")
    failed, unavailable = (json.loads(r.content)["issue"][0] for r in (failing, down))
    assert (failing.status_code, failed["code"]) == (500, "exception")
    assert (down.status_code, unavailable["code"]) == (503, "transient")
    assert down["Retry-After"]
    assert "database is not available" in unavailable["diagnostics"]
