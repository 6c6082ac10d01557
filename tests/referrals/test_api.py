import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEvent
from referrals import services
from referrals.models import IdempotencyKey, Patient, Referral
from tests.referrals.conftest import patient_payload, referral_payload, token_client
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/"


def test_a_referrer_posts_a_referral_with_the_patient_inline(referrer_a, team_x):
    response = token_client(referrer_a).post(URL, referral_payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    referral = Referral.objects.get(pk=body["id"])
    assert (body["status"], body["team"], body["reference"]) == (
        "received",
        "Team X",
        referral.reference,
    )
    assert referral.referred_by == referrer_a


def test_the_patient_is_matched_by_nhs_number_across_api_posts(referrer_a):
    client = token_client(referrer_a)
    patient = patient_payload(nhs_number="943 476 5919")
    first = client.post(URL, referral_payload(patient), format="json").json()
    second = client.post(URL, referral_payload(patient), format="json").json()
    assert first["patient"]["id"] == second["patient"]["id"]
    assert Patient.objects.count() == 1


def test_an_invalid_nhs_number_is_a_400_that_says_so(referrer_a):
    payload = referral_payload(patient_payload(nhs_number="9434765918"))
    response = token_client(referrer_a).post(URL, payload, format="json")
    assert response.status_code == 400
    assert "NHS number" in response.json()["patient"]["nhs_number"][0]
    assert not Referral.objects.exists()


def test_field_errors_are_per_field(referrer_a):
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    payload = referral_payload(
        patient_payload(date_of_birth=future, consent_to_referral=False),
        reasons=[],
        risk_flag=True,
    )
    errors = token_client(referrer_a).post(URL, payload, format="json").json()
    assert set(errors) == {"patient", "reasons"}
    assert set(errors["patient"]) == {"date_of_birth", "consent_to_referral"}


def test_only_referrers_can_post_referrals(coordinator_x):
    assert (
        token_client(coordinator_x).post(URL, referral_payload(), format="json").status_code == 403
    )


# --- Idempotency-Key


def test_the_same_key_and_body_replays_the_original_201_without_creating_anything(referrer_a):
    client = token_client(referrer_a)
    payload = referral_payload()
    first = client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    again = client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Referral.objects.count() == 1


def test_the_same_key_with_a_different_body_is_a_422(referrer_a):
    client = token_client(referrer_a)
    client.post(URL, referral_payload(), format="json", HTTP_IDEMPOTENCY_KEY="abc-2")
    response = client.post(
        URL, referral_payload(urgency="urgent"), format="json", HTTP_IDEMPOTENCY_KEY="abc-2"
    )
    assert response.status_code == 422
    assert Referral.objects.count() == 1


def test_a_retry_while_the_first_request_is_in_flight_is_a_409(referrer_a):
    payload = referral_payload()
    from referrals.idempotency import claim_key, fingerprint

    claim_key(
        user=referrer_a,
        key="abc-3",
        request_fingerprint=fingerprint(method="POST", path=URL, payload=payload),
    )
    response = token_client(referrer_a).post(
        URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="abc-3"
    )
    assert response.status_code == 409
    assert not Referral.objects.exists()


def test_keys_are_scoped_to_the_user(referrer_a, referrer_b):
    payload = referral_payload()
    a = token_client(referrer_a).post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="same")
    b = token_client(referrer_b).post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]


def test_keys_are_kept_for_at_least_24_hours(referrer_a):
    token_client(referrer_a).post(
        URL, referral_payload(), format="json", HTTP_IDEMPOTENCY_KEY="kept"
    )
    key = IdempotencyKey.objects.get()
    assert key.expires_at - key.created_at >= datetime.timedelta(hours=24)


