"""The closing summary is drafted from the case as the closing form leaves it, and the outcome
must agree with how the goals ended (one rule, tried over every outcome and goal combination)."""

import datetime
from itertools import combinations_with_replacement

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coordinators import services
from coordinators.models import GoalStatus
from coordinators.outcome_rule import outcome_disagreement
from referrals import services as referral_services
from referrals.models import ClosureOutcome, ReferralStatus
from tests.community_services.factories import ApprovedServiceFactory
from tests.coordinators.conftest import SWEMWBS_ANSWERS

A, P, N, X = (
    GoalStatus.ACHIEVED,
    GoalStatus.PARTLY_ACHIEVED,
    GoalStatus.NOT_ACHIEVED,
    GoalStatus.NO_LONGER_RELEVANT,
)
FINAL = (A, P, N, X)
# Every combination of up to three goals' final statuses (order does not matter), and none.
COMBINATIONS = [combo for size in range(4) for combo in combinations_with_replacement(FINAL, size)]

# The combinations that agree with each outcome about goals, written out by hand.
GOALS_MET_AGREES = {(A,), (A, A), (A, X), (A, A, A), (A, A, X), (A, X, X)}
GOALS_PARTLY_MET_AGREES = {
    (P,), (A, P), (A, N), (P, P), (P, N), (P, X),
    (A, A, P), (A, A, N), (A, P, P), (A, P, N), (A, P, X), (A, N, N), (A, N, X),
    (P, P, P), (P, P, N), (P, P, X), (P, N, N), (P, N, X), (P, X, X),
}  # fmt: skip


@pytest.mark.parametrize("outcome", ClosureOutcome.values)
@pytest.mark.parametrize("combo", COMBINATIONS, ids=lambda c: "+".join(c) or "no-goals")
def test_the_outcome_agrees_with_the_goals_only_as_the_rule_says(outcome, combo):
    if outcome == ClosureOutcome.GOALS_MET:
        expected = combo in GOALS_MET_AGREES
    elif outcome == ClosureOutcome.GOALS_PARTLY_MET:
        expected = combo in GOALS_PARTLY_MET_AGREES
    else:
        expected = True  # withdrew, moved, died…: why it ended, not how the goals went
    assert (outcome_disagreement(outcome=outcome, goal_statuses=combo) == "") is expected


def test_the_combinations_cover_every_status_and_the_order_of_goals_does_not_matter():
    assert len(COMBINATIONS) == 1 + 4 + 10 + 20
    for outcome in ClosureOutcome.values:
        assert outcome_disagreement(outcome=outcome, goal_statuses=[P, A]) == outcome_disagreement(
            outcome=outcome, goal_statuses=[A, P]
        )


pytestmark = pytest.mark.django_db


def _goal(case, by, statement):
    return services.add_goal(case=case, by=by, statement=statement, need_domain="loneliness")


def _sections(text: str) -> dict[str, str]:
    return {part.split("\n", 1)[0]: part.split("\n", 1)[1] for part in text.split("\n\n")}


