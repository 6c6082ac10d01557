"""Reports in the browser: a manager filters a report, reads its chart and table, opens a
definition and downloads the CSV; a commissioner sees only suppressed aggregates."""

from pathlib import Path

import pytest

from tests.reports.conftest import april  # noqa: F401 - the April data set fixture

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def _choose_april(page):
    page.get_by_label("Period").select_option("month")
    page.get_by_role("textbox", name="Month", exact=True).fill("2025-04")
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_load_state()


def test_a_manager_reads_the_funnel_for_april_and_downloads_it(
    page,
    live_server,
    log_in,
    manager,
    april,  # noqa: F811
):
    errors = _watch_console(page)
    log_in(manager)
    # The manager's menu is long enough that the header folds "Reports" under "More".
    page.goto(f"{live_server.url}/reports/")
    page.get_by_role("link", name="Funnel").first.click()
    _choose_april(page)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Funnel")
    table = page.get_by_test_id("table-funnel")
    assert table.get_by_role("row").nth(1).inner_text().split("\t")[:2] == ["Received", "5"]
    chart = page.get_by_test_id("chart-funnel")
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    page.get_by_text("How this is counted").first.click()
    assert page.get_by_text("having reached every step before it").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this table (CSV)").first.click()
    path = download.value.path()
    assert Path(path).read_text().splitlines()[1] == "Received,5,0,100.0"
    assert not [e for e in errors if "Content Security Policy" in e]


def test_a_commissioner_sees_suppressed_figures_and_no_patient(
    page,
    live_server,
    log_in,
    commissioner,
    april,  # noqa: F811
):
    errors = _watch_console(page)
    log_in(commissioner)
    assert page.url == f"{live_server.url}/reports/"
    assert page.get_by_role("link", name="Workload").count() == 0
    page.get_by_role("link", name="Referrals").first.click()
    _choose_april(page)
    practices = page.get_by_test_id("table-by_practice")
    assert practices.get_by_role("row").nth(1).inner_text().split("\t") == [
        "Practice A",
        "Y00001",
        "<5",
    ]
    text = page.content()
    assert april.r1.patient.family_name not in text
    assert april.r4.reference not in text
    assert page.get_by_test_id("chart-by_month").evaluate("img => img.naturalWidth > 0")
    assert not [e for e in errors if "Content Security Policy" in e]
