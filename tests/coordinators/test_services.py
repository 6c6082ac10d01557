import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEvent, Notification
from coordinators import services
from coordinators.errors import (
    CaseNotOpen,
    IllegalGoalChange,
    IllegalReviewChange,
    NotManagerOfTeam,
)
from coordinators.models import (
    CaseEvent,
    Goal,
    GoalProgress,
    GoalStatus,
    Review,
    ReviewStatus,
    WellbeingMeasure,
)
from referrals.errors import IllegalTransition
from referrals.models import ReferralEvent, ReferralStatus
from tests.conftest import _member
from tests.coordinators.conftest import ONS4_ANSWERS, SWEMWBS_ANSWERS, in_days, open_case

pytestmark = pytest.mark.django_db


def _goal(case, by, statement="I want to get out more.", domain="loneliness"):
    return services.add_goal(case=case, by=by, statement=statement, need_domain=domain)


def _review(case, by, days=7):
    return services.schedule_review(case=case, by=by, scheduled_for=in_days(days), mode="phone")


# --- Goals


def test_a_goal_starts_active_and_ends_achieved_with_an_event_and_an_audit_row(case, coordinator_x):
    goal = _goal(case, coordinator_x)
    assert goal.status == GoalStatus.ACTIVE
    services.set_goal_status(goal=goal, by=coordinator_x, status=GoalStatus.ACHIEVED)
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACHIEVED and goal.status_changed_at
    assert CaseEvent.objects.filter(referral=case, kind="goal_status").exists()
    assert AuditEvent.objects.filter(object_type="goal", object_id=str(goal.pk)).count() == 2


def test_a_finished_goal_cannot_be_edited_until_it_is_reopened(case, coordinator_x):
    goal = _goal(case, coordinator_x)
    services.set_goal_status(goal=goal, by=coordinator_x, status=GoalStatus.NO_LONGER_RELEVANT)
    with pytest.raises(IllegalGoalChange):
        services.update_goal(
            goal=goal,
            by=coordinator_x,
            statement="Changed",
            need_domain="loneliness",
            priority="high",
            target_date=None,
        )
    with pytest.raises(IllegalGoalChange):
        services.set_goal_status(goal=goal, by=coordinator_x, status=GoalStatus.NO_LONGER_RELEVANT)
    services.set_goal_status(goal=goal, by=coordinator_x, status=GoalStatus.ACTIVE)
    services.update_goal(
        goal=goal,
        by=coordinator_x,
        statement="Changed",
        need_domain="loneliness",
        priority="high",
        target_date=None,
    )
    assert Goal.objects.get(pk=goal.pk).statement == "Changed"


