"""The reports' part of the benchmark: what the whole service's commissioner reads,
the target, and a direct SQL recount of the figures the reports show."""

# A financial year of the whole service, as its commissioner reads it.
REPORT_YEAR = "?period=year&year=2025"
REPORT_TARGETS = {
    "report: referrals": f"/reports/referrals/{REPORT_YEAR}",
    "report: waiting times": f"/reports/waiting-times/{REPORT_YEAR}",
    "report: funnel": f"/reports/funnel/{REPORT_YEAR}",
    "report: community services": f"/reports/community-services/{REPORT_YEAR}",
    "report: outcomes": f"/reports/outcomes/{REPORT_YEAR}",
    "report: equity": f"/reports/equity/{REPORT_YEAR}",
    "report: case-finding uptake": f"/reports/case-finding/{REPORT_YEAR}",
    "export: outcomes CSV": f"/reports/outcomes/{REPORT_YEAR}&format=csv",
    "export: referrals CSV": f"/reports/referrals/{REPORT_YEAR}&format=csv",
}
REPORT_P95_MS = 250  # absolute, at one user per worker


def recount(plan: dict) -> dict:
    """The figures the report pages are built from (their selectors, for every team, before
    any suppression), counted again with plain SQL straight from the tables."""
    from dataclasses import replace

    from django.db import connection

    from accounts.models import Organisation
    from reports import periods
    from reports.filters import ReportFilters
    from reports.pages import PAGES, kept_figures
    from reports.selectors import community_services, funnel, outcomes, referrals
    from reports.selectors.cohort import summarised_before

    teams = Organisation.objects.filter(kind="coordinator_team").values_list("pk", flat=True)
    filters = ReportFilters(period=periods.financial_year(2025), team_ids=tuple(teams))
    year = ("2025-04-01 00:00 Europe/London", "2026-04-01 00:00 Europe/London")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_char(date_trunc('month', received_at AT TIME ZONE 'Europe/London'), "
            "'Mon YYYY'), count(*) FROM referrals_referral WHERE received_at >= %s::timestamptz "
            "AND received_at < %s::timestamptz GROUP BY date_trunc('month', received_at AT "
            "TIME ZONE 'Europe/London') ORDER BY date_trunc('month', received_at AT TIME ZONE "
            "'Europe/London')",
            year,
        )
        by_month_sql = [[month, n] for month, n in cursor.fetchall()]
        cursor.execute(
            "SELECT count(*) FROM referrals_referral r WHERE received_at >= %s::timestamptz "
            "AND received_at < %s::timestamptz AND accepted_at IS NOT NULL AND first_contact_at "
            "IS NOT NULL AND EXISTS (SELECT 1 FROM coordinators_goal g WHERE g.referral_id = r.id)"
            " AND EXISTS (SELECT 1 FROM referrals_servicereferral s WHERE s.referral_id = r.id)",
            year,
        )
        referred_on_sql = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM referrals_referral r WHERE status = 'closed' AND closed_at >= "
            "%s::timestamptz AND closed_at < %s::timestamptz AND EXISTS (SELECT 1 FROM "
            "coordinators_wellbeingmeasure m WHERE m.referral_id = r.id AND m.instrument = "
            "'swemwbs' AND m.occasion = 'baseline') AND EXISTS (SELECT 1 FROM "
            "coordinators_wellbeingmeasure m WHERE m.referral_id = r.id AND m.instrument = "
            "'swemwbs' AND m.occasion IN ('review', 'closing'))",
            year,
        )
        pairs_sql = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM referrals_servicereferral WHERE sent_at >= %s::timestamptz "
            "AND sent_at < %s::timestamptz",
            year,
        )
        sent_sql = cursor.fetchone()[0]
    by_month = [r for r in referrals.referrals_by_month(filters=filters).rows if r[1]]
    steps = {row[0]: row[1] for row in funnel.funnel(filters=filters).rows}
    # The same figures as the pages read them: the day summaries, and live after them.
    summarised = replace(filters, summarised_before=summarised_before())
    by_month_summarised = [r for r in referrals.referrals_by_month(filters=summarised).rows if r[1]]
    steps_summarised = {row[0]: row[1] for row in funnel.funnel(filters=summarised).rows}
    # And as the pages show them: kept until the next rebuild (`reports.pages.kept_figures`).
    kept_by_month = kept_figures(PAGES["referrals"], filters, None)[0].rows
    kept_steps = {row[0]: row[1] for row in kept_figures(PAGES["funnel"], filters, None)[0].rows}
    wellbeing = {row[0]: row for row in outcomes.wellbeing_change(filters=filters).rows}
    by_service = community_services.onward_referrals_by_service(filters=filters).rows
    checks = {
        "referrals by month": (by_month, by_month_sql),
        "referrals by month (summaries)": (by_month_summarised, by_month_sql),
        "referrals by month (page, kept)": ([r for r in kept_by_month if r[1]], by_month_sql),
        "funnel: referred on": (steps["Referred on"], referred_on_sql),
        "funnel: referred on (page, kept)": (kept_steps["Referred on"], referred_on_sql),
        "funnel: referred on (summaries)": (steps_summarised["Referred on"], referred_on_sql),
        "SWEMWBS pairs": (wellbeing["SWEMWBS metric score"][3], pairs_sql),
        "onward referrals sent": (sum(row[2] for row in by_service), sent_sql),
    }
    return {
        name: {"report": shown, "sql": counted, "equal": shown == counted}
        for name, (shown, counted) in checks.items()
    }
