"""Referring in: a practice system POSTs a transaction Bundle; the web form's intake service makes
the referral; a retry never makes a second one; anything wrong is named and writes nothing."""

import pytest

from interop.codes import UK_CORE_SOURCE_OF_SERVICE_REQUEST, our_code_system
from interop.models import ReferralIdentifier
from referrals.models import Patient, Referral, ReferralStatus
from tests.interop.conftest import changed, post_bundle, referral_bundle, resource_of

pytestmark = pytest.mark.postgres


def _nothing_written():
    return not Referral.objects.exists() and not Patient.objects.exists()


def test_a_practice_system_refers_a_patient_in_and_gets_each_entrys_location(
    practice_a_api, team_x
):
    response = post_bundle(practice_a_api, referral_bundle())
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    referral = Referral.objects.get()
    assert body["type"] == "transaction-response"
    assert [e["response"]["location"] for e in body["entry"]] == [
        f"Patient/{referral.patient_id}",
        f"ServiceRequest/{referral.reference}",
        f"Consent/{referral.reference}",
        f"Task/{referral.reference}",
    ]
    assert {e["response"]["status"] for e in body["entry"]} == {"201 Created"}
    assert referral.team == team_x
    assert referral.status == ReferralStatus.RECEIVED
    assert referral.urgency == "urgent"
    assert referral.source == "gp"  # a practice's system refers for the practice
    assert referral.reasons == ["loneliness"]
    assert referral.risk_flag and referral.risk_notes == "Lives alone; recent fall."
    assert referral.patient.family_name == "Testpatient"
    assert referral.patient.postcode == "TE1 1ST"
    assert referral.patient.language == "Welsh"
    assert referral.patient.consent_to_referral


def test_the_same_practice_identifier_never_makes_a_second_referral(practice_a_api):
    bundle = referral_bundle(identifier="REF-42")
    first = post_bundle(practice_a_api, bundle)
    again = post_bundle(practice_a_api, bundle)
    assert first.status_code == again.status_code == 200
    assert Referral.objects.count() == 1
    assert {e["response"]["status"] for e in again.json()["entry"]} == {"200 OK"}
    assert (
        again.json()["entry"][3]["response"]["location"]
        == (first.json()["entry"][3]["response"]["location"])
    )
    assert ReferralIdentifier.objects.get().value == "REF-42"


def test_another_practice_may_use_the_same_identifier_value_for_its_own_referral(
    practice_a_api, practice_b_api
):
    post_bundle(practice_a_api, referral_bundle(identifier="REF-1"))
    response = post_bundle(practice_b_api, referral_bundle(ods_code="Y00002", identifier="REF-1"))
    assert response.status_code == 200
    assert Referral.objects.count() == 2


def _source_extension(code: str) -> list[dict]:
    coding = {"system": our_code_system("referral-sources"), "code": code}
    return [
        {"url": UK_CORE_SOURCE_OF_SERVICE_REQUEST, "valueCodeableConcept": {"coding": [coding]}}
    ]


def test_a_practice_system_may_say_which_of_its_staff_referred(practice_a_api):
    bundle = changed(
        referral_bundle(), "ServiceRequest", extension=_source_extension("practice_nurse")
    )
    response = post_bundle(practice_a_api, bundle)
    assert response.status_code == 200, response.content
    referral = Referral.objects.get()
    assert referral.source == "practice_nurse"
    served = practice_a_api.get(f"/fhir/R4/ServiceRequest/{referral.reference}").json()
    (extension,) = served["extension"]
    assert extension["valueCodeableConcept"]["coding"][0]["code"] == "practice_nurse"


def test_a_practice_system_cannot_refer_as_the_person_themselves(practice_a_api):
    bundle = changed(referral_bundle(), "ServiceRequest", extension=_source_extension("self"))
    response = post_bundle(practice_a_api, bundle)
    assert response.status_code == 422, response.content
    (issue,) = response.json()["issue"]
    assert issue["expression"] == ["ServiceRequest.extension[0]"]
    assert "'self' is not a source a practice refers as" in issue["diagnostics"]
    assert _nothing_written()


