import re

import pytest
from django.core import mail
from django.utils import timezone

from config.celery import app as celery_app
from coordinators import services as casework
from tests.community_services.factories import ApprovedServiceFactory, ProviderFactory
from tests.referrals.factories import ReferralFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_a_coordinator_refers_on_from_a_goal_and_the_provider_answers_by_link_on_the_case(
    page,
    live_server,
    log_in,
    coordinator_x,
    team_x,
    practice_a,
    referrer_a,
    provider_org,
    eager_celery,
):
    service = ApprovedServiceFactory(
        name="Tuesday Lunch Club",
        domains=["loneliness"],
        provider=ProviderFactory(name="Provider Org", organisation=provider_org),
        email="referrals@lunch.example",
    )
    case = ReferralFactory(
        referring_practice=practice_a,
        referred_by=referrer_a,
        team=team_x,
        status="in_progress",
        assigned_to=coordinator_x,
        accepted_at=timezone.now(),
        patient__consent_to_share=True,
    )
    casework.add_goal(
        case=case, by=coordinator_x, statement="Keep fit", need_domain="physical_activity"
    )
    goal = casework.add_goal(
        case=case, by=coordinator_x, statement="Eat with others", need_domain="loneliness"
    )
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    mail.outbox.clear()

    log_in(coordinator_x)
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    page.get_by_role("link", name="Refer to a community service for goal 2").click()
    assert page.get_by_label("Need").input_value() == "loneliness"
    result = page.get_by_test_id("search-result").filter(has_text="Tuesday Lunch Club")
    assert "Accepting referrals" in result.inner_text()
    result.get_by_role("button", name="Choose").click()
    assert page.get_by_label("“Eat with others” (Loneliness and social isolation)").is_checked()
    assert not page.get_by_label("“Keep fit” (Physical activity)").is_checked()
    page.get_by_label("What does the provider need to know?").fill("Would like lunch company.")
    page.get_by_role("button", name="Send the referral").click()
    assert page.url.endswith(f"/cases/{case.reference}/")
    row = page.get_by_test_id("service-referral-row").filter(has_text=service.name)
    assert "Sent" in row.inner_text() and "for an answer" in row.inner_text()
    assert "In progress (referral sent)" in page.get_by_test_id("plan").inner_text()
    assert goal.statement in page.get_by_test_id("plan").inner_text()

    [email] = [m for m in mail.outbox if m.to == ["referrals@lunch.example"]]
    path = re.search(r"https?://[^/\s]+(/respond/\S+/)", email.body).group(1)
    provider_context = page.context.browser.new_context()
    provider_page = provider_context.new_page()
    provider_page.goto(f"{live_server.url}{path}")
    assert (
        case.patient.family_name in provider_page.get_by_test_id("minimum-necessary").inner_text()
    )
    provider_page.get_by_role("button", name="Accept the referral").click()
    assert provider_page.get_by_test_id("service-referral-status").inner_text() == "Accepted"
    provider_page.goto(f"{live_server.url}{path}")
    provider_page.get_by_role("button", name="The patient attended").click()
    assert provider_page.get_by_test_id("service-referral-status").inner_text() == "Attended"
    provider_context.close()

    page.reload()
    row = page.get_by_test_id("service-referral-row").filter(has_text=service.name)
    assert "Attended" in row.inner_text()
    assert "Done (referral attended)" in page.get_by_test_id("plan").inner_text()
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "Onward referral to Tuesday Lunch Club sent → accepted" in timeline
    assert "Onward referral to Tuesday Lunch Club accepted → attended" in timeline
    row.get_by_role("link", name=service.name).click()
    history = page.get_by_test_id("service-referral-history").inner_text()
    assert "Sent → Accepted" in history and "Accepted → Attended" in history
    assert not [e for e in console_errors if "Content Security Policy" in e]
