"""The outcome figures on a hand-built set of cases closed in June 2025, each expected number
worked out by hand (SWEMWBS metric scores from the published conversion table)."""

import datetime

import pytest

from reports import periods
from reports.filters import ReportFilters
from reports.selectors import outcomes

from .factories import at, case, goal, ons4, swemwbs

pytestmark = pytest.mark.postgres

JUNE = periods.month(datetime.date(2025, 6, 1))


@pytest.fixture
def june(team_x, practice_a, referrer_a, coordinator_x):
    """C1–C5 closed in June; C6 still open; C7 closed in July.

    SWEMWBS (raw → metric): C1 18 → 17.43 then closing 26 → 23.21 (+5.78, meaningful);
    C2 22 → 19.98 then a review 24 → 21.54 and no closing (+1.56, not meaningful);
    C3 13 → 14.75, a review 33 → 30.70, then closing 23 → 20.73: the closing one counts (+5.98);
    C4 baseline only; C5 no measure; C6 (open) and C7 (July) baseline and closing, not counted.
    ONS4: C1 life satisfaction 4 → 7 (low → high), anxiety 7 → 5 (high → medium: better);
    C3 life satisfaction 8 → 9 (high → very high), anxiety 2 → 4 (low → medium: worse)."""
    by = coordinator_x

    def closed(day, outcome="goals_met", month=6):
        return case(
            team=team_x,
            practice=practice_a,
            referred_by=referrer_a,
            received=at(2025, 1, 6),
            status="closed",
            accepted_at=at(2025, 1, 7),
            first_contact_at=at(2025, 1, 8),
            closed_at=at(2025, month, day),
            outcome=outcome,
        )

    c1, c2, c3 = closed(2), closed(30, "goals_partly_met"), closed(12)
    c4, c5 = closed(20, "patient_withdrew"), closed(21, "moved_away")
    c6 = case(
        team=team_x,
        practice=practice_a,
        referred_by=referrer_a,
        received=at(2025, 1, 6),
        status="in_progress",
        accepted_at=at(2025, 1, 7),
    )
    c7 = closed(1, month=7)
    base, later = datetime.date(2025, 1, 10), datetime.date(2025, 5, 1)
    swemwbs(c1, by, occasion="baseline", raw=18, on=base)
    swemwbs(c1, by, occasion="closing", raw=26, on=later)
    swemwbs(c2, by, occasion="baseline", raw=22, on=base)
    swemwbs(c2, by, occasion="review", raw=24, on=later)
    swemwbs(c3, by, occasion="baseline", raw=13, on=base)
    swemwbs(c3, by, occasion="review", raw=33, on=later - datetime.timedelta(days=30))
    swemwbs(c3, by, occasion="closing", raw=23, on=later)
    swemwbs(c4, by, occasion="baseline", raw=20, on=base)
    for other in (c6, c7):
        swemwbs(other, by, occasion="baseline", raw=10, on=base)
        swemwbs(other, by, occasion="closing", raw=30, on=later)
    ons4(c1, by, occasion="baseline", on=base, life_satisfaction=4, anxiety=7)
    ons4(c1, by, occasion="closing", on=later, life_satisfaction=7, anxiety=5)
    ons4(c3, by, occasion="baseline", on=base, life_satisfaction=8, anxiety=2)
    ons4(c3, by, occasion="closing", on=later, life_satisfaction=9, anxiety=4)
    for status in ("achieved", "achieved", "partly_achieved"):
        goal(c1, by, status=status)
    goal(c2, by, status="not_achieved")
    goal(c6, by, status="active")  # open case: not counted
    return c1, c2, c3, c4, c5, c6, c7


def june_filters(team) -> ReportFilters:
    return ReportFilters(period=JUNE, team_ids=(team.pk,))


def by_label(table) -> dict:
    return {row[0]: row[1:] for row in table.rows}


def test_case_outcomes_count_the_cases_closed_in_june_by_outcome(june, team_x):
    counts = by_label(outcomes.case_outcomes(filters=june_filters(team_x)))
    assert counts["Goals met"] == [2]  # C1, C3 (C7 closed in July)
    assert counts["Goals partly met"] == [1]
    assert counts["Patient withdrew"] == [1]
    assert counts["Moved away"] == [1]
    assert counts["Died"] == [0]
    assert counts["All closed cases"] == [5]


