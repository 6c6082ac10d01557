import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from coordinators import services
from coordinators.models import Goal, GoalProgress, Review, WellbeingMeasure
from referrals.models import Referral, ReferralStatus
from tests.conftest import _member
from tests.coordinators.conftest import SWEMWBS_ANSWERS, held_now, in_days, open_case

pytestmark = pytest.mark.django_db


def _url(name, case, *args):
    return reverse(f"coordinators:{name}", args=[case.reference, *args])


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _busy(case, by, *, goals: int, reviews: int):
    """Add goals with progress, plan actions, recorded reviews and measures to a case."""
    made = [
        services.add_goal(case=case, by=by, statement=f"Goal {n}", need_domain="loneliness")
        for n in range(goals)
    ]
    for goal in made:
        services.add_plan_action(
            case=case, by=by, goal=goal, description="Try the club", owner="patient"
        )
    for _ in range(reviews):
        review = Review.objects.filter(referral=case, status="scheduled").first()
        if review is None:
            review = services.schedule_review(
                case=case, by=by, scheduled_for=in_days(3), mode="phone"
            )
        services.record_review(
            review=review,
            by=by,
            notes="Notes",
            ratings=[services.GoalRating(goal.pk, 5) for goal in made],
            measure={"instrument": "swemwbs", "answers": SWEMWBS_ANSWERS},
            continue_case=True,
        )


# --- The case page


def test_the_case_page_shows_the_patient_consent_access_needs_and_every_section(
    as_user, case, coordinator_x
):
    page = as_user(coordinator_x).get(_url("case", case)).content.decode()
    for testid in (
        "patient-summary",
        "consent",
        "access-needs",
        "conversations",
        "goals",
        "plan",
        "onward-referrals",
        "reviews",
        "measures",
        "timeline",
    ):
        assert f'data-testid="{testid}"' in page
    assert "Uses a wheelchair." in page
    assert "To share details with community services: no" in page


def test_the_case_page_is_audited(as_user, case, coordinator_x):
    as_user(coordinator_x).get(_url("case", case))
    assert AuditEvent.objects.filter(
        actor=coordinator_x, action="view", object_type="case", object_id=str(case.pk)
    ).exists()


def test_the_timeline_merges_referral_events_and_casework_newest_first(
    as_user, case, coordinator_x
):
    services.add_goal(case=case, by=coordinator_x, statement="Walk daily", need_domain="nature")
    page = as_user(coordinator_x).get(_url("case", case)).content.decode()
    timeline = page[page.index('data-testid="timeline"') :]
    assert timeline.index("Goal added: Walk daily") < timeline.index("accepted → in progress")
    assert timeline.index("accepted → in progress") < timeline.index("Referral received")


def test_the_case_page_query_count_does_not_grow_with_goals_reviews_and_events(
    as_user, case, coordinator_x, django_assert_num_queries
):
    client = as_user(coordinator_x)
    url = _url("case", case)
    _busy(case, coordinator_x, goals=1, reviews=1)
    client.get(url)
    small = _queries(client, url)
    _busy(case, coordinator_x, goals=4, reviews=3)
    with django_assert_num_queries(small):
        client.get(url)


def test_a_goal_with_progress_shows_a_chart_drawn_on_the_server(as_user, case, coordinator_x):
    _busy(case, coordinator_x, goals=1, reviews=2)
    goal = Goal.objects.get()
    page = as_user(coordinator_x).get(_url("case", case)).content.decode()
    assert f'data-testid="goal-chart-{goal.pk}"' in page
    assert "<polyline" in page and "Progress ratings out of 10: 5, 5" in page


def test_the_measures_section_shows_the_change_from_baseline(as_user, case, coordinator_x):
    services.record_measure(
        case=case,
        by=coordinator_x,
        instrument="swemwbs",
        occasion="baseline",
        answers={**SWEMWBS_ANSWERS, "useful": 1},
    )
    _busy(case, coordinator_x, goals=0, reviews=1)
    page = as_user(coordinator_x).get(_url("case", case)).content.decode()
    assert "Baseline 16.88" in page and "latest 17.43" in page and "+0.55" in page
    assert "© University of Warwick" in page


@pytest.mark.parametrize(
    "name", ["case", "conversation-new", "goal-new", "plan-action-new", "plan-print", "case-close"]
)
def test_a_coordinator_of_another_team_gets_404(as_user, case, coordinator_y, name):
    assert as_user(coordinator_y).get(_url(name, case)).status_code == 404


def test_a_referrer_cannot_open_the_case_page(as_user, case, referrer_a):
    assert as_user(referrer_a).get(_url("case", case)).status_code == 403


