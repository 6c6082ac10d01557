"""Two practices sharing one patient: a referral from practice B with the
NHS number of practice A's patient links to the record and changes nothing on it; B sees only
what B said; the receiving team sees the difference and decides."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Notification
from referrals import services
from referrals.errors import DetailsAlreadyResolved, NotInReceivingTeam
from referrals.models import Patient, Referral, ReferralPatientDetails
from tests.referrals.conftest import referral_payload, token_client
from tests.referrals.new_referral import send

pytestmark = pytest.mark.django_db

NHS_NUMBER = "9434765919"
A_SAID = {
    "nhs_number": NHS_NUMBER,
    "given_name": "Alys",
    "family_name": "Aprecord",
    "date_of_birth": datetime.date(1950, 3, 4),
    "address": "1 Apple Row",
    "postcode": "AA1 1AA",
    "phone": "07700 900111",
    "email": "alys@a.example",
    "consent_to_referral": True,
    "consent_to_share": False,
    "consent_to_sms": True,
}
B_SAYS = {
    "nhs_number": "943 476 5919",
    "given_name": "Bryn",
    "family_name": "Btakeover",
    "date_of_birth": datetime.date(1970, 1, 1),
    "address": "2 Bramble Lane",
    "postcode": "BB2 2BB",
    "phone": "07700 900222",
    "email": "bryn@b.example",
    "consent_to_referral": True,
    "consent_to_share": True,
    "consent_to_sms": False,
}
A_ONLY = ("Alys", "Aprecord", "Apple Row", "AA1 1AA", "07700 900111", "alys@a.example")
REFERRAL = {"reasons": ["loneliness"], "help_wanted": "Company", "urgency": "routine"}


def _as_seen(patient: Patient) -> dict:
    return {
        name: getattr(patient, name)
        for name in (
            "given_name",
            "family_name",
            "date_of_birth",
            "address",
            "postcode",
            "phone",
            "email",
            "registered_practice_id",
            *Patient.CONSENTS,
            *(f"{consent}_recorded_by_id" for consent in Patient.CONSENTS),
            *(f"{consent}_recorded_at" for consent in Patient.CONSENTS),
        )
    }


@pytest.fixture
def patient_of_a(referrer_a, practice_a):
    """Practice A's patient, created by A's referral."""
    received = services.receive_referral(
        referred_by=referrer_a, practice=practice_a, patient=A_SAID, referral=REFERRAL
    )
    return received.referral.patient


@pytest.fixture
def takeover(patient_of_a, referrer_b, practice_b):
    """Practice B refers with A's patient's NHS number and details of its own."""
    return services.receive_referral(
        referred_by=referrer_b, practice=practice_b, patient=B_SAYS, referral=REFERRAL
    ).referral


def _login(client, user):
    client.force_login(user)
    return client


def _form_data() -> dict:
    return {
        "given_name": B_SAYS["given_name"],
        "family_name": B_SAYS["family_name"],
        "date_of_birth_day": "1",
        "date_of_birth_month": "1",
        "date_of_birth_year": "1970",
        "address": B_SAYS["address"],
        "postcode": B_SAYS["postcode"],
        "phone": B_SAYS["phone"],
        "email": B_SAYS["email"],
        "preferred_contact_method": "phone",
        "reasons": ["loneliness"],
        "help_wanted": "Company",
        "urgency": "routine",
        "consent_to_referral": "on",
        "consent_to_share": "on",
    }


# --- The takeover attempt changes nothing


def test_a_referral_from_another_practice_links_to_the_record_and_changes_nothing_on_it(
    patient_of_a, referrer_b, practice_b
):
    before = _as_seen(Patient.objects.get(pk=patient_of_a.pk))
    received = services.receive_referral(
        referred_by=referrer_b, practice=practice_b, patient=B_SAYS, referral=REFERRAL
    )
    assert not received.patient_created
    assert received.referral.patient_id == patient_of_a.pk
    assert _as_seen(Patient.objects.get(pk=patient_of_a.pk)) == before
    details = received.referral.patient_details
    assert (details.given_name, details.phone, details.consent_to_share) == (
        "Bryn",
        B_SAYS["phone"],
        True,
    )
    assert details.nhs_number == NHS_NUMBER and not details.is_resolved
    assert AuditEvent.objects.filter(
        action="match", object_type="patient", object_id=str(patient_of_a.pk)
    ).exists()


def test_a_new_patient_is_created_from_the_referral_and_its_details_are_kept_too(
    referrer_a, practice_a
):
    referral = services.receive_referral(
        referred_by=referrer_a, practice=practice_a, patient=A_SAID, referral=REFERRAL
    ).referral
    assert (referral.patient.given_name, referral.patient.registered_practice) == (
        "Alys",
        practice_a,
    )
    assert referral.patient.consent_to_sms_recorded_by == referrer_a
    details = referral.patient_details
    assert details.created_patient and details.phone == A_SAID["phone"]
    assert not details.differences(referral.patient)


def test_the_takeover_by_the_web_form_leaves_the_record_unchanged(client, patient_of_a, referrer_b):
    before = _as_seen(Patient.objects.get(pk=patient_of_a.pk))
    _login(client, referrer_b)
    client.post(reverse("referrals:new"), {"nhs_number": NHS_NUMBER})
    response = send(client, _form_data())
    referral = Referral.objects.get(referring_practice__name="Practice B")
    assert response.url == reverse("referrals:confirmation", args=[referral.reference])
    assert referral.patient_id == patient_of_a.pk
    assert _as_seen(Patient.objects.get(pk=patient_of_a.pk)) == before
    assert referral.patient_details.postcode == "BB2 2BB"


def test_the_takeover_by_the_api_leaves_the_record_unchanged_and_answers_with_b_own_details(
    patient_of_a, referrer_b
):
    before = _as_seen(Patient.objects.get(pk=patient_of_a.pk))
    payload = referral_payload(
        patient={
            **{k: v for k, v in B_SAYS.items() if k != "date_of_birth"},
            "date_of_birth": "1970-01-01",
        }
    )
    response = token_client(referrer_b).post("/api/v1/referrals/", payload, format="json")
    assert response.status_code == 201
    assert _as_seen(Patient.objects.get(pk=patient_of_a.pk)) == before
    assert Referral.objects.get(reference=response.json()["reference"]).patient_id == (
        patient_of_a.pk
    )
    assert response.json()["patient"] == {
        "id": None,
        "nhs_number": NHS_NUMBER,
        "given_name": "Bryn",
        "family_name": "Btakeover",
        "date_of_birth": "1970-01-01",
    }


# --- Practice B sees nothing of practice A's


def test_the_form_never_prefills_or_hints_at_another_practice_patient(
    client, patient_of_a, referrer_b
):
    _login(client, referrer_b)
    client.post(reverse("referrals:new"), {"nhs_number": NHS_NUMBER})
    page = client.get(reverse("referrals:new-step", args=["patient"])).content.decode()
    for detail in A_ONLY:
        assert detail not in page
    assert 'data-testid="open-referral-warning"' not in page
    assert 'data-testid="referred-before"' not in page
    assert "already knows" not in page


def test_the_form_prefills_what_the_practice_itself_said_last_time(
    client, patient_of_a, takeover, referrer_a
):
    _login(client, referrer_a)
    client.post(reverse("referrals:new"), {"nhs_number": NHS_NUMBER})
    page = client.get(reverse("referrals:new-step", args=["patient"])).content.decode()
    assert 'data-testid="referred-before"' in page
    assert "AA1 1AA" in page and "BB2 2BB" not in page
    assert 'data-testid="open-referral-warning"' not in page


def test_referrer_b_pages_show_the_details_on_b_referral_not_the_shared_record(
    client, takeover, referrer_b, coordinator_x
):
    services.accept_referral(referral=takeover, by=coordinator_x)
    _login(client, referrer_b)
    pages = [
        reverse("referrals:practice-home"),
        reverse("referrals:detail", args=[takeover.reference]),
        reverse("referrals:confirmation", args=[takeover.reference]),
        reverse("referrals:patient-declined", args=[takeover.reference]),
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert "Bryn" in page, url
        for detail in A_ONLY:
            assert detail not in page, (url, detail)
    assert "Bryn" in Notification.objects.get(recipient=referrer_b).message


def test_referrer_b_api_list_and_detail_show_b_details_only(takeover, referrer_b):
    api = token_client(referrer_b)
    listed = api.get("/api/v1/referrals/").json()["results"]
    shown = api.get(f"/api/v1/referrals/{takeover.pk}/").json()
    for body in (listed[0], shown):
        assert body["patient"]["given_name"] == "Bryn" and body["patient"]["id"] is None
        for detail in A_ONLY:
            assert detail not in str(body)


def test_the_team_api_shows_the_record(takeover, coordinator_x, patient_of_a):
    shown = token_client(coordinator_x).get(f"/api/v1/referrals/{takeover.pk}/").json()
    assert (shown["patient"]["given_name"], shown["patient"]["id"]) == ("Alys", patient_of_a.pk)


# --- The receiving team sees the difference and decides


def test_the_team_sees_details_differ_on_the_triage_queue_and_the_referral(
    client, takeover, coordinator_x
):
    _login(client, coordinator_x)
    queue = client.get(reverse("referrals:triage")).content.decode()
    assert 'data-testid="details-differ"' in queue
    assert 'data-testid="open-referral-warning"' in queue
    page = client.get(reverse("referrals:detail", args=[takeover.reference])).content.decode()
    assert "Details differ from our record" in page
    assert "BB2 2BB" in page and "AA1 1AA" in page


def test_the_team_sees_details_differ_on_the_case_page(client, takeover, coordinator_x):
    services.accept_referral(referral=takeover, by=coordinator_x)
    _login(client, coordinator_x)
    page = client.get(reverse("coordinators:case", args=[takeover.reference])).content.decode()
    assert 'data-testid="details-differ"' in page
    assert 'data-testid="open-referral-warning"' in page
    assert 'data-testid="registered-practice"' in page


def test_confirming_some_fields_copies_only_those_and_is_audited(
    takeover, coordinator_x, referrer_b
):
    services.resolve_details_difference(
        referral=takeover, by=coordinator_x, accept_fields=["phone", "consent_to_share"]
    )
    patient = Patient.objects.get(pk=takeover.patient_id)
    assert (patient.phone, patient.postcode, patient.given_name) == (
        B_SAYS["phone"],
        "AA1 1AA",
        "Alys",
    )
    assert patient.consent_to_share and patient.consent_to_share_recorded_by == referrer_b
    assert patient.consent_to_sms  # not accepted: A's consent stands
    details = ReferralPatientDetails.objects.get(referral=takeover)
    assert details.resolution == "partly" and details.resolved_by == coordinator_x
    event = AuditEvent.objects.get(action="update", object_id=str(patient.pk))
    assert "phone" in event.detail and takeover.reference in event.detail
    assert not Referral.objects.get(pk=takeover.pk).details_differ


def test_keeping_the_record_changes_nothing_and_is_audited(takeover, coordinator_x):
    before = _as_seen(Patient.objects.get(pk=takeover.patient_id))
    services.resolve_details_difference(referral=takeover, by=coordinator_x, accept_fields=[])
    assert _as_seen(Patient.objects.get(pk=takeover.patient_id)) == before
    assert ReferralPatientDetails.objects.get(referral=takeover).resolution == "kept"
    assert AuditEvent.objects.filter(action="details_kept").exists()


def test_a_decision_is_made_once_and_only_by_the_receiving_team(
    takeover, coordinator_x, coordinator_y, referrer_b
):
    for outsider in (coordinator_y, referrer_b):
        with pytest.raises(NotInReceivingTeam):
            services.resolve_details_difference(
                referral=takeover, by=outsider, accept_fields=["phone"]
            )
    with pytest.raises(ValidationError):
        services.resolve_details_difference(
            referral=takeover, by=coordinator_x, accept_fields=["registered_practice"]
        )
    services.resolve_details_difference(referral=takeover, by=coordinator_x, accept_fields=[])
    with pytest.raises(DetailsAlreadyResolved):
        services.resolve_details_difference(
            referral=takeover, by=coordinator_x, accept_fields=["phone"]
        )


def test_the_team_confirms_all_details_from_the_page(client, takeover, coordinator_x):
    _login(client, coordinator_x)
    url = reverse("referrals:patient-details", args=[takeover.reference])
    assert "Details differ from our record" in client.get(url).content.decode()
    response = client.post(url, {"decision": "all"})
    assert response.url == reverse("referrals:detail", args=[takeover.reference])
    patient = Patient.objects.get(pk=takeover.patient_id)
    assert (patient.given_name, patient.postcode, patient.consent_to_sms) == (
        "Bryn",
        "BB2 2BB",
        False,
    )


def test_ticking_nothing_while_asking_to_copy_ticked_details_is_a_field_error(
    client, takeover, coordinator_x
):
    _login(client, coordinator_x)
    url = reverse("referrals:patient-details", args=[takeover.reference])
    page = client.post(url, {"decision": "selected"}).content.decode()
    assert 'id="id_fields_to_copy-error"' in page
    assert not ReferralPatientDetails.objects.get(referral=takeover).is_resolved


def test_the_team_decides_over_the_api_and_a_second_decision_is_a_409(takeover, coordinator_x):
    api = token_client(coordinator_x)
    url = f"/api/v1/referrals/{takeover.pk}/patient-details/"
    assert api.post(url, {"copy": ["postcode"]}, format="json").status_code == 200
    assert Patient.objects.get(pk=takeover.patient_id).postcode == "BB2 2BB"
    assert api.post(url, {"copy": []}, format="json").status_code == 409


# --- The registered practice is the team's to change


def test_the_registered_practice_changes_only_by_the_team_and_is_audited(
    takeover, coordinator_x, referrer_b, practice_a, practice_b
):
    with pytest.raises(NotInReceivingTeam):
        services.change_registered_practice(referral=takeover, by=referrer_b, practice=practice_b)
    services.change_registered_practice(referral=takeover, by=coordinator_x, practice=practice_b)
    assert Patient.objects.get(pk=takeover.patient_id).registered_practice == practice_b
    event = AuditEvent.objects.get(action="registered_practice_changed")
    assert "Practice A → Practice B" in event.detail
    with pytest.raises(ValidationError):
        services.change_registered_practice(
            referral=takeover, by=coordinator_x, practice=practice_b
        )


def test_the_registered_practice_is_changed_from_the_page_and_the_api(
    client, takeover, coordinator_x, practice_a, practice_b
):
    _login(client, coordinator_x)
    url = reverse("referrals:registered-practice", args=[takeover.reference])
    assert client.get(url).status_code == 200
    client.post(url, {"practice": practice_b.pk})
    assert Patient.objects.get(pk=takeover.patient_id).registered_practice == practice_b
    response = token_client(coordinator_x).post(
        f"/api/v1/referrals/{takeover.pk}/registered-practice/",
        {"practice": str(practice_a.public_id)},
        format="json",
    )
    assert response.status_code == 200
    assert Patient.objects.get(pk=takeover.patient_id).registered_practice == practice_a


def test_an_anonymised_case_loses_the_details_the_referrer_gave(takeover, coordinator_x):
    from coordinators.services.retention import _anonymise_case

    declined = services.decline_referral(referral=takeover, by=coordinator_x, reason="duplicate")
    _anonymise_case(declined, now=timezone.now(), by=None)
    details = ReferralPatientDetails.objects.get(referral=takeover)
    assert (details.nhs_number, details.given_name, details.phone, details.postcode) == (
        "",
        "Anonymised",
        "",
        "",
    )


def test_the_details_check_page_reads_the_same_queries_for_one_or_many_differences(
    client, patient_of_a, referrer_b, practice_b, coordinator_x, django_assert_num_queries
):
    def referral_saying(**said):
        return services.receive_referral(
            referred_by=referrer_b,
            practice=practice_b,
            patient={**A_SAID, **said},
            referral=REFERRAL,
        ).referral

    one = referral_saying(phone="07700 900333")
    many = referral_saying(**{k: v for k, v in B_SAYS.items() if k != "nhs_number"})
    _login(client, coordinator_x)
    client.get(reverse("referrals:patient-details", args=[one.reference]))
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("referrals:patient-details", args=[one.reference]))
    with django_assert_num_queries(len(first)):
        page = client.get(reverse("referrals:patient-details", args=[many.reference]))
    assert page.content.decode().count('name="fields_to_copy"') == len(
        many.patient_details.differences(Patient.objects.get(pk=many.patient_id))
    )