def test_goal_outcomes_count_the_goals_of_cases_closed_in_june(june, team_x):
    counts = by_label(outcomes.goal_outcomes(filters=june_filters(team_x)))
    assert counts["Achieved"] == [2, 50.0]
    assert counts["Partly achieved"] == [1, 25.0]
    assert counts["Not achieved"] == [1, 25.0]
    assert counts["Active"] == [0, 0.0]  # C6's goal: its case is still open
    assert counts["All goals of closed cases"] == [4, 100.0]


def test_swemwbs_paired_change_stands_beside_the_people_without_follow_up(june, team_x):
    cases = outcomes.closed_in_period(june_filters(team_x))
    change = outcomes.paired_change(cases, "swemwbs", None)
    # Changes 5.78, 1.56, 5.98: mean 13.32 / 3 = 4.44. Deviations 1.34, −2.88, 1.54; squares
    # 1.7956 + 8.2944 + 2.3716 = 12.4616; variance / 2 = 6.2308; sd 2.4962; se 2.4962 / √3 =
    # 1.4412; t(0.975, 2 df) = 4.3027; margin 6.2009 → 95% CI −1.76 to 10.64.
    assert change == {
        "baseline": 4,  # C1–C4
        "follow_up": 3,  # C1–C3
        "both": 3,
        "without_follow_up": 1,  # C4
        "mean": 4.44,
        "low": -1.76,
        "high": 10.64,
        "meaningful": 2,  # C1 +5.78, C3 +5.98 (≥ 3 points); C2 +1.56 is not
        "meaningful_share": 66.7,
    }


def test_ons4_meaningful_change_is_a_move_into_a_better_ons_band(june, team_x):
    cases = outcomes.closed_in_period(june_filters(team_x))
    satisfaction = outcomes.paired_change(cases, "ons4", "life_satisfaction")
    # C1 4 → 7 (+3, low → high), C3 8 → 9 (+1, high → very high): mean 2.0; deviations ±1,
    # variance 2 / 1 = 2, se √2 / √2 = 1, t(0.975, 1 df) = 12.7062 → 2 ± 12.71.
    assert satisfaction["both"] == 2
    assert satisfaction["mean"] == 2.0
    assert (satisfaction["low"], satisfaction["high"]) == (-10.71, 14.71)
    assert satisfaction["meaningful"] == 2
    anxiety = outcomes.paired_change(cases, "ons4", "anxiety")
    # C1 7 → 5 (high → medium: better), C3 2 → 4 (low → medium: worse). Mean change 0.0.
    assert (anxiety["both"], anxiety["mean"], anxiety["meaningful"]) == (2, 0.0, 1)


def test_one_pair_has_a_mean_but_no_confidence_interval(team_x, practice_a, referrer_a, manager):
    single = case(
        team=team_x,
        practice=practice_a,
        referred_by=referrer_a,
        received=at(2025, 1, 6),
        status="closed",
        accepted_at=at(2025, 1, 7),
        closed_at=at(2025, 6, 5),
        outcome="goals_met",
    )
    swemwbs(single, manager, occasion="baseline", raw=20, on=datetime.date(2025, 1, 8))
    swemwbs(single, manager, occasion="closing", raw=21, on=datetime.date(2025, 6, 1))
    change = outcomes.paired_change(
        outcomes.closed_in_period(june_filters(team_x)), "swemwbs", None
    )
    assert (change["both"], change["mean"], change["low"], change["high"]) == (1, 0.66, None, None)


def test_the_wellbeing_table_gives_every_measure_its_counts(june, team_x):
    table = by_label(outcomes.wellbeing_change(filters=june_filters(team_x)))
    assert table["SWEMWBS metric score"] == [4, 3, 3, 1, 4.44, -1.76, 10.64, 2, 66.7]
    assert table["ONS4 worthwhile"][:4] == [2, 2, 2, 0]
    assert table["ONS4 worthwhile"][4] == 0.0