MISSING = [
    ("Patient", "identifier", "Patient.identifier"),
    ("Patient", "name", "Patient.name.family"),
    ("Patient", "birthDate", "Patient.birthDate"),
    ("ServiceRequest", "identifier", "ServiceRequest.identifier"),
    ("ServiceRequest", "status", "ServiceRequest.status"),
    ("ServiceRequest", "intent", "ServiceRequest.intent"),
    ("ServiceRequest", "code", "ServiceRequest.code"),
    ("ServiceRequest", "reasonCode", "ServiceRequest.reasonCode"),
    ("ServiceRequest", "subject", "ServiceRequest.subject"),
    ("ServiceRequest", "requester", "ServiceRequest.requester"),
    ("ServiceRequest", "supportingInfo", "ServiceRequest.supportingInfo"),
    ("ServiceRequest", "note", "ServiceRequest.note"),
    ("Consent", "status", "Consent.status"),
    ("Consent", "patient", "Consent.patient"),
    ("Task", "status", "Task.status"),
    ("Task", "intent", "Task.intent"),
    ("Task", "code", "Task.code"),
    ("Task", "focus", "Task.focus"),
    ("Task", "for", "Task.for"),
    ("Task", "authoredOn", "Task.authoredOn"),
]


@pytest.mark.parametrize(("kind", "element", "expression"), MISSING)
def test_each_missing_element_is_a_422_naming_it_and_writes_nothing(
    practice_a_api, kind, element, expression
):
    response = post_bundle(practice_a_api, changed(referral_bundle(), kind, **{element: None}))
    assert response.status_code == 422, response.content
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    expressions = [e for issue in outcome["issue"] for e in issue.get("expression", [])]
    assert expression in expressions
    assert _nothing_written()


@pytest.mark.parametrize("kind", ["Patient", "ServiceRequest", "Consent", "Task"])
def test_a_bundle_without_one_of_the_four_resources_is_refused(practice_a_api, kind):
    bundle = referral_bundle()
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != kind]
    response = post_bundle(practice_a_api, bundle)
    assert response.status_code == 422
    assert kind in response.json()["issue"][0]["diagnostics"]
    assert _nothing_written()


def test_a_bad_nhs_number_is_a_422_on_the_patient_identifier(practice_a_api):
    response = post_bundle(practice_a_api, referral_bundle(nhs_number="9990000000"))
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == ["Patient.identifier"]
    assert _nothing_written()


def test_an_unknown_practice_is_a_422_on_the_requester(practice_a_api):
    response = post_bundle(practice_a_api, referral_bundle(ods_code="Y99999"))
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == ["ServiceRequest.requester"]
    assert _nothing_written()


def test_a_practice_cannot_refer_in_the_name_of_another(practice_a_api):
    response = post_bundle(practice_a_api, referral_bundle(ods_code="Y00002"))
    assert response.status_code == 403
    assert _nothing_written()


def test_a_reason_outside_our_need_domains_is_named(practice_a_api):
    bundle = referral_bundle()
    reasons = resource_of(bundle, "ServiceRequest")["reasonCode"]
    reasons.append({"coding": [{**reasons[0]["coding"][0], "code": "astrology"}]})
    response = post_bundle(practice_a_api, bundle)
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == ["ServiceRequest.reasonCode[1]"]


def test_a_body_that_is_not_a_transaction_bundle_is_a_400(practice_a_api):
    response = post_bundle(practice_a_api, {"resourceType": "Bundle", "type": "batch", "entry": []})
    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"] == ["Bundle.type"]


def test_a_body_that_is_not_json_is_a_400(practice_a_api):
    response = practice_a_api.post("/fhir/R4/", b"{not json", content_type="application/fhir+json")
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"


def test_a_team_client_cannot_refer_in(team_x_api):
    response = post_bundle(team_x_api, referral_bundle())
    assert response.status_code == 403
    assert _nothing_written()


def test_a_referral_from_a_signed_in_referrer_session_works_too(client, referrer_a):
    client.force_login(referrer_a)
    response = post_bundle(client, referral_bundle())
    assert response.status_code == 200
    assert Referral.objects.get().referred_by == referrer_a
