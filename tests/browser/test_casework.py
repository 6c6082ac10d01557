import datetime

import pytest
from django.utils import timezone

from coordinators.measures import SWEMWBS
from tests.coordinators.conftest import open_case
from tests.referrals.factories import TeamCoverageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOALS = ["I want to get out of the house twice a week", "I want to walk to the park"]


def _click(page, name):
    page.get_by_role("link", name=name).first.click()


def test_a_coordinator_runs_a_whole_case_and_the_referrer_sees_the_outcome(
    page, live_server, log_in, referrer_a, coordinator_x, practice_a, team_x
):
    TeamCoverageFactory(practice=practice_a, team=team_x)
    case = open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    log_in(coordinator_x)
    page.get_by_test_id("caseload").get_by_role("link", name=case.reference).click()

    _click(page, "Record a what matters conversation")
    page.get_by_label("What matters to you?").fill("Seeing people again.")
    page.get_by_label("What would you like to be different in three months?").fill(
        "Out twice a week."
    )
    page.get_by_role("button", name="Save the conversation").click()

    needs = ["Loneliness and social isolation", "Physical activity"]
    for statement, need in zip(GOALS, needs, strict=True):
        _click(page, "Add a goal")
        page.get_by_label("The goal, in the patient's own words").fill(statement)
        page.get_by_label("Which need is it about?").select_option(label=need)
        page.get_by_role("button", name="Add goal").click()
    assert page.get_by_test_id("goals").inner_text().count("Active") == 2

    _click(page, "Record SWEMWBS answers")
    for item in SWEMWBS.items:
        page.get_by_label(item.text).select_option("3")
    page.get_by_role("button", name="Save the answers").click()
    assert "Baseline 19.25" in page.get_by_test_id("measures").inner_text()

    for goal, what in [(0, "Try the lunch club"), (0, "Phone my sister"), (1, "Walk to the shop")]:
        _click(page, "Add to the plan")
        page.get_by_label("Which goal is it for?").select_option(label=GOALS[goal])
        page.get_by_label("What will happen").fill(what)
        page.get_by_label("The patient", exact=True).check()
        page.get_by_role("button", name="Add action").click()
    assert page.get_by_test_id("plan").get_by_role("row").count() == 4

    _click(page, "Schedule a review")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page.get_by_label("Day").fill(str(tomorrow.day))
    page.get_by_label("Month").fill(str(tomorrow.month))
    page.get_by_label("Year").fill(str(tomorrow.year))
    page.get_by_label("Time").fill("10:30")
    page.get_by_label("Phone").check()
    page.get_by_role("button", name="Schedule review").click()

    _click(page, "Record this review")
    page.get_by_label("Notes from the review").fill("Went to the lunch club.")
    page.get_by_label(f"Progress on “{GOALS[0]}”").select_option("7")
    page.get_by_label(f"Progress on “{GOALS[1]}”").select_option("4")
    page.get_by_label("Yes, schedule the next review").check()
    page.get_by_role("button", name="Save the review").click()
    next_review = page.get_by_test_id("next-review").inner_text()
    six_weeks = tomorrow + datetime.timedelta(days=42)
    assert six_weeks.strftime("%B") in next_review and str(six_weeks.year) in next_review
    assert "Progress ratings out of 10: 7" in page.get_by_test_id("goals").inner_html()

    page.get_by_test_id("close-link").click()
    # One goal achieved and one partly: "goals partly met" is the outcome that agrees with them.
    page.get_by_label("Goals partly met").check()
    page.get_by_label(f"How did “{GOALS[0]}” go?").select_option("achieved")
    page.get_by_label(f"How did “{GOALS[1]}” go?").select_option("partly_achieved")
    summary = page.get_by_label("Next steps for the referring practice")
    summary.fill("She now goes to a lunch club every week and walks to the shop.")
    page.get_by_role("button", name="Close the case").click()
    assert page.get_by_test_id("status").inner_text() == "Closed"
    page.get_by_role("button", name="Sign out").click()

    log_in(referrer_a)
    page.get_by_test_id("our-referrals").get_by_role("link", name=case.reference).click()
    assert "lunch club every week" in page.get_by_role("main").inner_text()
    assert not [e for e in console_errors if "Content Security Policy" in e]