def test_a_goal_set_to_achieved_on_the_closing_form_reads_achieved_in_the_summary(
    case, coordinator_x, team_x
):
    team_x.phone, team_x.email = "0113 496 0000", "team-x@example.org"
    team_x.save()
    services.record_conversation(
        case=case, by=coordinator_x, held_on=timezone.localdate(), what_matters="Seeing people."
    )
    goal = _goal(case, coordinator_x, "Go to a lunch club")
    services.record_measure(
        case=case,
        by=coordinator_x,
        instrument="swemwbs",
        occasion="baseline",
        answers={key: 1 for key in SWEMWBS_ANSWERS},
        taken_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    services.close_case(
        case=case,
        by=coordinator_x,
        outcome=ClosureOutcome.GOALS_MET,
        summary="Keep going to the club.",
        goal_statuses={goal.pk: GoalStatus.ACHIEVED},
        closing_measures=[{"instrument": "swemwbs", "answers": SWEMWBS_ANSWERS}],
    )
    case.refresh_from_db()
    sections = _sections(case.outcome_summary)
    assert list(sections) == [
        "What mattered to the patient",
        "Goals and how each ended",
        "Support offered",
        "Wellbeing change",
        "Outcome and next steps",
        "Coordinator and team contact",
    ]
    assert sections["Goals and how each ended"] == "- Go to a lunch club: achieved"
    assert "active" not in case.outcome_summary
    baseline_day = (timezone.localdate() - datetime.timedelta(days=30)).strftime("%d %B %Y")
    today = timezone.localdate().strftime("%d %B %Y")
    assert sections["Wellbeing change"].endswith(
        f": 7.00 on {baseline_day} → 17.43 on {today} (change +10.43)"
    )
    assert sections["Outcome and next steps"] == (
        "- Outcome: goals met\n- Next steps: Keep going to the club."
    )
    assert "team-x@example.org" in sections["Coordinator and team contact"]
    assert coordinator_x.display_name in sections["Coordinator and team contact"]
    assert sections["What mattered to the patient"] == "- Seeing people."


def test_goals_met_with_a_goal_only_partly_achieved_is_refused_and_nothing_changes(
    case, coordinator_x
):
    first, second = _goal(case, coordinator_x, "One"), _goal(case, coordinator_x, "Two")
    with pytest.raises(ValidationError) as refusal:
        services.close_case(
            case=case,
            by=coordinator_x,
            outcome=ClosureOutcome.GOALS_MET,
            summary="Done.",
            goal_statuses={first.pk: A, second.pk: P},
        )
    assert "outcome_reason" in refusal.value.message_dict
    case.refresh_from_db()
    first.refresh_from_db()
    assert case.status == ReferralStatus.IN_PROGRESS and first.status == GoalStatus.ACTIVE


def test_a_disagreeing_outcome_closes_when_the_coordinator_says_why_and_the_why_is_in_the_summary(
    case, coordinator_x
):
    first, second = _goal(case, coordinator_x, "One"), _goal(case, coordinator_x, "Two")
    services.close_case(
        case=case,
        by=coordinator_x,
        outcome=ClosureOutcome.GOALS_MET,
        summary="Done.",
        goal_statuses={first.pk: A, second.pk: P},
        outcome_reason="The second goal no longer matters much to her.",
    )
    case.refresh_from_db()
    assert case.outcome == ClosureOutcome.GOALS_MET
    assert "Why: The second goal no longer matters much to her." in case.outcome_summary


def test_the_summary_lists_each_onward_referral_with_its_status_and_attendance(case, coordinator_x):
    case.patient.consent_to_share = True
    case.patient.save()
    goal = _goal(case, coordinator_x, "See people")
    went = ApprovedServiceFactory(name="Lunch Club", domains=["loneliness"])
    missed = ApprovedServiceFactory(name="Walking Group", domains=["loneliness"])
    for service in (went, missed):
        action = services.refer_case_on(
            case=case, by=coordinator_x, service=service, goals=[goal], provider_needs_to_know="x"
        )
        referral_services.accept_service_referral(
            service_referral=action.service_referral, by=coordinator_x
        )
        if service is went:
            referral_services.record_service_attended(
                service_referral=action.service_referral, by=coordinator_x
            )
    services.close_case(
        case=case,
        by=coordinator_x,
        outcome=ClosureOutcome.GOALS_PARTLY_MET,
        summary="Try the walking group again.",
        goal_statuses={goal.pk: P},
    )
    case.refresh_from_db()
    support = _sections(case.outcome_summary)["Support offered"].splitlines()
    today = timezone.localdate().strftime("%d %B %Y")
    assert support == [
        f"- Lunch Club (referred {today}): attended; attended: yes",
        f"- Walking Group (referred {today}): accepted; attended: no",
    ]
