import pytest
from django.utils import timezone
from pypdf import PdfReader

from config.celery import app as celery_app
from coordinators import services as casework
from gp_messages.models import MessageBack
from tests.referrals.factories import ReferralFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_a_coordinator_closes_a_case_and_the_referrer_reads_downloads_and_files_the_message(
    page, live_server, log_in, coordinator_x, team_x, practice_a, referrer_a, password, eager_celery
):
    case = ReferralFactory(
        referring_practice=practice_a,
        referred_by=referrer_a,
        team=team_x,
        status="in_progress",
        assigned_to=coordinator_x,
        accepted_at=timezone.now(),
        first_contact_at=timezone.now(),
    )
    casework.add_goal(case=case, by=coordinator_x, statement="Sing again", need_domain="loneliness")

    log_in(coordinator_x)
    page.goto(f"{live_server.url}/cases/{case.reference}/close/")
    page.get_by_label("Goals met").check()
    page.get_by_label("How did “Sing again” go?").select_option("achieved")
    page.get_by_label("Next steps for the referring practice").fill("Keep singing on Thursdays.")
    page.get_by_role("button", name="Close the case").click()
    page.wait_for_load_state()
    assert MessageBack.objects.filter(referral=case, moment="closure").count() == 1

    referrer = page.context.browser.new_context(accept_downloads=True).new_page()
    referrer.goto(f"{live_server.url}/accounts/login/")
    referrer.get_by_label("Email").fill(referrer_a.email)
    referrer.get_by_label("Password").fill(password)
    referrer.get_by_role("button", name="Sign in").click()
    referrer.wait_for_load_state()
    referrer.goto(f"{live_server.url}/messages/")
    referrer.get_by_role("link", name="Case closed").click()
    assert "Sing again: achieved" in referrer.content()
    with referrer.expect_download() as download:
        referrer.get_by_test_id("pdf").click()
    pdf = download.value
    assert pdf.suggested_filename.startswith(f"{case.reference}-closure-v1-")
    text = " ".join(p.extract_text() for p in PdfReader(pdf.path()).pages)
    assert "Keep singing on Thursdays." in " ".join(text.split())
    referrer.get_by_role("button", name="Mark as filed in the GP record").click()
    assert "Filed in the GP record by" in referrer.get_by_test_id("filed").inner_text()


def test_the_team_corrects_a_message_and_the_referrer_files_the_correction_from_the_referral(
    page, live_server, log_in, coordinator_x, team_x, practice_a, referrer_a, password
):
    from gp_messages.services import produce_message_back

    case = ReferralFactory(
        referring_practice=practice_a,
        referred_by=referrer_a,
        team=team_x,
        status="in_progress",
        assigned_to=coordinator_x,
        accepted_at=timezone.now(),
        first_contact_at=timezone.now(),
    )
    produce_message_back(case_id=case.pk, moment="first_seen")

    log_in(coordinator_x)
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    page.get_by_role("link", name="Correct this message").click()
    page.get_by_label("What matters to the patient").fill("Singing with the Thursday choir.")
    page.get_by_label("What was wrong in the message sent").fill("What matters was left out.")
    page.get_by_role("button", name="Send the corrected version").click()
    page.wait_for_load_state()
    assert "corrected, version 2" in page.get_by_test_id("case-messages-back").inner_text()

    referrer = page.context.browser.new_context().new_page()
    referrer.goto(f"{live_server.url}/accounts/login/")
    referrer.get_by_label("Email").fill(referrer_a.email)
    referrer.get_by_label("Password").fill(password)
    referrer.get_by_role("button", name="Sign in").click()
    referrer.wait_for_load_state()
    referrer.goto(f"{live_server.url}/referrals/{case.reference}/")
    messages = referrer.get_by_test_id("messages-back-about")
    assert "Replaced by a correction" in messages.inner_text()
    messages.get_by_role("link", name="Patient first seen").first.click()
    assert "What was wrong: What matters was left out." in referrer.content()
    assert "Singing with the Thursday choir." in referrer.content()
    referrer.get_by_role("button", name="Mark as filed in the GP record").click()
    assert "Filed in the GP record by" in referrer.get_by_test_id("filed").inner_text()
