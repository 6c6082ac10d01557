"""Reads of what a Task refers to, each scoped like the Task."""

import pytest

from interop.codes import NHS_NUMBER_SYSTEM
from referrals.models import ReferralPatientDetails
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def referral_a(practice_a, referrer_a, team_x):
    return ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)


def test_a_practice_reads_the_service_request_with_its_snomed_code_and_reasons(
    practice_a_api, referral_a, django_assert_num_queries
):
    with django_assert_num_queries(10):
        resource = practice_a_api.get(f"/fhir/R4/ServiceRequest/{referral_a.reference}").json()
    assert resource["code"]["coding"][0]["code"] == "871731000000106"
    assert resource["reasonCode"][0]["coding"][0]["code"] == "loneliness"
    assert resource["category"][0]["coding"][0]["code"] == "social-connection"


def test_a_practice_reads_the_patient_it_referred_with_the_nhs_number(
    practice_a_api, referral_a, django_assert_num_queries
):
    with django_assert_num_queries(10):
        response = practice_a_api.get(f"/fhir/R4/Patient/{referral_a.patient_id}")
    patient = response.json()
    assert patient["identifier"] == [
        {"system": NHS_NUMBER_SYSTEM, "value": referral_a.patient.nhs_number}
    ]


def test_another_practice_cannot_read_the_patient(practice_b_api, referral_a):
    assert practice_b_api.get(f"/fhir/R4/Patient/{referral_a.patient_id}").status_code == 404


def test_a_practice_sharing_a_patient_reads_only_what_it_sent(
    practice_b_api, referral_a, practice_b, referrer_b, team_x
):
    shared = ReferralFactory(
        referring_practice=practice_b,
        referred_by=referrer_b,
        team=team_x,
        patient=referral_a.patient,
    )
    ReferralPatientDetails.objects.filter(referral=shared).update(phone="07700 900999")
    patient = practice_b_api.get(f"/fhir/R4/Patient/{referral_a.patient_id}").json()
    assert patient["telecom"] == [{"system": "phone", "value": "07700 900999"}]


def test_the_consent_and_the_organizations_a_task_names_resolve(practice_a_api, referral_a):
    consent = practice_a_api.get(f"/fhir/R4/Consent/{referral_a.reference}")
    assert consent.status_code == 200
    requester = practice_a_api.get(
        f"/fhir/R4/Organization/{referral_a.referring_practice.public_id}"
    )
    assert requester.json()["identifier"][0]["value"] == "Y00001"


def test_there_is_no_closing_summary_before_the_case_closes(practice_a_api, referral_a):
    assert (
        practice_a_api.get(f"/fhir/R4/DocumentReference/{referral_a.reference}").status_code == 404
    )
