import pytest
from django.urls import reverse

from tests.browser.accessibility import NARROW, horizontal_overflow
from tests.coordinators.conftest import open_case
from tests.referrals.factories import TeamCoverageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each word of the header and of the table headings, with the lines it is drawn on: a word drawn
# on two lines was broken in the middle ("Referre r").
WORDS_BROKEN_ACROSS_LINES = """selector => {
  const broken = [];
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                .map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


def test_at_phone_width_the_team_audit_and_caseload_pages_fit_and_no_word_is_split(
    page, live_server, log_in, referrer_a, coordinator_x, manager, practice_a, team_x
):
    # Long names, as real ones are: the header line must wrap between their words.
    practice_a.name = "The Riverside and Canal Street Medical Practice"
    practice_a.save()
    team_x.name = "Northfield and Riverside Social Prescribing Team"
    team_x.save()
    TeamCoverageFactory(practice=practice_a, team=team_x)
    for _ in range(2):
        open_case(practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x)
    page.set_viewport_size({"width": NARROW, "height": 800})
    walks = [
        (coordinator_x, ["coordinators:home", "coordinators:all-cases"]),
        (manager, ["coordinators:team-home", "accounts:team-members", "accounts:audit-list"]),
        (referrer_a, ["referrals:practice-home"]),
    ]
    for user, paths in walks:
        log_in(user)
        for name in paths:
            path = reverse(name)
            page.goto(f"{live_server.url}{path}")
            assert page.locator("table").count() >= 1, path
            assert horizontal_overflow(page) <= 0, f"{path} is wider than a {NARROW} px phone"
            assert not page.evaluate(WORDS_BROKEN_ACROSS_LINES, ".nhsuk-header"), path
            # The responsive pattern: each cell says which column it is in.
            first_cell = page.locator("table tbody td:not([colspan])").first
            assert first_cell.locator(".nhsuk-table-responsive__heading").is_visible(), path
        page.get_by_role("button", name="Sign out").click()