def test_a_goal_needs_a_statement_a_known_need_domain_and_no_past_target(case, coordinator_x):
    with pytest.raises(ValidationError) as blank:
        _goal(case, coordinator_x, statement="  ")
    assert "statement" in blank.value.message_dict
    with pytest.raises(ValidationError) as domain:
        _goal(case, coordinator_x, domain="astrology")
    assert "need_domain" in domain.value.message_dict
    with pytest.raises(ValidationError) as past:
        services.add_goal(
            case=case,
            by=coordinator_x,
            statement="Walk more",
            need_domain="physical_activity",
            target_date=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert "target_date" in past.value.message_dict
    assert not Goal.objects.exists()


def test_a_coordinator_of_another_team_cannot_add_a_goal(case, coordinator_y):
    with pytest.raises(CaseNotOpen):
        _goal(case, coordinator_y)


# --- Measures


def test_a_baseline_swemwbs_is_scored_with_the_published_metric(case, coordinator_x):
    measure = services.record_measure(
        case=case,
        by=coordinator_x,
        instrument="swemwbs",
        occasion="baseline",
        answers=SWEMWBS_ANSWERS,
    )
    assert (measure.raw_total, measure.metric_score) == (18, Decimal("17.43"))


def test_an_ons4_measure_keeps_the_bands(case, coordinator_x):
    measure = services.record_measure(
        case=case, by=coordinator_x, instrument="ons4", occasion="baseline", answers=ONS4_ANSWERS
    )
    assert measure.bands == {
        "life_satisfaction": "low",
        "worthwhile": "medium",
        "happiness": "medium",
        "anxiety": "high",
    }


def test_bad_answers_are_refused_per_question_and_nothing_is_saved(case, coordinator_x):
    answers = {**SWEMWBS_ANSWERS, "useful": 6}
    del answers["relaxed"]
    with pytest.raises(ValidationError) as refused:
        services.record_measure(
            case=case, by=coordinator_x, instrument="swemwbs", occasion="baseline", answers=answers
        )
    assert refused.value.message_dict == {
        "useful": ["Answer with a number from 1 to 5."],
        "relaxed": ["Answer this question."],
    }
    assert not WellbeingMeasure.objects.exists()


def test_a_switched_off_instrument_cannot_be_recorded(case, coordinator_x, settings):
    settings.WELLBEING_INSTRUMENTS = ["ons4"]
    with pytest.raises(ValidationError) as refused:
        services.record_measure(
            case=case,
            by=coordinator_x,
            instrument="swemwbs",
            occasion="baseline",
            answers=SWEMWBS_ANSWERS,
        )
    assert "instrument" in refused.value.message_dict


def test_a_case_has_only_one_baseline_per_instrument(case, coordinator_x):
    kwargs = {"case": case, "by": coordinator_x, "instrument": "swemwbs", "occasion": "baseline"}
    services.record_measure(answers=SWEMWBS_ANSWERS, **kwargs)
    with pytest.raises(ValidationError) as again:
        services.record_measure(answers=SWEMWBS_ANSWERS, **kwargs)
    assert "occasion" in again.value.message_dict


# --- Reviews


def test_a_review_is_scheduled_rescheduled_and_cancelled(case, coordinator_x):
    review = _review(case, coordinator_x)
    services.reschedule_review(
        review=review, by=coordinator_x, scheduled_for=in_days(9), mode="video", with_whom="Son"
    )
    review.refresh_from_db()
    assert (review.scheduled_for, review.mode, review.with_whom) == (in_days(9), "video", "Son")
    services.cancel_review(review=review, by=coordinator_x, reason="Patient on holiday")
    review.refresh_from_db()
    assert review.status == ReviewStatus.CANCELLED
    with pytest.raises(IllegalReviewChange):
        services.reschedule_review(
            review=review, by=coordinator_x, scheduled_for=in_days(10), mode="phone"
        )
    kinds = set(CaseEvent.objects.filter(referral=case).values_list("kind", flat=True))
    assert {"review_scheduled", "review_rescheduled", "review_cancelled"} <= kinds


def test_a_review_cannot_be_in_the_past_and_only_one_is_scheduled_at_a_time(case, coordinator_x):
    with pytest.raises(ValidationError):
        _review(case, coordinator_x, days=-1)
    _review(case, coordinator_x)
    with pytest.raises(IllegalReviewChange):
        _review(case, coordinator_x, days=14)


def test_a_review_is_missed_only_once_its_time_has_passed(case, coordinator_x):
    review = _review(case, coordinator_x)
    with pytest.raises(IllegalReviewChange):
        services.mark_review_missed(review=review, by=coordinator_x)
    Review.objects.filter(pk=review.pk).update(scheduled_for=timezone.now())
    services.mark_review_missed(review=review, by=coordinator_x, note="No answer")
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.MISSED


def test_recording_a_review_saves_progress_and_a_measure_and_schedules_the_next_six_weeks_later(
    case, coordinator_x, settings
):
    settings.REVIEW_INTERVAL_DAYS = 42
    goal = _goal(case, coordinator_x)
    review = _review(case, coordinator_x)
    recorded = services.record_review(
        review=review,
        by=coordinator_x,
        notes="Going well.",
        ratings=[services.GoalRating(goal.pk, 7, "Went to the club")],
        measure={"instrument": "ons4", "answers": ONS4_ANSWERS},
        continue_case=True,
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.COMPLETED and review.continue_case is True
    assert list(GoalProgress.objects.values_list("rating", "note")) == [(7, "Went to the club")]
    assert recorded.measure.occasion == "review" and recorded.measure.review == review
    assert recorded.next_review.scheduled_for == in_days(49)
    assert recorded.next_review.status == ReviewStatus.SCHEDULED


def test_the_review_interval_comes_from_settings(case, coordinator_x, settings):
    settings.REVIEW_INTERVAL_DAYS = 14
    review = _review(case, coordinator_x)
    recorded = services.record_review(
        review=review, by=coordinator_x, notes="Fine.", ratings=[], continue_case=True
    )
    assert recorded.next_review.scheduled_for == in_days(21)


def test_a_review_not_continuing_schedules_nothing(case, coordinator_x):
    review = _review(case, coordinator_x)
    recorded = services.record_review(
        review=review, by=coordinator_x, notes="Ready to close.", ratings=[], continue_case=False
    )
    assert recorded.next_review is None
    assert not Review.objects.filter(status=ReviewStatus.SCHEDULED).exists()


def test_a_bad_rating_or_measure_leaves_the_review_unrecorded(case, coordinator_x):
    goal = _goal(case, coordinator_x)
    review = _review(case, coordinator_x)
    with pytest.raises(ValidationError):
        services.record_review(
            review=review,
            by=coordinator_x,
            notes="x",
            ratings=[services.GoalRating(goal.pk, 11)],
            continue_case=True,
        )
    with pytest.raises(ValidationError):
        services.record_review(
            review=review,
            by=coordinator_x,
            notes="x",
            ratings=[services.GoalRating(goal.pk, 5)],
            measure={"instrument": "ons4", "answers": {"anxiety": 3}},
            continue_case=True,
        )
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.SCHEDULED
    assert not GoalProgress.objects.exists()


def test_a_review_cannot_be_recorded_for_a_closed_case(case, coordinator_x):
    review = _review(case, coordinator_x)
    services.close_case(case=case, by=coordinator_x, outcome="patient_withdrew", summary="Done.")
    with pytest.raises(CaseNotOpen):
        services.record_review(
            review=review, by=coordinator_x, notes="Too late", ratings=[], continue_case=False
        )


# --- Closing and reassigning


def test_closing_the_case_uses_the_referral_transition_and_tells_the_referrer(
    case, coordinator_x, referrer_a
):
    goal = _goal(case, coordinator_x)
    _review(case, coordinator_x)
    services.close_case(
        case=case,
        by=coordinator_x,
        outcome="goals_met",
        summary="Goes to a lunch club every week.",
        goal_statuses={goal.pk: "achieved"},
        closing_measures=[{"instrument": "swemwbs", "answers": SWEMWBS_ANSWERS}],
    )
    case.refresh_from_db()
    assert (case.status, case.outcome) == (ReferralStatus.CLOSED, "goals_met")
    assert "Next steps: Goes to a lunch club every week." in case.outcome_summary
    assert ReferralEvent.objects.filter(referral=case, to_status="closed").count() == 1
    assert Notification.objects.filter(recipient=referrer_a, verb="referral_closed").exists()
    assert WellbeingMeasure.objects.get(occasion="closing").metric_score == Decimal("17.43")
    assert Goal.objects.get(pk=goal.pk).status == "achieved"
    assert Review.objects.get().status == ReviewStatus.CANCELLED


def test_a_case_with_an_active_goal_cannot_close_and_nothing_changes(case, coordinator_x):
    _goal(case, coordinator_x)
    with pytest.raises(ValidationError):
        services.close_case(
            case=case, by=coordinator_x, outcome="patient_withdrew", summary="Done."
        )
    case.refresh_from_db()
    assert case.status == ReferralStatus.IN_PROGRESS


def test_a_case_without_first_contact_cannot_close_with_an_outcome(
    practice_a, referrer_a, team_x, coordinator_x
):
    waiting = open_case(
        practice=practice_a,
        referrer=referrer_a,
        team=team_x,
        coordinator=coordinator_x,
        contacted=False,
    )
    with pytest.raises(CaseNotOpen):
        services.close_case(case=waiting, by=coordinator_x, outcome="goals_met", summary="x")


def test_a_closed_case_cannot_close_again(case, coordinator_x):
    services.close_case(case=case, by=coordinator_x, outcome="patient_withdrew", summary="Done.")
    with pytest.raises((CaseNotOpen, IllegalTransition)):
        services.close_case(case=case, by=coordinator_x, outcome="goals_met", summary="Again.")


def test_a_manager_reassigns_a_case_within_the_team_with_an_event_and_audit(
    case, manager, team_x, coordinator_x
):
    colleague = _member("colleague.x@test.example", team_x, "coordinator")
    services.reassign_case(case=case, by=manager, to=colleague, note="Leave cover")
    case.refresh_from_db()
    assert case.assigned_to == colleague
    event = CaseEvent.objects.get(kind="reassigned")
    assert colleague.display_name in event.summary and "Leave cover" in event.summary
    assert AuditEvent.objects.filter(action="reassign", object_id=str(case.pk)).exists()


def test_a_case_cannot_go_to_another_team_or_be_reassigned_by_a_coordinator(
    case, manager, coordinator_x, coordinator_y
):
    with pytest.raises(ValidationError):
        services.reassign_case(case=case, by=manager, to=coordinator_y)
    with pytest.raises(NotManagerOfTeam):
        services.reassign_case(case=case, by=coordinator_x, to=manager)
    case.refresh_from_db()
    assert case.assigned_to == coordinator_x