def test_an_expired_key_can_be_used_afresh(referrer_a):
    client = token_client(referrer_a)
    client.post(URL, referral_payload(), format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyKey.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post(
        URL, referral_payload(urgency="urgent"), format="json", HTTP_IDEMPOTENCY_KEY="old"
    )
    assert response.status_code == 201
    assert Referral.objects.count() == 2


def test_a_failed_request_releases_its_key_for_a_corrected_retry(referrer_a):
    client = token_client(referrer_a)
    bad = referral_payload(patient_payload(nhs_number="123"))
    assert client.post(URL, bad, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    assert (
        client.post(URL, referral_payload(), format="json", HTTP_IDEMPOTENCY_KEY="k").status_code
        == 201
    )


def test_without_the_header_the_request_is_still_accepted(referrer_a):
    assert token_client(referrer_a).post(URL, referral_payload(), format="json").status_code == 201
    assert not IdempotencyKey.objects.exists()


# --- Reading, scoped like the pages


def test_a_referrer_lists_only_their_practice_referrals(referral_a, referral_b, referrer_a):
    body = token_client(referrer_a).get(URL).json()
    assert [r["id"] for r in body["results"]] == [referral_a.pk]


def test_another_practice_referral_is_a_404_in_the_api(referral_b, referrer_a):
    assert token_client(referrer_a).get(f"{URL}{referral_b.pk}/").status_code == 404


def test_another_team_cannot_see_or_accept_the_referral(referral_a, coordinator_y):
    client = token_client(coordinator_y)
    assert client.get(f"{URL}{referral_a.pk}/").status_code == 404
    assert client.post(f"{URL}{referral_a.pk}/accept/", {}, format="json").status_code == 404
    assert client.get(URL).json()["results"] == []


def test_the_list_uses_cursor_pagination(referrer_a, practice_a, team_x):
    for _ in range(30):
        ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    client = token_client(referrer_a)
    first = client.get(URL).json()
    assert len(first["results"]) == 25 and "cursor=" in first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None
    seen = {r["id"] for r in first["results"]} | {r["id"] for r in second["results"]}
    assert len(seen) == 30


def test_the_api_list_uses_the_same_number_of_queries_for_1_or_11_rows(
    referrer_a, practice_a, team_x, django_assert_num_queries
):
    client = token_client(referrer_a)
    ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for _ in range(10):
        ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    with django_assert_num_queries(len(one)):
        client.get(URL)


def test_api_views_are_audited(referral_a, referrer_a):
    client = token_client(referrer_a)
    client.get(URL)
    client.get(f"{URL}{referral_a.pk}/")
    assert AuditEvent.objects.filter(actor=referrer_a, action="view_list").exists()
    assert AuditEvent.objects.filter(
        actor=referrer_a, action="view", object_id=str(referral_a.pk)
    ).exists()


# --- Transitions


def test_the_team_walks_a_referral_through_its_states(referral_a, coordinator_x, manager):
    client = token_client(manager)
    url = f"{URL}{referral_a.pk}/"
    accepted = client.post(f"{url}accept/", {"assign_to": coordinator_x.pk}, format="json")
    assert accepted.status_code == 200
    assert accepted.json()["assigned_coordinator"] == coordinator_x.display_name
    today = timezone.localdate().isoformat()
    contact = client.post(
        f"{url}first-contact/", {"contacted_on": today, "method": "phone"}, format="json"
    )
    assert contact.json()["status"] == "in_progress"
    closed = client.post(
        f"/api/v1/cases/{referral_a.pk}/close/",
        {"outcome": "patient_withdrew", "summary": "Done"},
        format="json",
    )
    # A case with no goals cannot be "goals met" (the outcome rule); withdrawal agrees with any.
    assert (closed.json()["status"], closed.json()["outcome"]) == ("closed", "patient_withdrew")
    # Closing is the case's (with its summary and measure): the referral has no close action.
    assert client.post(f"{url}close/", {"outcome": "goals_met"}, format="json").status_code == 404


def test_decline_and_unable_to_contact_and_patient_declined_work_over_the_api(
    referrer_a, practice_a, team_x, coordinator_x
):
    client = token_client(coordinator_x)
    one, two, three = (
        ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
        for _ in range(3)
    )
    assert (
        client.post(f"{URL}{one.pk}/decline/", {"reason": "not_eligible"}, format="json").json()[
            "status"
        ]
        == "declined"
    )
    services.accept_referral(referral=two, by=coordinator_x)
    assert (
        client.post(f"{URL}{two.pk}/unable-to-contact/", {"attempts": 3}, format="json").json()[
            "outcome"
        ]
        == "unable_to_contact"
    )
    declined = token_client(referrer_a).post(
        f"{URL}{three.pk}/patient-declined/", {}, format="json"
    )
    assert declined.json()["status"] == "patient_declined"


def test_an_illegal_transition_is_a_409_with_a_message(referral_a, coordinator_x):
    client = token_client(coordinator_x)
    client.post(f"{URL}{referral_a.pk}/accept/", {}, format="json")
    response = client.post(f"{URL}{referral_a.pk}/decline/", {"reason": "other"}, format="json")
    assert response.status_code == 409
    assert "cannot be declined" in response.json()["detail"]
    again = client.post(f"{URL}{referral_a.pk}/accept/", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_taken")


def test_a_referrer_cannot_triage(referral_a, referrer_a):
    response = token_client(referrer_a).post(f"{URL}{referral_a.pk}/accept/", {}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize(
    "number", ["٩٤٣٤٧٦٥٩١٩", "９４３４７６５９１９", "0000000000", "1111111111"]
)
def test_an_nhs_number_of_non_ascii_digits_or_never_issued_is_a_400(referrer_a, number):
    response = token_client(referrer_a).post(
        "/api/v1/referrals/",
        referral_payload(patient=patient_payload(nhs_number=number)),
        format="json",
    )
    assert response.status_code == 400
    assert "nhs_number" in response.json()["patient"]
    assert not Referral.objects.exists()
