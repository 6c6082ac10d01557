"""The reports' part of the benchmark (issue 17): what the whole service's commissioner reads,
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
    "export: outcomes CSV": f"/reports/outcomes/{REPORT_YEAR}&format=csv",
    "export: referrals CSV": f"/reports/referrals/{REPORT_YEAR}&format=csv",
}
REPORT_P95_MS = 250  # absolute, at one user per worker


def recount(plan: dict) -> dict:
    """The figures the reports show, counted again with plain SQL, straight from the tables."""
    import csv as csv_module
    import io

    from django.db import connection
    from django.test import Client

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email=plan["report_reader"]))

    def table(slug: str, key: str) -> list[list[str]]:
        response = client.get(f"/reports/{slug}/{REPORT_YEAR}&format=csv&table={key}")
        return list(csv_module.reader(io.StringIO(response.getvalue().decode())))

    year = ("2025-04-01 00:00 Europe/London", "2026-04-01 00:00 Europe/London")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_char(date_trunc('month', received_at AT TIME ZONE 'Europe/London'), "
            "'Mon YYYY'), count(*) FROM referrals_referral WHERE received_at >= %s::timestamptz "
            "AND received_at < %s::timestamptz GROUP BY 1, date_trunc('month', received_at AT "
            "TIME ZONE 'Europe/London') ORDER BY date_trunc('month', received_at AT TIME ZONE "
            "'Europe/London')",
            year,
        )
        by_month_sql = [[month, str(n)] for month, n in cursor.fetchall()]
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
    by_month = [row for row in table("referrals", "by_month")[1:] if row[1] != "0"]
    funnel = {row[0]: row[1] for row in table("funnel", "funnel")[1:]}
    wellbeing = {row[0]: row for row in table("outcomes", "wellbeing")[1:]}
    sent = sum(int(row[2]) for row in table("community-services", "by_service")[1:])
    checks = {
        "referrals by month": (by_month, by_month_sql),
        "funnel: referred on": (int(funnel["Referred on"]), referred_on_sql),
        "SWEMWBS pairs": (int(wellbeing["SWEMWBS metric score"][3]), pairs_sql),
        "onward referrals sent": (sent, sent_sql),
    }
    return {
        name: {"report": shown, "sql": counted, "equal": shown == counted}
        for name, (shown, counted) in checks.items()
    }
