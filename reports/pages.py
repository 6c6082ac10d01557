"""The report pages: which figures each shows, in order. Every figure is one selector."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.core.cache import cache

from .filters import ReportFilters
from .scope import ReportScope
from .selectors import (
    community_services,
    equity,
    funnel,
    outcomes,
    referrals,
    uptake,
    waiting_times,
    workload,
)
from .selectors.cohort import latest_run
from .suppression import threshold
from .tables import Table, suppress_table

Figure = Callable[..., Table | None]


@dataclass(frozen=True)
class ReportPage:
    slug: str
    title: str
    summary: str
    figures: tuple[Figure, ...]
    # Case by case (references, coordinators' names): managers and superusers only.
    case_figures: tuple[Figure, ...] = ()
    managers_only: bool = False
    uses_period: bool = True


PAGES: dict[str, ReportPage] = {
    page.slug: page
    for page in (
        ReportPage(
            "referrals",
            "Referrals",
            "What arrived, from whom, for what, and what the team decided.",
            (
                referrals.referrals_by_month,
                referrals.referrals_by_practice,
                referrals.referrals_by_need_domain,
                referrals.referrals_by_urgency_and_source,
                referrals.triage_decisions,
            ),
        ),
        ReportPage(
            "waiting-times",
            "Waiting times",
            "How long each step takes, and who is still waiting for a first contact.",
            (waiting_times.waiting_time_summary, waiting_times.still_waiting_for_first_contact),
            case_figures=(waiting_times.longest_waiting_cases,),
        ),
        ReportPage(
            "funnel",
            "Funnel",
            "From referral to outcome, and where people drop off.",
            (funnel.funnel,),
        ),
        ReportPage(
            "community-services",
            "Community services",
            "Onward referrals and the providers' answers; providers not answering; capacity.",
            (
                community_services.onward_referrals_by_service,
                community_services.providers_not_answering,
                community_services.capacity_over_time,
            ),
        ),
        ReportPage(
            "outcomes",
            "Outcomes",
            "Case and goal outcomes, and paired wellbeing change with the missing data beside it.",
            (outcomes.case_outcomes, outcomes.goal_outcomes, outcomes.wellbeing_change),
        ),
        ReportPage(
            "workload",
            "Workload",
            "Each coordinator's open cases, reviews and first contacts now; escalations.",
            (),
            case_figures=(workload.workload_by_coordinator, workload.review_escalations),
            managers_only=True,
            uses_period=False,
        ),
        ReportPage(
            "equity",
            "Equity",
            "Referrals, uptake and outcomes by age, sex, ethnic category and deprivation.",
            (
                equity.equity_by_age,
                equity.equity_by_sex,
                equity.equity_by_ethnic_category,
                equity.equity_by_deprivation,
            ),
        ),
        ReportPage(
            "case-finding",
            "Case-finding uptake",
            "Of the people the practices' lists identified: contacted, accepted, declined.",
            (
                uptake.uptake_by_list_and_practice,
                uptake.uptake_by_age,
                uptake.uptake_by_sex,
                uptake.uptake_by_ethnic_category,
            ),
        ),
    )
}


def pages_for(scope: ReportScope) -> list[ReportPage]:
    return [page for page in PAGES.values() if scope.sees_cases or not page.managers_only]


# The figures of a period that ended before the latest rebuild's `summarised_before`, kept in
# the cache until the next rebuild (the key names it): the freshness of the summaries (the
# referrals as they stood within the hour), for the figures counted live too (waiting times,
# outcomes, onward referrals), whose year of a whole service costs seconds to count.
FIGURES_CACHE_SECONDS = 2 * 3600


def _cache_key(
    page: ReportPage, filters: ReportFilters, limit: int | None, on_page: bool, built_at
) -> str:
    described = repr((page.slug, filters, limit, on_page, built_at.isoformat()))
    return "report-figures:" + hashlib.sha256(described.encode()).hexdigest()


def kept_figures(
    page: ReportPage, filters: ReportFilters, limit: int | None, *, on_page: bool = False
) -> list[Table]:
    """The page's figures for every reader of these filters, suppressed below `limit` (None:
    not suppressed), cut as the page shows them if `on_page` (a CSV has every row); kept when
    the period ended before the latest rebuild's days."""

    def counted(filters: ReportFilters) -> list[Table]:
        tables = [table for figure in page.figures if (table := figure(filters=filters))]
        if limit is not None:
            tables = [suppress_table(table, limit) for table in tables]
        return [table.on_page() for table in tables] if on_page else tables

    run = latest_run() if page.uses_period else None
    if run is None:
        return counted(filters)
    filters = replace(filters, summarised_before=run[0])
    if filters.period.last_day >= run[0]:  # reaches the days counted live: never kept
        return counted(filters)
    key = _cache_key(page, filters, limit, on_page, run[1])
    kept = cache.get(key)
    if kept is None:
        # The page's cut from the whole tables (kept for the CSV too), counted once for both.
        whole = kept_figures(page, filters, limit) if on_page else counted(filters)
        kept = [table.on_page() for table in whole] if on_page else whole
        cache.set(key, kept, FIGURES_CACHE_SECONDS)
    return kept


def page_tables(
    page: ReportPage, *, filters: ReportFilters, scope: ReportScope, on_page: bool = False
) -> list[Table]:
    """The page's tables as this reader may see them: suppressed for commissioners, without
    the case-by-case figures (counted afresh on every view: they name today's cases); cut as
    the page shows them if `on_page`."""
    limit = threshold() if scope.suppress else None
    tables = kept_figures(page, filters, limit, on_page=on_page)
    if scope.sees_cases:
        cases = [table for figure in page.case_figures if (table := figure(filters=filters))]
        tables += cases if limit is None else [suppress_table(t, limit) for t in cases]
    return tables
