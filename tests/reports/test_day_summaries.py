"""The day summaries the report pages read give the same figures as counting every referral
live, on the April data set (see conftest.py), whether a period is all summarised, all live,
or split between the two; and what the rebuild leaves out is counted live."""

import datetime
from dataclasses import replace

import pytest

from reports import periods
from reports.filters import ReportFilters
from reports.models import (
    NeedDomainDaySummary,
    ReferralDaySummary,
    ReferralMonthSummary,
    SummaryRun,
)
from reports.periods import local_midnight
from reports.selectors import equity, funnel, referrals
from reports.selectors.cohort import summarised_before
from reports.services import refresh_report_summaries

from .factories import at, case

pytestmark = pytest.mark.postgres

FIGURES = (
    referrals.referrals_by_month,
    referrals.referrals_by_practice,
    referrals.referrals_by_need_domain,
    referrals.referrals_by_urgency_and_source,
    referrals.triage_decisions,
    funnel.funnel,
    equity.equity_by_age,
    equity.equity_by_sex,
    equity.equity_by_ethnic_category,
)
SPRING = periods.custom(datetime.date(2025, 3, 1), datetime.date(2025, 6, 30))


def figures(filters: ReportFilters) -> list:
    return [figure(filters=filters).rows for figure in FIGURES]


def test_summarised_figures_equal_the_live_count_however_the_period_is_split(april, team_x):
    live = ReportFilters(period=SPRING, team_ids=(team_x.pk,))
    expected = figures(live)
    assert expected[0] == [["Mar 2025", 1], ["Apr 2025", 5], ["May 2025", 0], ["Jun 2025", 0]]
    # Summarised through 15 April: R1, R2, R7 from the summaries, R4 (received 15 April), R6
    # and R3 live; then everything summarised.
    for today in (datetime.date(2025, 4, 15), datetime.date(2025, 12, 1)):
        run = refresh_report_summaries(now=local_midnight(today) + datetime.timedelta(hours=9))
        assert run.summarised_before == today
        assert figures(replace(live, summarised_before=summarised_before())) == expected
    assert ReferralDaySummary.objects.count() > 0
    # Whole months come from the month summary: each figure's April is a handful of rows.
    assert ReferralMonthSummary.objects.filter(figure="by_month", month="2025-04-01").exists()
    assert NeedDomainDaySummary.objects.filter(need_domain="housing").get().n == 1  # R3
    assert SummaryRun.objects.count() == 1  # the latest run only


def test_the_summaries_answer_the_filters_they_keep_and_leave_the_others_live(
    april, team_x, practice_a
):
    refresh_report_summaries(now=at(2025, 12, 1, 9))
    for narrowing in (
        {"practice_id": practice_a.pk},
        {"source": "self"},
        {"need_domain": "housing"},
    ):
        live = ReportFilters(period=SPRING, team_ids=(team_x.pk,), **narrowing)
        assert figures(replace(live, summarised_before=summarised_before())) == figures(live)


def test_a_change_after_the_rebuild_reaches_the_summarised_days_at_the_next_rebuild(
    april, team_x, practice_a, referrer_a
):
    refresh_report_summaries(now=at(2025, 12, 1, 9))
    filters = ReportFilters(
        period=SPRING, team_ids=(team_x.pk,), summarised_before=summarised_before()
    )
    case(team=team_x, practice=practice_a, referred_by=referrer_a, received=at(2025, 5, 2, 10))
    assert referrals.referrals_by_month(filters=filters).rows[2] == ["May 2025", 0]
    refresh_report_summaries(now=at(2025, 12, 1, 10))
    filters = replace(filters, summarised_before=summarised_before())
    assert referrals.referrals_by_month(filters=filters).rows[2] == ["May 2025", 1]


def test_a_period_of_part_months_reads_whole_months_and_days_and_gives_the_live_figures(
    april, team_x
):
    refresh_report_summaries(now=at(2025, 12, 1, 9))
    for first, last in (
        (datetime.date(2025, 3, 10), datetime.date(2025, 6, 20)),
        (datetime.date(2025, 4, 2), datetime.date(2025, 4, 29)),
        (datetime.date(2025, 3, 31), datetime.date(2025, 5, 1)),
    ):
        live = ReportFilters(period=periods.custom(first, last), team_ids=(team_x.pk,))
        assert figures(replace(live, summarised_before=summarised_before())) == figures(live)


def test_a_period_before_the_rebuild_is_counted_once_and_again_after_the_next_rebuild(
    april, client, manager, team_x, practice_a, referrer_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client.force_login(manager)
    url = reverse("reports:report", args=["outcomes"]) + "?period=month&month=2025-04&format=csv"

    def april_closed_cases() -> str:
        content = b"".join(client.get(url).streaming_content).decode()
        return next(line for line in content.splitlines() if line.startswith("All closed cases"))

    refresh_report_summaries(now=at(2025, 12, 1, 9))
    counted = april_closed_cases()
    with CaptureQueriesContext(connection) as kept:
        assert april_closed_cases() == counted
    assert not any("referrals_referral" in query["sql"] for query in kept.captured_queries)
    # A case closed in April after the rebuild: the kept figures stand until the next one.
    case(
        team=team_x,
        practice=practice_a,
        referred_by=referrer_a,
        received=at(2025, 4, 3, 10),
        status="closed",
        outcome="goals_met",
        accepted_at=at(2025, 4, 4, 10),
        closed_at=at(2025, 4, 28, 10),
    )
    assert april_closed_cases() == counted
    refresh_report_summaries(now=at(2025, 12, 1, 10))
    assert april_closed_cases() != counted


def test_after_a_rebuild_last_months_pages_are_counted_before_anyone_opens_them(
    april, client, manager
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from reports.services import warm_report_figures

    refresh_report_summaries(now=at(2025, 5, 15, 9))
    assert warm_report_figures(today=datetime.date(2025, 5, 15)) > 0
    client.force_login(manager)
    with CaptureQueriesContext(connection) as opened:
        response = client.get(
            reverse("reports:report", args=["waiting-times"]) + "?period=month&month=2025-04"
        )
    assert response.status_code == 200
    counted = [q["sql"] for q in opened.captured_queries if "percentile_cont" in q["sql"]]
    assert counted == []
