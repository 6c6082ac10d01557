"""The audit trail at 1,280 px: the table fits the page; long details wrap in their column."""

import pytest

from accounts.services import record_audit_event

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_audit_table_fits_a_1280_pixel_screen_with_long_details(
    page, live_server, log_in, manager, coordinator_x
):
    long_detail = "refer-on search: " + " ".join(f"word{i}" for i in range(70)) + "x" * 120
    record_audit_event(
        actor=coordinator_x, action="view_list", object_type="service", detail=long_detail
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(manager)

    page.goto(f"{live_server.url}/audit/")

    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth,"
        " document.querySelector('.app-audit-table').getBoundingClientRect().right]"
    )
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
    assert widths[2] <= widths[1]
    assert page.get_by_label("NHS number or referral reference").is_visible()
    assert page.get_by_label("Record type").locator("option").count() >= 2
