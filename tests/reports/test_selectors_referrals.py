"""The referrals, waiting-times and funnel figures on the April data set (see conftest.py),
each expected number worked out by hand from it."""

import datetime

import pytest

from reports import periods
from reports.filters import ReportFilters
from reports.selectors import funnel, referrals, waiting_times

from .factories import at, case

pytestmark = pytest.mark.postgres

APRIL = periods.month(datetime.date(2025, 4, 1))


def team_x_filters(team_x, period=APRIL, **narrowing) -> ReportFilters:
    return ReportFilters(period=period, team_ids=(team_x.pk,), **narrowing)


def rows(table) -> dict:
    return {row[0]: row[1:] for row in table.rows}


def test_referrals_received_in_april_count_by_uk_date_not_utc(april, team_x):
    # R1 (31 Mar 23:30 UTC) is April's; R2 (31 Mar 23:30 BST) is March's; R5 is team Y's.
    quarter = periods.quarter(2025, 2)
    table = referrals.referrals_by_month(filters=team_x_filters(team_x, quarter))
    assert table.rows == [["Apr 2025", 5], ["May 2025", 0], ["Jun 2025", 0]]
    march = periods.month(datetime.date(2025, 3, 1))
    assert referrals.referrals_by_month(filters=team_x_filters(team_x, march)).rows == [
        ["Mar 2025", 1]
    ]


def test_referrals_by_practice_count_each_practice_once_per_referral(april, team_x):
    table = referrals.referrals_by_practice(filters=team_x_filters(team_x))
    assert table.rows == [["Practice A", "Y00001", 3], ["Practice B", "Y00002", 2]]


def test_a_referral_counts_under_each_need_domain_it_gives(april, team_x):
    counts = rows(referrals.referrals_by_need_domain(filters=team_x_filters(team_x)))
    # Every factory referral gives loneliness unless told otherwise: R1, R4, R6, R7.
    assert counts["Loneliness and social isolation"] == [4]
    assert counts["Money and debt"] == [1]
    assert counts["Housing"] == [1]
    assert counts["Bereavement"] == [0]


def test_referrals_by_source_split_routine_and_urgent(april, team_x):
    counts = rows(referrals.referrals_by_urgency_and_source(filters=team_x_filters(team_x)))
    assert counts["GP"] == [4, 0, 4]
    assert counts["Self-referral"] == [0, 1, 1]
    assert counts["Hospital discharge team"] == [0, 0, 0]


def test_triage_decisions_say_what_became_of_each_april_referral(april, team_x):
    counts = rows(referrals.triage_decisions(filters=team_x_filters(team_x)))
    assert counts["Received"] == [5]
    assert counts["Accepted"] == [4]  # R1, R4, R6, R7
    assert counts["Declined by the team"] == [1]
    assert counts["Declined: Not eligible for social prescribing"] == [1]
    assert counts["Declined: Duplicate of an open referral"] == [0]
    assert counts["Patient declined"] == [1]
    assert counts["Closed as unable to contact"] == [1]
    assert counts["Still awaiting triage"] == [0]


def test_filters_narrow_to_a_practice_a_need_domain_and_a_source(april, team_x, practice_b):
    by_practice = referrals.triage_decisions(
        filters=team_x_filters(team_x, practice_id=practice_b.pk)
    )
    assert rows(by_practice)["Received"] == [2]
    by_domain = referrals.triage_decisions(filters=team_x_filters(team_x, need_domain="housing"))
    assert rows(by_domain)["Received"] == [1]
    by_source = referrals.triage_decisions(filters=team_x_filters(team_x, source="self"))
    assert rows(by_source)["Received"] == [1]


def test_a_service_filter_keeps_the_cases_referred_on_to_it(april, team_x):
    service = april.r1.service_referrals.get().service_id
    filtered = referrals.triage_decisions(filters=team_x_filters(team_x, service_id=service))
    assert rows(filtered)["Received"] == [1]


