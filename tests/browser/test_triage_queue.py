"""Issue 19 item 5 in a real browser: the queue's order and overdue mark, and triage from a row
with htmx: the row becomes the form, then what was done, without leaving the queue."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from referrals.models import Referral, ReferralStatus
from tests.referrals.factories import ReferralFactory, TeamCoverageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_accepts_and_declines_from_the_queue_rows(
    page, live_server, log_in, referrer_a, coordinator_x, practice_a, team_x
):
    TeamCoverageFactory(practice=practice_a, team=team_x)
    make = lambda days, **fields: ReferralFactory(  # noqa: E731
        referring_practice=practice_a,
        referred_by=referrer_a,
        team=team_x,
        received_at=timezone.now() - datetime.timedelta(days=days),
        **fields,
    )
    old_routine = make(10)
    risky = make(1, risk_flag=True)
    urgent = make(0, urgency="urgent")
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    log_in(coordinator_x)
    page.goto(f"{live_server.url}/referrals/triage/")
    rows = page.get_by_test_id("queue-row")
    assert [rows.nth(i).get_attribute("data-reference") for i in range(3)] == [
        urgent.reference,
        risky.reference,
        old_routine.reference,
    ]
    old_row = page.locator(f'[data-reference="{old_routine.reference}"]')
    expect(old_row.get_by_test_id("overdue")).to_be_visible()

    queue_url = page.url
    page.locator(f'[data-reference="{urgent.reference}"]').get_by_test_id("row-accept").click()
    form_row = page.get_by_test_id("queue-row-form")
    form_row.get_by_role("button", name="Accept referral").click()
    done = page.get_by_test_id("queue-row-done")
    assert "accept and assign – done" in done.inner_text()
    assert page.url == queue_url
    accepted = Referral.objects.get(pk=urgent.pk)
    assert (accepted.status, accepted.assigned_to) == (ReferralStatus.ACCEPTED, coordinator_x)

    page.locator(f'[data-reference="{old_routine.reference}"]').get_by_test_id(
        "row-decline"
    ).click()
    form_row = page.get_by_test_id("queue-row-form")
    form_row.get_by_role("button", name="Decline referral").click()
    expect(form_row.locator(".nhsuk-error-message").first).to_be_visible()
    form_row.get_by_label("Outside the area the team covers").check()
    form_row.get_by_role("button", name="Decline referral").click()
    expect(
        page.locator(f'[data-testid="queue-row-done"][data-reference="{old_routine.reference}"]')
    ).to_be_visible()
    assert Referral.objects.get(pk=old_routine.pk).status == ReferralStatus.DECLINED
    assert not [e for e in console_errors if "Content Security Policy" in e]