def test_another_cases_goal_is_a_404(as_user, case, other_team_case, coordinator_x, coordinator_y):
    theirs = services.add_goal(
        case=other_team_case, by=coordinator_y, statement="x", need_domain="loneliness"
    )
    assert as_user(coordinator_x).get(_url("goal-edit", case, theirs.pk)).status_code == 404


# --- Casework forms


def test_the_conversation_is_saved_as_a_dated_record(as_user, case, coordinator_x):
    today = timezone.localdate()
    response = as_user(coordinator_x).post(
        _url("conversation-new", case),
        {
            "held_on_day": today.day,
            "held_on_month": today.month,
            "held_on_year": today.year,
            "what_matters": "My garden and my grandchildren.",
            "three_months": "Be out twice a week.",
        },
    )
    assert response.status_code == 302
    assert case.conversations.get().what_matters == "My garden and my grandchildren."


def test_a_goal_from_the_page_is_linked_to_the_latest_conversation(as_user, case, coordinator_x):
    conversation = services.record_conversation(
        case=case, by=coordinator_x, held_on=timezone.localdate(), what_matters="Company"
    )
    client = as_user(coordinator_x)
    assert "Company" in client.get(_url("goal-new", case)).content.decode()
    client.post(
        _url("goal-new", case),
        {"statement": "Meet people", "need_domain": "loneliness", "priority": "high"},
    )
    assert Goal.objects.get().conversation == conversation


def test_bad_measure_answers_get_an_error_next_to_each_question(as_user, case, coordinator_x):
    today = timezone.localdate()
    data = {
        "occasion": "baseline",
        "taken_on_day": today.day,
        "taken_on_month": today.month,
        "taken_on_year": today.year,
        **{key: str(value) for key, value in SWEMWBS_ANSWERS.items()},
        "useful": "9",
    }
    del data["relaxed"]
    page = as_user(coordinator_x).post(_url("measure-new", case, "swemwbs"), data).content.decode()
    assert "There is a problem" in page
    assert 'id="id_relaxed-error"' in page and "Answer this question." in page
    assert 'id="id_useful-error"' in page
    assert "© University of Warwick" in page
    assert not WellbeingMeasure.objects.exists()


def test_a_switched_off_instrument_has_no_page(as_user, case, coordinator_x, settings):
    settings.WELLBEING_INSTRUMENTS = ["ons4"]
    client = as_user(coordinator_x)
    assert client.get(_url("measure-new", case, "swemwbs")).status_code == 404
    assert "Warwick" not in client.get(_url("case", case)).content.decode()


def test_recording_a_review_on_the_page_saves_progress_and_schedules_the_next(
    as_user, case, coordinator_x, settings
):
    settings.REVIEW_INTERVAL_DAYS = 42
    goal = services.add_goal(case=case, by=coordinator_x, statement="x", need_domain="nature")
    review = services.schedule_review(
        case=case, by=coordinator_x, scheduled_for=in_days(2), mode="phone"
    )
    response = as_user(coordinator_x).post(
        _url("review-record", case, review.pk),
        {
            "notes": "Good progress",
            f"goal_{goal.pk}": "6",
            f"goal_{goal.pk}_note": "Walked twice",
            "measure_instrument": "",
            "continue_case": "yes",
            **held_now(),
        },
    )
    assert response.status_code == 302
    assert GoalProgress.objects.get().rating == 6
    assert Review.objects.get(status="scheduled").scheduled_for == in_days(44)


def test_recording_a_review_of_a_closed_case_shows_a_message(as_user, case, coordinator_x):
    review = services.schedule_review(
        case=case, by=coordinator_x, scheduled_for=in_days(2), mode="phone"
    )
    services.close_case(case=case, by=coordinator_x, outcome="patient_withdrew", summary="Done")
    response = as_user(coordinator_x).post(
        _url("review-record", case, review.pk),
        {"notes": "Late", "continue_case": "no"},
        follow=True,
    )
    assert "cannot be recorded" in response.content.decode()


def test_closing_on_the_page_needs_each_goals_outcome_and_a_summary(as_user, case, coordinator_x):
    goal = services.add_goal(case=case, by=coordinator_x, statement="x", need_domain="nature")
    client = as_user(coordinator_x)
    page = client.post(_url("case-close", case), {"outcome": "goals_met", "summary": ""})
    text = page.content.decode()
    assert f'id="id_goal_{goal.pk}-error"' in text and 'id="id_summary-error"' in text
    client.post(
        _url("case-close", case),
        {"outcome": "goals_met", f"goal_{goal.pk}": "achieved", "summary": "All done."},
    )
    case.refresh_from_db()
    assert case.status == ReferralStatus.CLOSED


