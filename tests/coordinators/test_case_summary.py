"""Issue 19 item 6: the case page opens with a summary, its contents and the step that fits."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from coordinators import services
from tests.coordinators.conftest import in_days, open_case

pytestmark = pytest.mark.django_db


def _page(client, case):
    return client.get(reverse("coordinators:case", args=[case.reference])).content.decode()


def _primary(page):
    start = page.index('data-testid="primary-action"')
    return page[start : page.index("</a>", start)].split(">")[-1]


def test_a_case_without_first_contact_offers_first_contact_and_no_close(
    as_user, coordinator_x, practice_a, referrer_a, team_x
):
    new = open_case(
        practice=practice_a,
        referrer=referrer_a,
        team=team_x,
        coordinator=coordinator_x,
        contacted=False,
    )
    page = _page(as_user(coordinator_x), new)
    assert _primary(page) == "Record first contact"
    assert "Close the case" not in page


def test_a_newly_contacted_case_offers_the_conversation_first_and_close_only_as_a_link(
    as_user, coordinator_x, case
):
    page = _page(as_user(coordinator_x), case)
    assert _primary(page) == "Record a what matters conversation"
    assert 'data-testid="close-link"' in page


def test_the_steps_follow_the_casework_in_order(as_user, coordinator_x, case):
    client = as_user(coordinator_x)
    services.record_conversation(
        case=case, by=coordinator_x, held_on=timezone.localdate(), what_matters="Friends."
    )
    assert _primary(_page(client, case)) == "Add a goal"
    goal = services.add_goal(
        case=case, by=coordinator_x, statement="Walk daily", need_domain="physical_activity"
    )
    assert _primary(_page(client, case)) == "Add to the plan"
    services.add_plan_action(
        case=case, by=coordinator_x, goal=goal, description="Walk to the shop", owner="patient"
    )
    assert _primary(_page(client, case)) == "Schedule a review"
    services.schedule_review(case=case, by=coordinator_x, scheduled_for=in_days(3), mode="phone")
    page = _page(client, case)
    assert _primary(page) == "Record the review"
    assert "The next review is on" in page
    services.set_goal_status(goal=goal, by=coordinator_x, status="achieved")
    assert _primary(_page(client, case)) == "Close the case"


def test_the_summary_shows_status_next_review_and_open_actions(as_user, coordinator_x, case):
    goal = services.add_goal(
        case=case, by=coordinator_x, statement="Walk daily", need_domain="physical_activity"
    )
    for what in ("Walk to the shop", "Join the walking group"):
        services.add_plan_action(
            case=case, by=coordinator_x, goal=goal, description=what, owner="patient"
        )
    when = in_days(5)
    services.schedule_review(case=case, by=coordinator_x, scheduled_for=when, mode="phone")
    page = _page(as_user(coordinator_x), case)
    summary = page[page.index('data-testid="case-summary"') : page.index("case-contents")]
    assert "In progress" in summary
    assert timezone.localtime(when).strftime("%B %Y") in summary
    assert 'data-testid="summary-open-actions">2<' in summary


def test_the_contents_list_links_to_each_section_on_the_page(as_user, coordinator_x, case):
    page = _page(as_user(coordinator_x), case)
    contents = page[page.index('data-testid="case-contents"') :].split("</nav>")[0]
    anchors = [part.split('"')[0] for part in contents.split('href="#')[1:]]
    assert len(anchors) == 8
    for anchor in anchors:
        assert f'id="{anchor}"' in page


def test_the_patient_section_shows_the_address_and_contact_preferences(
    as_user, coordinator_x, case
):
    patient = case.patient
    patient.address, patient.postcode = "1 Test Street\nTestville", "ZZ1 1ZZ"
    patient.consent_to_sms, patient.preferred_contact_method = True, "phone"
    patient.save()
    page = _page(as_user(coordinator_x), case)
    address = page[page.index('data-testid="address"') :].split("</dd>")[0]
    assert "1 Test Street<br>Testville" in address and "ZZ1 1ZZ" in address
    preferences = page[page.index('data-testid="contact-preferences"') :].split("</dd>")[0]
    assert "Prefers: Phone call" in preferences and "Text messages: yes" in preferences


def test_a_review_past_its_time_is_the_step_due(as_user, coordinator_x, case):
    goal = services.add_goal(
        case=case, by=coordinator_x, statement="Walk daily", need_domain="physical_activity"
    )
    services.record_conversation(
        case=case, by=coordinator_x, held_on=timezone.localdate(), what_matters="Friends."
    )
    services.add_plan_action(
        case=case, by=coordinator_x, goal=goal, description="Walk", owner="patient"
    )
    review = services.schedule_review(
        case=case, by=coordinator_x, scheduled_for=in_days(1), mode="phone"
    )
    type(review).objects.filter(pk=review.pk).update(
        scheduled_for=timezone.now() - datetime.timedelta(hours=2)
    )
    assert "The review is due." in _page(as_user(coordinator_x), case)
