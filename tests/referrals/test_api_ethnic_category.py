"""The patient's NHS ethnic category over the referrals API: optional, one of the NHS Data
Dictionary codes (Z: not stated), a 400 naming the field otherwise, and only ever the start of
a new patient's record (a known patient's record is never changed by a referral)."""

import pytest

from referrals.models import Patient, Referral
from tests.referrals.conftest import patient_payload, referral_payload, token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/"


def test_a_new_patient_referred_over_the_api_keeps_the_ethnic_category_given(referrer_a):
    payload = referral_payload(patient_payload(nhs_number="943 476 5919", ethnic_category="H"))
    response = token_client(referrer_a).post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    assert Patient.objects.get(nhs_number="9434765919").ethnic_category == "H"


@pytest.mark.parametrize("given", ["Z", ""])
def test_not_stated_and_not_asked_are_both_accepted(referrer_a, given):
    payload = referral_payload(patient_payload(ethnic_category=given))
    assert token_client(referrer_a).post(URL, payload, format="json").status_code == 201
    assert Patient.objects.get().ethnic_category == given


def test_without_an_ethnic_category_the_patient_has_none_recorded(referrer_a):
    assert token_client(referrer_a).post(URL, referral_payload(), format="json").status_code == 201
    assert Patient.objects.get().ethnic_category == ""


@pytest.mark.parametrize("given", ["X", "white british", "AB", 7])
def test_an_unknown_ethnic_category_is_a_400_naming_the_field_and_saves_nothing(referrer_a, given):
    payload = referral_payload(patient_payload(ethnic_category=given))
    response = token_client(referrer_a).post(URL, payload, format="json")
    assert response.status_code == 400
    assert set(response.json()["patient"]) == {"ethnic_category"}
    assert not Patient.objects.exists() and not Referral.objects.exists()


def test_a_referral_never_changes_a_known_patients_ethnic_category(referrer_a, referrer_b):
    first = patient_payload(nhs_number="943 476 5919", ethnic_category="A")
    assert (
        token_client(referrer_a).post(URL, referral_payload(first), format="json").status_code
        == 201
    )
    again = {**first, "ethnic_category": "N"}
    response = token_client(referrer_b).post(URL, referral_payload(again), format="json")
    assert response.status_code == 201
    assert Patient.objects.get().ethnic_category == "A"
