"""Every route in sets the referral's source; triage shows and filters it."""

import pytest
from django.urls import reverse

from referrals.models import Referral
from tests.referrals.conftest import referral_payload, token_client
from tests.referrals.factories import ReferralFactory
from tests.referrals.new_referral import post_steps
from tests.referrals.test_pages import _details, _send, _start, as_user  # noqa: F401  (fixture)

pytestmark = pytest.mark.postgres


def test_the_web_form_records_who_at_the_practice_referred(as_user, referrer_a):  # noqa: F811
    client = as_user(referrer_a)
    _start(client)
    _send(client, source="practice_nurse")
    assert Referral.objects.get().source == "practice_nurse"


def test_the_web_form_refuses_a_source_that_is_not_the_practices(as_user, referrer_a):  # noqa: F811
    client = as_user(referrer_a)
    _start(client)
    page = post_steps(client, _details(source="proactive")).content.decode()
    assert 'id="id_source-error"' in page
    assert "Choose an answer to “Who is making this referral?” from the options shown" in page
    assert not Referral.objects.exists()


def test_the_api_takes_a_validated_source_and_returns_it(referrer_a):
    client = token_client(referrer_a)
    created = client.post(
        "/api/v1/referrals/", referral_payload(source="practice_staff"), format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["source"] == "practice_staff"
    refused = client.post("/api/v1/referrals/", referral_payload(source="self"), format="json")
    assert refused.status_code == 400
    assert set(refused.json()) == {"source"}


def test_the_api_source_defaults_to_gp(referrer_a):
    created = token_client(referrer_a).post("/api/v1/referrals/", referral_payload(), format="json")
    assert created.json()["source"] == "gp"


def test_the_triage_queue_shows_the_source_and_filters_by_it(
    as_user,  # noqa: F811
    coordinator_x,
    referrer_a,
    practice_a,
    team_x,
):
    gp = ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    nurse = ReferralFactory(
        referring_practice=practice_a, referred_by=referrer_a, team=team_x, source="practice_nurse"
    )
    client = as_user(coordinator_x)
    page = client.get(reverse("referrals:triage")).content.decode()
    assert gp.reference in page and nurse.reference in page
    assert "Practice nurse" in page
    filtered = client.get(reverse("referrals:triage"), {"source": "practice_nurse"}).content
    assert nurse.reference in filtered.decode()
    assert gp.reference not in filtered.decode()


def test_the_referral_page_shows_the_source(as_user, coordinator_x, referral_a):  # noqa: F811
    referral_a.source = "hospital_discharge"
    referral_a.save(update_fields=["source"])
    page = as_user(coordinator_x).get(reverse("referrals:detail", args=[referral_a.reference]))
    assert "Hospital discharge team" in page.content.decode()
