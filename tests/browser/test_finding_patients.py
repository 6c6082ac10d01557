"""In a real browser: the case-finding upload with its htmx progress bar, and the
public self-referral form at a phone's width (375 px)."""

import pytest

from casefinding import services
from casefinding.models import CaseFindingUpload
from referrals.models import Referral
from tests.referrals.factories import TeamCoverageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EXAMPLE = "docs/case-finding-example.csv"


def test_a_practice_lead_uploads_a_list_checks_the_preview_and_watches_the_import(
    page, live_server, log_in, referrer_a, practice_a, team_x, monkeypatch
):
    TeamCoverageFactory(practice=practice_a, team=team_x)
    queued = []
    # The job is held back so the page is seen waiting; the test then runs it as a worker would.
    monkeypatch.setattr(
        services.uploads, "send_task_after_commit", lambda name, **kwargs: queued.append(kwargs)
    )
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    log_in(referrer_a)
    page.goto(f"{live_server.url}/case-finding/upload/")
    page.get_by_label("Case-finding list (CSV)").set_input_files(EXAMPLE)
    page.get_by_role("button", name="Check the file").click()
    assert page.get_by_test_id("count-ready").inner_text() == "4"
    assert page.get_by_test_id("count-bad").inner_text() == "0"
    assert not CaseFindingUpload.objects.exists()  # nothing saved before confirming
    page.get_by_role("button", name="Import 4 rows").click()
    progress = page.get_by_test_id("import-progress")
    assert progress.get_attribute("data-status") == "queued"
    assert page.locator("progress").get_attribute("value") == "0"
    services.import_upload(upload_id=queued[0]["upload_id"])
    # htmx polls the fragment every second: the bar fills and the summary appears, no reload.
    page.wait_for_selector('[data-testid="import-progress"][data-status="done"]')
    assert page.locator("progress").get_attribute("value") == "100"
    assert page.get_by_test_id("created-entries").inner_text() == "4"
    assert not [e for e in console_errors if "Content Security Policy" in e]


def test_the_public_refer_themselves_at_375_px_and_get_a_reference(
    browser, live_server, practice_a, team_x, settings
):
    settings.SELF_REFERRAL_MIN_FILL_SECONDS = 0
    TeamCoverageFactory(practice=practice_a, team=team_x)
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/self-referral/")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at 375 px ({width} px wide)"
    # Sent empty: the error summary, each error next to its field.
    page.get_by_role("button", name="Send").click()
    assert page.get_by_role("alert").inner_text() == "There is a problem"
    page.get_by_label("I am asking for help for myself").check()
    page.get_by_label("First name").fill("Dilys")
    page.get_by_label("Last name").fill("Pryce")
    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("9")
    page.get_by_label("Year").fill("1944")
    page.get_by_label("GP practice").select_option(label="Practice A")
    page.get_by_label("Phone number", exact=True).fill("07700 900777")
    page.get_by_label("Postcode").fill("CF10 1AA")
    page.get_by_label("Loneliness and social isolation").check()
    page.get_by_label("In your own words, what would help?").fill("I hardly see anyone.")
    page.get_by_label("The person agrees to be referred", exact=False).check()
    # The honeypot is out of sight and out of the tab order.
    assert page.locator("#id_website").get_attribute("tabindex") == "-1"
    page.get_by_role("button", name="Send").click()
    reference = page.get_by_test_id("reference").inner_text()
    referral = Referral.objects.get()
    assert reference == referral.reference
    assert (referral.source, referral.identity_checked) == ("self", False)
    assert "What happens next" in page.content()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    context.close()