def test_waiting_times_give_median_and_90th_percentile_in_days(april, team_x):
    counts = rows(waiting_times.waiting_time_summary(filters=team_x_filters(team_x)))
    # Triaged: R1 1, R3 1, R4 1, R6 2, R7 1 → median 1.0; p90 at 0.9 × 4 = 3.6 → 1 + 0.6 × 1.
    assert counts["Received to triaged"] == [5, 1.0, 1.6]
    # First contact: R7 2 days, R1 3 days → median 2.5; p90 2 + 0.9 × 1 = 2.9.
    assert counts["Received to first contact"] == [2, 2.5, 2.9]
    # R1 only: first contact 4 Apr, onward referral 8 Apr.
    assert counts["First contact to first onward referral"] == [1, 4.0, 4.0]
    # R1's onward referral, accepted 2 days after it was sent.
    assert counts["Onward referral to provider's answer"] == [1, 2.0, 2.0]


def test_waiting_times_are_elapsed_time_across_the_clock_change(team_x, practice_a, referrer_a):
    # Sat 25 Oct 12:00 BST to Sun 26 Oct 12:00 GMT: one calendar day, 25 hours (1.04 days).
    case(
        team=team_x,
        practice=practice_a,
        referred_by=referrer_a,
        received=at(2025, 10, 25, 12),
        status="in_progress",
        accepted_at=at(2025, 10, 25, 13),
        first_contact_at=at(2025, 10, 26, 12),
    )
    october = periods.month(datetime.date(2025, 10, 1))
    counts = rows(waiting_times.waiting_time_summary(filters=team_x_filters(team_x, october)))
    assert counts["Received to first contact"] == [1, 1.0, 1.0]
    one_hour = round(1 / 24, 1)
    assert counts["Received to triaged"] == [1, one_hour, one_hour]


def test_november_starts_at_midnight_gmt_after_the_clocks_go_back(team_x, practice_a, referrer_a):
    for received in (
        at(2025, 10, 31, 23, 30),
        at(2025, 11, 1, 0, 30),
        at(2025, 10, 26, 1, 30, fold=1),
    ):
        case(team=team_x, practice=practice_a, referred_by=referrer_a, received=received)
    autumn = periods.custom(datetime.date(2025, 10, 1), datetime.date(2025, 11, 30))
    table = referrals.referrals_by_month(filters=team_x_filters(team_x, autumn))
    assert table.rows == [["Oct 2025", 2], ["Nov 2025", 1]]


def test_still_waiting_counts_open_referrals_with_no_first_contact_by_how_long(april, team_x):
    counts = rows(waiting_times.still_waiting_for_first_contact(filters=team_x_filters(team_x)))
    # R4 only (R1, R7 were contacted; R3 declined; R6 the patient declined): waiting since
    # 15 April 2025, more than 8 weeks by now.
    assert counts["8 weeks or more"] == [1]
    assert sum(count for (count,) in counts.values()) == 1


def test_the_longest_waits_name_the_case_for_a_manager(april, team_x):
    table = waiting_times.longest_waiting_cases(filters=team_x_filters(team_x))
    assert [row[0] for row in table.rows] == [april.r4.reference]


def test_the_funnel_counts_each_step_reached_after_every_step_before_it(april, team_x):
    table = funnel.funnel(filters=team_x_filters(team_x))
    assert table.rows == [
        ["Received", 5, 0, 100.0],
        ["Accepted", 4, 1, 80.0],  # R3 declined
        ["First contact", 2, 2, 40.0],  # R4 never contacted, R6 declined
        ["Goals recorded", 2, 0, 40.0],
        ["Referred on", 1, 1, 20.0],  # R7 was not referred on
        ["Attended", 1, 0, 20.0],
        ["Closed with an outcome", 1, 0, 20.0],  # R1; R7 closed but never attended
    ]


def test_a_team_outside_the_filters_counts_nowhere(april, team_y):
    filters = ReportFilters(period=APRIL, team_ids=(team_y.pk,))
    assert referrals.referrals_by_month(filters=filters).rows == [["Apr 2025", 1]]
    assert rows(referrals.triage_decisions(filters=filters))["Received"] == [1]
