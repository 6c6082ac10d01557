"""Every resource the server emits on a referral's whole journey parses with fhir.resources,
validates against the official FHIR R4 JSON Schema, and every reference in it resolves."""

import pytest
from django.test import Client
from django.utils import timezone

from referrals import services as referral_services
from referrals.models import ContactMethod, Referral
from tests.interop.conftest import post_bundle, referral_bundle
from tests.interop.fhir_validity import assert_valid, references_in, schema_errors

pytestmark = pytest.mark.postgres


def _journey(practice_a_api, coordinator_x) -> Referral:
    post_bundle(practice_a_api, referral_bundle())
    referral = Referral.objects.get()
    referral_services.accept_referral(referral=referral, by=coordinator_x)
    referral_services.record_first_contact(
        referral=referral,
        by=coordinator_x,
        contacted_on=timezone.localdate(),
        method=ContactMethod.PHONE,
    )
    referral_services.close_referral(
        referral=referral, by=coordinator_x, outcome="goals_met", summary="Goes to the choir."
    )
    return referral


def _emitted(api: Client, referral: Referral) -> list[dict]:
    paths = [
        "/fhir/R4/metadata",
        f"/fhir/R4/Task/{referral.reference}",
        f"/fhir/R4/ServiceRequest/{referral.reference}",
        f"/fhir/R4/Consent/{referral.reference}",
        f"/fhir/R4/DocumentReference/{referral.reference}",
        f"/fhir/R4/Patient/{referral.patient_id}",
        f"/fhir/R4/Organization/{referral.referring_practice.public_id}",
        f"/fhir/R4/Organization/{referral.team.public_id}",
        f"/fhir/R4/Task?_id={referral.reference}&_include=Task:focus",
        "/fhir/R4/CodeSystem/need-domains",
        "/fhir/R4/CodeSystem/closure-outcomes",
        "/fhir/R4/CodeSystem/decline-reasons",
        "/fhir/R4/CodeSystem/consent-kinds",
        "/fhir/R4/CodeSystem/task-outputs",
        "/fhir/R4/Task/SP-NOSUCH",  # an OperationOutcome
    ]
    return [api.get(path).json() for path in paths]


def test_every_emitted_resource_parses_and_validates_against_the_official_schema(
    practice_a_api, coordinator_x
):
    referral = _journey(practice_a_api, coordinator_x)
    resources = _emitted(practice_a_api, referral)
    resources.append(post_bundle(practice_a_api, referral_bundle()).json())  # a replay
    for resource in resources:
        assert_valid(resource)


def test_every_reference_emitted_resolves_on_the_server(practice_a_api, coordinator_x):
    referral = _journey(practice_a_api, coordinator_x)
    for resource in _emitted(practice_a_api, referral):
        for reference in references_in(resource):
            response = practice_a_api.get(f"/fhir/R4/{reference}")
            assert response.status_code == 200, f"{reference} in {resource['resourceType']}"


def test_every_code_of_ours_is_in_a_code_system_we_publish(practice_a_api, coordinator_x):
    referral = _journey(practice_a_api, coordinator_x)
    base = "http://127.0.0.1:8000/fhir/R4/CodeSystem/"
    published: dict[str, set[str]] = {}
    for resource in _emitted(practice_a_api, referral):
        for coding in _codings(resource):
            if coding["system"].startswith(base):
                system_id = coding["system"].removeprefix(base)
                if system_id not in published:
                    code_system = practice_a_api.get(f"/fhir/R4/CodeSystem/{system_id}").json()
                    published[system_id] = {c["code"] for c in code_system["concept"]}
                assert coding["code"] in published[system_id], coding
    assert published, "no code of ours was checked"


def _codings(value):
    if isinstance(value, dict):
        if "system" in value and "code" in value:
            yield value
        for item in value.values():
            yield from _codings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _codings(item)


def test_the_schema_check_can_fail_on_a_task_status_outside_the_required_binding():
    errors = schema_errors({"resourceType": "Task", "status": "finished", "intent": "order"})
    assert errors
