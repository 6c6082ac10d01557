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
    page.get_by_label("Loneliness and social isolation").check()
    page.get_by_label("What would the patient like help with?").fill("Meeting people nearby.")
    page.get_by_label("The patient consents to be referred to social prescribing").check()
    page.get_by_role("button", name="Send referral").click()
    reference = page.get_by_test_id("reference").inner_text()
    assert reference.startswith("SP-")
    _log_out(page)

    log_in(coordinator_x)
    page.get_by_role("link", name="Triage queue").first.click()
    page.get_by_role("link", name=reference).click()
    page.get_by_role("button", name="Accept and assign").click()
    page.get_by_role("button", name="Accept referral").click()
    assert page.get_by_test_id("status").inner_text() == "Accepted"
    _log_out(page)

    log_in(referrer_a)
    row = page.get_by_test_id("our-referrals").get_by_role("row").filter(has_text=reference)
    assert "Accepted" in row.inner_text()
    assert coordinator_x.display_name in row.inner_text()
    assert "was accepted by Team X" in page.get_by_test_id("notifications").inner_text()
    assert not [e for e in console_errors if "Content Security Policy" in e]
