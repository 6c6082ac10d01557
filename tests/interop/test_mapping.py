"""The pure mappings, one resource type at a time: model → resource dict and resource → the
arguments of a service call. No database: unsaved instances are enough."""

import datetime
import uuid

import pytest
from django.utils import timezone

from accounts.models import Organisation
from common.state_machine import Party
from interop.outcome import FhirError, Issue
from interop.resources.patient import patient_details
from interop.resources.service_request import referral_details, service_request_resource
from interop.resources.task import requested_cancellation, task_resource
from interop.task_status import (
    REQUESTER_TASK_CHANGES,
    TASK_STATUS,
    referral_states,
    requester_may,
    task_status,
)
from referrals.models import REFERRAL_MACHINE, ClosureOutcome, Referral, ReferralStatus
from tests.interop.conftest import referral_bundle, resource_of


def _referral(**fields) -> Referral:
    now = timezone.now()
    values = {
        "reference": "SP-TESTTEST",
        "patient_id": 7,
        "status": ReferralStatus.RECEIVED,
        "reasons": ["loneliness", "housing"],
        "help_wanted": "Company.",
        "received_at": now,
        "updated_at": now,
        "referring_practice": Organisation(
            name="P", kind="gp_practice", ods_code="Y00001", public_id=uuid.uuid4()
        ),
        "team": Organisation(name="T", kind="coordinator_team", public_id=uuid.uuid4()),
        **fields,
    }
    return Referral(**values)


def test_every_referral_status_has_a_task_status():
    assert set(TASK_STATUS) == set(ReferralStatus.values)


def test_every_state_of_the_referrals_transitions_table_has_a_task_status():
    assert referral_states() <= set(TASK_STATUS)


def test_each_task_change_a_requester_may_make_is_a_transition_the_practice_may_take():
    for task_status_code, action in REQUESTER_TASK_CHANGES.items():
        transition = REFERRAL_MACHINE.transitions[action]
        assert Party.REFERRER in transition.by
        assert task_status(transition.to_state) == task_status_code
    assert not requester_may("accepted")


@pytest.mark.parametrize(
    ("status", "outcome", "expected"),
    [
        (ReferralStatus.RECEIVED, "", "requested"),
        (ReferralStatus.ACCEPTED, "", "accepted"),
        (ReferralStatus.IN_PROGRESS, "", "in-progress"),
        (ReferralStatus.CLOSED, ClosureOutcome.GOALS_MET, "completed"),
        (ReferralStatus.CLOSED, ClosureOutcome.UNABLE_TO_CONTACT, "failed"),
        (ReferralStatus.DECLINED, "", "rejected"),
        (ReferralStatus.PATIENT_DECLINED, "", "cancelled"),
    ],
)
def test_the_task_status_follows_the_mapping_table(status, outcome, expected):
    assert task_status(status, outcome) == expected


@pytest.mark.parametrize("status", [ReferralStatus.DECLINED, ReferralStatus.PATIENT_DECLINED])
def test_a_stopped_task_always_says_why(status):
    task = task_resource(_referral(status=status, decline_reason="not_eligible"))
    assert task["statusReason"]["text"]


def test_an_open_task_has_no_output_and_no_reason():
    task = task_resource(_referral(status=ReferralStatus.ACCEPTED))
    assert "output" not in task and "statusReason" not in task


def test_a_closed_task_refers_to_its_closing_summary_and_outcome():
    referral = _referral(
        status=ReferralStatus.CLOSED, outcome="goals_met", closed_at=timezone.now()
    )
    task = task_resource(referral)
    assert task["output"][0]["valueReference"] == {"reference": "DocumentReference/SP-TESTTEST"}


def test_the_service_request_carries_our_need_domains_and_the_sdohcc_categories_that_fit():
    resource = service_request_resource(_referral(reasons=["loneliness", "arts_and_culture"]))
    assert [r["coding"][0]["code"] for r in resource["reasonCode"]] == [
        "loneliness",
        "arts_and_culture",
    ]
    assert [c["coding"][0]["code"] for c in resource["category"]] == ["social-connection"]


def test_the_service_request_says_who_asked_for_the_referral_as_uk_core_does():
    resource = service_request_resource(_referral(source="family_or_carer"))
    (extension,) = resource["extension"]
    assert extension["url"] == (
        "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-SourceOfServiceRequest"
    )
    (coding,) = extension["valueCodeableConcept"]["coding"]
    assert coding["code"] == "family_or_carer"
    assert coding["display"] == "Family member or carer"
    assert coding["system"].endswith("/fhir/R4/CodeSystem/referral-sources")


def test_a_referred_patient_becomes_the_details_intake_takes():
    issues: list[Issue] = []
    details = patient_details(
        resource_of(referral_bundle(nhs_number="9990000018"), "Patient"), issues
    )
    assert issues == []
    assert details == {
        "nhs_number": "9990000018",
        "family_name": "Testpatient",
        "given_name": "Alex",
        "date_of_birth": datetime.date(1950, 2, 3),
        "phone": "07700 900456",
        "email": "alex@test.example",
        "address": "1 Test Street, Testtown",
        "postcode": "TE1 1ST",
        "language": "Welsh",
    }


def test_a_patient_with_a_malformed_birth_date_and_no_nhs_number_gets_two_issues():
    issues: list[Issue] = []
    patient_details(
        {
            "resourceType": "Patient",
            "name": [{"family": "X", "given": ["Y"]}],
            "birthDate": "1950-13-45",
        },
        issues,
    )
    assert [i.expression for i in issues] == [("Patient.identifier",), ("Patient.birthDate",)]


def test_a_referred_service_request_becomes_the_referral_intake_takes():
    issues: list[Issue] = []
    details = referral_details(resource_of(referral_bundle(), "ServiceRequest"), issues)
    assert issues == []
    assert details == {
        "reasons": ["loneliness"],
        "help_wanted": "Would like to meet people nearby.",
        "urgency": "urgent",
        "risk_flag": True,
        "risk_notes": "Lives alone; recent fall.",
    }


def test_a_cancellation_gives_the_reason_and_anything_else_is_refused():
    current = task_resource(_referral())
    wanted = {**current, "status": "cancelled", "statusReason": {"text": "Moved away."}}
    assert requested_cancellation(current, wanted) == "Moved away."
    with pytest.raises(FhirError) as refused:
        requested_cancellation(current, {**wanted, "owner": {"reference": "Organization/x"}})
    assert refused.value.status == 403
    assert refused.value.issues[0].expression == ("Task.owner",)
