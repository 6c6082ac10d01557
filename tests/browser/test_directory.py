import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from community_services.models import ServiceStatus
from tests.community_services.factories import ApprovedServiceFactory, SubmittedServiceFactory
from tests.conftest import _member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def second_vetter(directory_team):
    return _member("vetter.two@test.example", directory_team, "vetter", first_name="Val")


def test_a_vetter_approves_a_submitted_service_and_a_coordinator_then_finds_it_by_searching(
    page, live_server, log_in, vetter, coordinator_x, second_vetter
):
    service = SubmittedServiceFactory(
        name="Riverside Walking Group",
        description="Gentle walks by the river every week.",
        submitted_by=second_vetter,
        last_edited_by=second_vetter,
    )
    ApprovedServiceFactory(name="Hillside Choir", description="Sing together.")
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    log_in(vetter)
    page.get_by_test_id("queue-submitted").get_by_role("link", name=service.name).click()
    page.get_by_role("link", name="Review").click()
    page.get_by_label("Approve", exact=True).check()
    for label in (
        "Safeguarding policy for adults at risk seen",
        "Public liability insurance seen",
        "DBS checks for staff and volunteers confirmed",
        "Data protection policy and ICO registration confirmed",
        "Complaints procedure seen",
        "Accessibility arrangements checked",
    ):
        page.get_by_label(label).check()
    expiry = timezone.localdate() + datetime.timedelta(days=400)
    page.get_by_label("Insurance expiry date").fill(expiry.isoformat())
    page.get_by_role("button", name="Record decision").click()
    assert "Riverside Walking Group approved." in page.get_by_role("alert").inner_text()
    service.refresh_from_db()
    assert service.status == ServiceStatus.APPROVED

    page.get_by_role("button", name="Sign out").click()
    log_in(coordinator_x)
    # Eight menu entries: at 1,280 px the header folds the last ones under "More".
    more = page.get_by_role("button", name="More")
    if more.is_visible():
        more.click()
    page.locator("header a:visible", has_text="Directory").first.click()
    page.get_by_label("Search by name, description or provider").press_sequentially("riverside")
    expect(page.get_by_test_id("result-count")).to_have_text("1 service")
    result = page.get_by_test_id("search-result")
    expect(result).to_have_count(1)
    page.wait_for_url("**/directory/?q=riverside*")  # hx-push-url keeps the search shareable
    result.get_by_role("link", name="Riverside Walking Group").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Riverside Walking Group"
    assert not [e for e in console_errors if "Content Security Policy" in e]
