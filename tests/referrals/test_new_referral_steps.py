"""The new referral in short steps, with "Check your answers" before sending (issue 19,
item 2)."""

import pytest
from django.urls import reverse

from referrals.models import Patient, Referral
from referrals.referral_forms import STEP_BY_SLUG
from tests.referrals.new_referral import post_steps, send, step_data

pytestmark = pytest.mark.django_db

DETAILS = {
    "given_name": "Ianto",
    "family_name": "Testperson",
    "date_of_birth_day": "17",
    "date_of_birth_month": "5",
    "date_of_birth_year": "1961",
    "ethnic_category": "B",
    "preferred_contact_method": "phone",
    "reasons": ["loneliness"],
    "help_wanted": "Would like to meet people.",
    "urgency": "routine",
    "consent_to_referral": "on",
}


@pytest.fixture
def started(client, password, referrer_a, team_x):
    client.login(email=referrer_a.email, password=password)
    client.post(reverse("referrals:new"), {"nhs_number": "943 476 5919"})
    return client


def _step(slug):
    return reverse("referrals:new-step", args=[slug])


def test_each_step_leads_to_the_next_and_the_last_to_check_your_answers(started):
    slugs = ["patient", "contact", "risk", "consent"]
    for here, following in zip(slugs, [*slugs[1:], None], strict=True):
        response = started.post(_step(here), step_data(STEP_BY_SLUG[here], DETAILS))
        assert response.url == (_step(following) if following else reverse("referrals:new-check"))
    page = started.get(reverse("referrals:new-check")).content.decode()
    assert "Check your answers before sending the referral" in page
    assert "Ianto" in page and "17 May 1961" in page and "White: Irish" in page
    assert f'href="{_step("contact")}?change=1#id_help_wanted"' in page
    assert not Referral.objects.exists()  # nothing is sent before the check page


def test_a_change_link_returns_to_check_your_answers_with_the_new_answer(started):
    post_steps(started, DETAILS)
    changed = step_data(STEP_BY_SLUG["patient"], DETAILS) | {"given_name": "Iolo"}
    response = started.post(f"{_step('patient')}?change=1", changed)
    assert response.url == reverse("referrals:new-check")
    assert "Iolo" in started.get(reverse("referrals:new-check")).content.decode()


def test_the_risk_notes_are_asked_only_with_a_ticked_risk_and_dropped_when_unticked(started):
    post_steps(started, DETAILS)
    page = started.post(_step("risk"), {"risk_flag": "on"}).content.decode()
    assert "Describe the risk or safeguarding concern." in page
    assert 'aria-controls="conditional-risk-notes"' in page
    started.post(_step("risk"), {"risk_notes": "Typed, then the box unticked."})
    send(started, {**DETAILS, "risk_notes": "Typed, then the box unticked."})
    referral = Referral.objects.get()
    assert (referral.risk_flag, referral.risk_notes) == (False, "")


def test_the_ethnic_category_is_recorded_on_a_new_patient(started):
    send(started, DETAILS)
    assert Patient.objects.get().ethnic_category == "B"


def test_back_after_sending_lands_on_our_referrals_not_a_form_to_post_again(started):
    response = send(started, DETAILS)
    referral = Referral.objects.get()
    assert response.url == reverse("referrals:confirmation", args=[referral.reference])
    back = started.get(reverse("referrals:new-check"), follow=True)
    assert back.redirect_chain[-1][0] == reverse("referrals:practice-home")
    assert f"Referral {referral.reference} has been sent" in back.content.decode()


def test_an_unknown_step_is_not_found(started):
    assert started.get(_step("nonsense")).status_code == 404


def test_the_check_page_sends_the_first_unanswered_step_back(started):
    started.post(_step("patient"), step_data(STEP_BY_SLUG["patient"], DETAILS))
    assert started.get(reverse("referrals:new-check")).url == _step("contact")