def test_the_closing_page_previews_the_summary_without_a_goal_status_the_form_will_change(
    as_user, case, coordinator_x
):
    services.record_conversation(
        case=case, by=coordinator_x, held_on=timezone.localdate(), what_matters="Company"
    )
    services.add_goal(
        case=case, by=coordinator_x, statement="Meet people", need_domain="loneliness"
    )
    page = as_user(coordinator_x).get(_url("case-close", case)).content.decode()
    preview = page.split('data-testid="summary-preview"')[1].split("</div>")[0]
    assert "What mattered to the patient" in preview and "Company" in preview
    assert "Meet people: active" not in page


def test_the_referrer_sees_the_outcome_summary_on_the_referral(
    as_user, case, coordinator_x, referrer_a
):
    services.close_case(
        case=case, by=coordinator_x, outcome="patient_withdrew", summary="Joined a choir."
    )
    page = as_user(referrer_a).get(reverse("referrals:detail", args=[case.reference]))
    assert "Joined a choir." in page.content.decode()


def test_the_printable_plan_is_in_plain_language_with_a_print_stylesheet(
    as_user, case, coordinator_x
):
    goal = services.add_goal(
        case=case, by=coordinator_x, statement="Walk more", need_domain="nature"
    )
    services.add_plan_action(
        case=case,
        by=coordinator_x,
        goal=goal,
        description="Walk to the shop",
        owner="patient",
        due_date=timezone.localdate() + datetime.timedelta(days=7),
    )
    page = as_user(coordinator_x).get(_url("plan-print", case)).content.decode()
    assert "Your goal: “Walk more”" in page and "Walk to the shop — <strong>you</strong>" in page
    assert 'css/print.css" media="print"' in page
    assert "style=" not in page


# --- Caseload, team and upcoming reviews


def test_my_caseload_shows_next_review_and_flags_with_a_fixed_query_count(
    as_user, case, coordinator_x, practice_a, referrer_a, team_x, django_assert_num_queries
):
    review = services.schedule_review(
        case=case, by=coordinator_x, scheduled_for=in_days(1), mode="phone"
    )
    Review.objects.filter(pk=review.pk).update(
        scheduled_for=timezone.now() - datetime.timedelta(days=1)
    )
    services.refresh_next_reviews(cases=Referral.objects.filter(pk=case.pk))
    waiting = open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x,
        contacted=False,
    )  # fmt: skip
    client = as_user(coordinator_x)
    url = reverse("coordinators:home")
    page = client.get(url).content.decode()
    assert "Review overdue" in page and "No first contact yet" in page
    assert case.reference in page and waiting.reference in page
    before = _queries(client, url)
    open_case(practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x)
    with django_assert_num_queries(before):
        client.get(url)


def test_the_manager_sees_the_whole_team_and_can_reassign(
    as_user, case, manager, team_x, coordinator_x
):
    colleague = _member("colleague.x@test.example", team_x, "coordinator", first_name="Col")
    client = as_user(manager)
    page = client.get(reverse("coordinators:team-home")).content.decode()
    assert case.reference in page and coordinator_x.display_name in page
    assert _url("case-reassign", case) in page
    client.post(_url("case-reassign", case), {"to": colleague.pk, "note": ""})
    case.refresh_from_db()
    assert case.assigned_to == colleague


def test_a_coordinator_cannot_reassign(as_user, case, coordinator_x):
    assert as_user(coordinator_x).get(_url("case-reassign", case)).status_code == 403


def test_upcoming_reviews_are_grouped_by_day(
    as_user, case, coordinator_x, practice_a, referrer_a, team_x
):
    second = open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )
    services.schedule_review(case=case, by=coordinator_x, scheduled_for=in_days(2), mode="phone")
    services.schedule_review(
        case=second, by=coordinator_x, scheduled_for=in_days(2, 15), mode="video"
    )
    page = as_user(coordinator_x).get(reverse("coordinators:upcoming-reviews")).content.decode()
    assert page.count('data-testid="reviews-day"') == 1
    assert case.patient.full_name in page and second.patient.full_name in page


def test_a_closed_case_offers_no_casework_forms(as_user, case, coordinator_x):
    services.close_case(case=case, by=coordinator_x, outcome="patient_withdrew", summary="Done")
    client = as_user(coordinator_x)
    response = client.get(_url("goal-new", case), follow=True)
    assert response.redirect_chain[-1][0] == _url("case", case)
    assert "is closed: no changes" in response.content.decode()
    assert _url("goal-new", case) not in client.get(_url("case", case)).content.decode()
