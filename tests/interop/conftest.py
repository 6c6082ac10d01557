"""FHIR test set-up: a client per organisation of the cast, tokens from the real token endpoint,
and a referring transaction Bundle to vary element by element."""

import copy

import pytest
from django.test import Client

from interop import services
from interop.codes import NHS_NUMBER_SYSTEM, ODS_CODE_SYSTEM, our_code_system
from tests.referrals.factories import TeamCoverageFactory, next_nhs_number

FHIR = "application/fhir+json"
PRACTICE_IDS = "https://practice-a.test.example/referral-ids"


@pytest.fixture(autouse=True)
def coverage(practice_a, practice_b, team_x):
    """Practices A and B refer to team X."""
    TeamCoverageFactory(practice=practice_a, team=team_x)
    TeamCoverageFactory(practice=practice_b, team=team_x)


@pytest.fixture
def practice_a_client(practice_a):
    return services.register_client(organisation=practice_a, name="Practice A system", by=None)


@pytest.fixture
def practice_b_client(practice_b):
    return services.register_client(organisation=practice_b, name="Practice B system", by=None)


@pytest.fixture
def team_x_client(team_x):
    return services.register_client(organisation=team_x, name="Team X system", by=None)


def token_for(registered, scope: str | None = None) -> str:
    data = {
        "grant_type": "client_credentials",
        "client_id": registered.client.client_id,
        "client_secret": registered.secret,
    }
    if scope:
        data["scope"] = scope
    response = Client().post("/fhir/auth/token", data)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def fhir_client(registered, scope: str | None = None) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_for(registered, scope)}", HTTP_ACCEPT=FHIR)


@pytest.fixture
def practice_a_api(practice_a_client):
    return fhir_client(practice_a_client)


@pytest.fixture
def practice_b_api(practice_b_client):
    return fhir_client(practice_b_client)


@pytest.fixture
def team_x_api(team_x_client):
    return fhir_client(team_x_client)


def referral_bundle(*, ods_code: str = "Y00001", identifier: str = "REF-0001", nhs_number=None):
    """A complete referring transaction, as a practice system would send it."""
    nhs_number = nhs_number or next_nhs_number()
    patient_url, request_url = (
        "urn:uuid:0f6f3c1e-0000-4000-8000-000000000001",
        ("urn:uuid:0f6f3c1e-0000-4000-8000-000000000002"),
    )
    consent_url, task_url = (
        "urn:uuid:0f6f3c1e-0000-4000-8000-000000000003",
        ("urn:uuid:0f6f3c1e-0000-4000-8000-000000000004"),
    )
    practice = {"identifier": {"system": ODS_CODE_SYSTEM, "value": ods_code}}
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": patient_url,
                "resource": {
                    "resourceType": "Patient",
                    "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": nhs_number}],
                    "name": [{"family": "Testpatient", "given": ["Alex"]}],
                    "birthDate": "1950-02-03",
                    "telecom": [
                        {"system": "phone", "value": "07700 900456"},
                        {"system": "email", "value": "alex@test.example"},
                    ],
                    "address": [
                        {"line": ["1 Test Street"], "city": "Testtown", "postalCode": "TE1 1ST"}
                    ],
                    "communication": [{"language": {"text": "Welsh"}, "preferred": True}],
                },
                "request": {"method": "POST", "url": "Patient"},
            },
            {
                "fullUrl": request_url,
                "resource": {
                    "resourceType": "ServiceRequest",
                    "identifier": [{"system": PRACTICE_IDS, "value": identifier}],
                    "status": "active",
                    "intent": "order",
                    "code": {
                        "coding": [
                            {
                                "system": "http://snomed.info/sct",
                                "code": "871731000000106",
                                "display": "Referral to social prescribing service",
                            }
                        ]
                    },
                    "reasonCode": [
                        {
                            "coding": [
                                {"system": our_code_system("need-domains"), "code": "loneliness"}
                            ]
                        }
                    ],
                    "priority": "urgent",
                    "subject": {"reference": patient_url},
                    "requester": practice,
                    "supportingInfo": [{"reference": consent_url}],
                    "note": [
                        {"id": "help-wanted", "text": "Would like to meet people nearby."},
                        {"id": "risk", "text": "Lives alone; recent fall."},
                    ],
                },
                "request": {
                    "method": "POST",
                    "url": "ServiceRequest",
                    "ifNoneExist": f"identifier={PRACTICE_IDS}|{identifier}",
                },
            },
            {
                "fullUrl": consent_url,
                "resource": {
                    "resourceType": "Consent",
                    "status": "active",
                    "scope": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                                "code": "treatment",
                            }
                        ]
                    },
                    "category": [{"text": "Consent to be referred"}],
                    "patient": {"reference": patient_url},
                },
                "request": {"method": "POST", "url": "Consent"},
            },
            {
                "fullUrl": task_url,
                "resource": {
                    "resourceType": "Task",
                    "status": "requested",
                    "intent": "order",
                    "code": {
                        "coding": [
                            {
                                "system": "http://hl7.org/fhir/CodeSystem/task-code",
                                "code": "fulfill",
                            }
                        ]
                    },
                    "focus": {"reference": request_url},
                    "for": {"reference": patient_url},
                    "requester": practice,
                    "authoredOn": "2026-12-01T10:00:00Z",
                },
                "request": {"method": "POST", "url": "Task"},
            },
        ],
    }


def resource_of(bundle: dict, kind: str) -> dict:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)


def changed(bundle: dict, kind: str, **elements) -> dict:
    """A copy of the Bundle with elements of one resource set (None removes the element)."""
    copied = copy.deepcopy(bundle)
    resource = resource_of(copied, kind)
    for name, value in elements.items():
        if value is None:
            resource.pop(name, None)
        else:
            resource[name] = value
    return copied


def post_bundle(api: Client, bundle: dict):
    return api.post("/fhir/R4/", bundle, content_type=FHIR)
