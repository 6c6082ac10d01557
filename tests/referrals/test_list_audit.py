"""A list page is audited with each referral it showed and that referral's patient, so a
patient's trail shows who saw them in a list too."""

from django.urls import reverse

from accounts.models import AuditEvent
from tests.referrals.conftest import token_client
from tests.referrals.factories import ReferralFactory


def _listed(actor) -> set[tuple[str, str, str, str]]:
    return set(
        AuditEvent.objects.filter(actor=actor, action="view_list").values_list(
            "object_type", "object_id", "patient_id", "detail"
        )
    )


def test_our_referrals_page_records_each_referral_and_patient_shown(
    client, password, referrer_a, practice_a, team_x, referral_a
):
    other = ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    client.login(email=referrer_a.email, password=password)
    client.get(reverse("referrals:practice-home"))
    assert _listed(referrer_a) == {
        ("referral", str(other.pk), str(other.patient_id), "our referrals: 1 of 2 shown"),
        ("referral", str(referral_a.pk), str(referral_a.patient_id), "our referrals: 2 of 2 shown"),
    }


def test_the_triage_queue_records_the_referrals_waiting(
    client, password, coordinator_x, referral_a
):
    client.login(email=coordinator_x.email, password=password)
    client.get(reverse("referrals:triage"))
    assert _listed(coordinator_x) == {
        ("referral", str(referral_a.pk), str(referral_a.patient_id), "triage queue: 1 of 1 shown")
    }


def test_an_empty_list_still_leaves_one_event(client, password, referrer_b):
    client.login(email=referrer_b.email, password=password)
    client.get(reverse("referrals:practice-home"))
    assert _listed(referrer_b) == {("referral", "", "", "our referrals: 0 shown")}


def test_the_api_list_records_each_referral_and_patient_it_returned(referrer_a, referral_a):
    response = token_client(referrer_a).get("/api/v1/referrals/")
    assert [row["reference"] for row in response.json()["results"]] == [referral_a.reference]
    assert _listed(referrer_a) == {
        ("referral", str(referral_a.pk), str(referral_a.patient_id), "api list: 1 of 1 shown")
    }
