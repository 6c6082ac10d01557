import pytest

from tests.referrals.factories import TeamCoverageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_a_referrer_submits_a_coordinator_accepts_and_the_referrer_sees_it_accepted(
    page, live_server, log_in, referrer_a, coordinator_x, practice_a, team_x
):
    TeamCoverageFactory(practice=practice_a, team=team_x)
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    log_in(referrer_a)
    page.get_by_role("link", name="New referral").first.click()
    page.get_by_label("NHS number").fill("943 476 5919")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("First name").fill("Ianto")
    page.get_by_label("Last name").fill("Testperson")
    page.get_by_label("Day").fill("17")
    page.get_by_label("Month").fill("5")
    page.get_by_label("Year").fill("1961")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Loneliness and social isolation").check()
    page.get_by_label("What would the patient like help with?").fill("Meeting people nearby.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()  # no risk
    page.get_by_label("The patient consents to be referred to social prescribing").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Send referral").click()
    reference = page.get_by_test_id("reference").inner_text()
    assert reference.startswith("SP-")
    _log_out(page)

    log_in(coordinator_x)
    page.get_by_role("link", name="Triage queue").first.click()
    page.get_by_role("link", name=reference, exact=True).click()
    page.get_by_role("button", name="Accept and assign").click()
    page.get_by_role("button", name="Accept referral").click()
    assert page.get_by_test_id("status").inner_text() == "Accepted"
    _log_out(page)

    log_in(referrer_a)
    row = page.get_by_test_id("our-referrals").get_by_role("row").filter(has_text=reference)
    assert "Accepted" in row.inner_text()
    assert coordinator_x.display_name in row.inner_text()
    assert "1 update since your last visit" in page.get_by_test_id("notifications").inner_text()
    page.get_by_test_id("notifications").get_by_role("link").click()
    assert "was accepted by Team X" in page.content()
    assert not [e for e in console_errors if "Content Security Policy" in e]


def test_the_referral_steps_reveal_risk_notes_check_the_answers_and_back_after_sending(
    page, live_server, log_in, referrer_a, practice_a, team_x
):
    TeamCoverageFactory(practice=practice_a, team=team_x)
    log_in(referrer_a)
    page.goto(f"{live_server.url}/referrals/new/")
    page.get_by_label("NHS number").fill("943 476 5919")
    page.get_by_role("button", name="Continue").click()
    # An empty step names each missing field, and the summary links to it.
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".nhsuk-error-summary")
    assert "Enter the patient's first name" in summary.inner_text()
    assert (
        summary.get_by_role("link", name="Enter the patient's first name").get_attribute("href")
        == "#id_given_name"
    )
    date = page.locator("fieldset", has=page.locator("#id_date_of_birth"))
    assert date.locator("legend").inner_text().startswith("Date of birth")
    page.get_by_label("First name").fill("Ianto")
    page.get_by_label("Last name").fill("Testperson")
    page.get_by_label("Day").fill("17")
    page.get_by_label("Month").fill("5")
    page.get_by_label("Year").fill("1961")
    page.get_by_label("Ethnic group (optional)").select_option(label="White: Irish")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Loneliness and social isolation").check()
    page.get_by_label("What would the patient like help with?").fill("Meeting people nearby.")
    page.get_by_role("button", name="Continue").click()
    notes = page.get_by_label("Risk and safeguarding notes")
    assert not notes.is_visible()
    page.get_by_label("There is a risk or safeguarding concern").check()
    assert notes.is_visible()
    notes.fill("Lives alone; recent fall.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("The patient consents to be referred to social prescribing").check()
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Check your answers")
    page.get_by_test_id("answers-patient").get_by_role("link", name="Change first name").click()
    page.get_by_label("First name").fill("Iolo")
    page.get_by_role("button", name="Save and return to check your answers").click()
    assert "Iolo" in page.get_by_test_id("answers-patient").inner_text()
    assert "Lives alone; recent fall." in page.get_by_test_id("answers-risk").inner_text()
    page.get_by_role("button", name="Send referral").click()
    reference = page.get_by_test_id("reference").inner_text()
    page.go_back()
    assert page.url.split("#")[0].endswith("/practice/")
    assert f"Referral {reference} has been sent" in page.content()
