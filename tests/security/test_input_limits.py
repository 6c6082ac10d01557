"""Free text has a named maximum everywhere it enters (model, form, serializer), and a body too
big for the API gets JSON, not a page."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from common import input_limits
from coordinators import serializers as coordinator_serializers
from referrals import serializers as referral_serializers
from referrals.models import Patient, Referral
from tests.coordinators.conftest import open_case
from tests.referrals.conftest import patient_payload, referral_payload, token_client
from tests.referrals.factories import PatientFactory, TeamCoverageFactory

APPS = ("accounts", "community_services", "referrals", "coordinators")
NAMED_LIMITS = {
    input_limits.ADDRESS_MAX_LENGTH,
    input_limits.NOTE_MAX_LENGTH,
    input_limits.NARRATIVE_MAX_LENGTH,
}
A_MEGABYTE = "x" * 1_000_000
# Serializers that only shape answers: nothing is ever read through them.
OUTPUT_ONLY = {
    "PatientSerializer",
    "ServiceReferralPatientSerializer",
    "CasePatientSerializer",
    "TimelineEntrySerializer",
    "RecordedReviewSerializer",
    "ReferOnResultSerializer",
}


def text_fields():
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                if isinstance(field, models.TextField):
                    yield model, field


def test_every_text_field_has_a_named_maximum_that_full_clean_enforces():
    fields = list(text_fields())
    assert len(fields) > 20
    for model, field in fields:
        where = f"{model.__name__}.{field.name}"
        assert field.max_length in NAMED_LIMITS, where
        assert any(
            isinstance(v, MaxLengthValidator) and v.limit_value == field.max_length
            for v in field.validators
        ), where


@pytest.mark.django_db
def test_full_clean_rejects_a_megabyte_address_naming_the_field():
    patient = PatientFactory.build(address=A_MEGABYTE)

    with pytest.raises(ValidationError) as raised:
        patient.full_clean(exclude=["registered_practice"])

    assert list(raised.value.message_dict) == ["address"]


def _writable_char_fields(serializer_class):
    try:
        serializer = serializer_class()
    except TypeError:  # needs arguments: not an input serializer
        return
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.Serializer):
            if field.read_only or type(field).__name__ in OUTPUT_ONLY:
                continue
            yield from ((f"{name}.{inner}", f) for inner, f in _writable_char_fields(type(field)))
        elif (
            isinstance(field, serializers.CharField)
            and not field.read_only
            and "." not in (field.source or "")  # a related object's attribute, shown only
        ):
            yield name, field


@pytest.mark.parametrize("module", [referral_serializers, coordinator_serializers])
def test_every_writable_text_field_of_the_api_has_a_maximum(module):
    found = 0
    for serializer_class in vars(module).values():
        if not (
            isinstance(serializer_class, type)
            and issubclass(serializer_class, serializers.Serializer)
            and serializer_class.__module__ == module.__name__
            and serializer_class.__name__ not in OUTPUT_ONLY
        ):
            continue
        for name, field in _writable_char_fields(serializer_class):
            found += 1
            assert field.max_length is not None, f"{serializer_class.__name__}.{name}"
    assert found > 5


def _details(**overrides):
    return {
        "given_name": "Ianto",
        "family_name": "Testperson",
        "date_of_birth_day": "17",
        "date_of_birth_month": "5",
        "date_of_birth_year": "1961",
        "preferred_contact_method": "phone",
        "reasons": ["loneliness"],
        "help_wanted": "Would like to meet people.",
        "urgency": "routine",
        "consent_to_referral": "on",
        **overrides,
    }


def test_a_megabyte_address_on_the_referral_form_is_a_field_error_and_nothing_is_written(
    client, password, referrer_a, team_x
):
    client.login(email=referrer_a.email, password=password)
    client.post(reverse("referrals:new"), {"nhs_number": "943 476 5919"})

    page = client.post(
        reverse("referrals:new-step", args=["patient"]), _details(address=A_MEGABYTE)
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="id_address-error"' in html
    assert f"Address must be {input_limits.ADDRESS_MAX_LENGTH} characters or fewer" in html
    assert not Patient.objects.exists() and not Referral.objects.exists()


def test_an_over_long_address_in_the_api_is_a_400_naming_the_field(referrer_a, team_x):
    long_address = "x" * (input_limits.ADDRESS_MAX_LENGTH + 1)
    payload = referral_payload(patient=patient_payload(address=long_address))

    response = token_client(referrer_a).post("/api/v1/referrals/", payload, format="json")

    assert response.status_code == 400
    assert "address" in response.json()["patient"]
    assert not Patient.objects.exists()


def test_an_over_long_conversation_answer_in_the_api_is_a_400_naming_the_field(
    practice_a, referrer_a, team_x, coordinator_x
):
    TeamCoverageFactory(practice=practice_a, team=team_x)
    case = open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )

    response = token_client(coordinator_x).post(
        "/api/v1/conversations/",
        {
            "case": case.pk,
            "held_on": timezone.localdate().isoformat(),
            "what_matters": "x" * (input_limits.NARRATIVE_MAX_LENGTH + 1),
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["what_matters"]


def test_an_over_long_note_on_a_casework_form_is_a_field_error(
    client, password, practice_a, referrer_a, team_x, coordinator_x
):
    TeamCoverageFactory(practice=practice_a, team=team_x)
    case = open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )
    client.login(email=coordinator_x.email, password=password)
    today = timezone.localdate()

    page = client.post(
        reverse("coordinators:conversation-new", args=[case.reference]),
        {
            "held_on_day": today.day,
            "held_on_month": today.month,
            "held_on_year": today.year,
            "what_matters": "Company.",
            "three_months": A_MEGABYTE,
        },
    )

    assert page.status_code == 200
    assert 'id="id_three_months-error"' in page.content.decode()
    assert not case.conversations.exists()


def test_a_body_over_the_upload_limit_gets_json_on_the_api(referrer_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    api = token_client(referrer_a)
    api.raise_request_exception = False
    payload = referral_payload(help_wanted="x" * 20_000)

    response = api.post("/api/v1/referrals/", payload, format="json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "request_too_large"
    assert "10000 bytes" in response.json()["detail"]
