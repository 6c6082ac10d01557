"""The referrals report: what arrived and what the team decided. Cohort: referrals received in
the period (local dates), in the reader's teams, matching the filters."""

from django.db.models import Count, Q, Sum

from accounts.models import Organisation
from common.db_routing import on_replica
from community_services.need_domains import NeedDomain
from referrals.models import ClosureOutcome, DeclineReason, ReferralSource, Urgency

from ..filters import ReportFilters
from ..models import NeedDomainDaySummary
from ..tables import LABEL, TEXT, Column, Table, column_sum, row_sums
from .base import reason_lookup
from .cohort import (
    cohort_counts,
    counted,
    live_rows,
    month_rows,
    split,
    summarised_ranges,
    summary_rows,
)

RECEIVED = {"n": Q()}
PAGE_ROWS = 50
BY_MONTH = counted("by_month", by=("month",), measures=RECEIVED)
BY_PRACTICE = counted("by_practice", by=("referring_practice_id",), measures=RECEIVED)
BY_SOURCE_URGENCY = counted("by_source_urgency", by=("source", "urgency"), measures=RECEIVED)
DECISIONS = counted(
    "decisions",
    by=(),
    measures={
        "received": Q(),
        "accepted": Q(accepted=True),
        "declined": Q(status="declined"),
        "patient_declined": Q(status="patient_declined"),
        "unable": Q(outcome=ClosureOutcome.UNABLE_TO_CONTACT),
        "awaiting": Q(status="received"),
        **{
            f"declined_{code}": Q(status="declined", decline_reason=code)
            for code in DeclineReason.values
        },
    },
)
# Not a `Counted`: a referral may give several need domains (`NeedDomainDaySummary`); the
# rebuild writes its month rows under this name, keyed by the domain.
BY_NEED_DOMAIN = "by_need_domain"


def referrals_by_month(*, filters: ReportFilters) -> Table:
    counts = {month: row["n"] for (month,), row in cohort_counts(filters, BY_MONTH).items()}
    rows = [[f"{m:%b %Y}", counts.get(m, 0)] for m in filters.period.months()]
    return Table(
        key="by_month",
        title="Referrals received by month",
        columns=(Column("Month", LABEL), Column("Referrals received")),
        rows=rows,
        definition="received_by_month",
        chart="bar",
    )


def referrals_by_practice(*, filters: ReportFilters) -> Table:
    counts = cohort_counts(filters, BY_PRACTICE)
    practices = on_replica(Organisation.objects.filter(pk__in=[key[0] for key in counts]))
    found = [(p.name, p.ods_code, counts[(p.pk,)]["n"]) for p in practices.only("name", "ods_code")]
    rows = [[name, ods, n] for name, ods, n in sorted(found, key=lambda r: (-r[2], r[0]))]
    return Table(
        key="by_practice",
        title="Referrals received by practice",
        columns=(Column("Practice", LABEL), Column("ODS code", TEXT), Column("Referrals")),
        rows=rows,
        definition="received_by_practice",
        chart="hbar",
        page_rows=PAGE_ROWS,  # a whole service has hundreds of practices
    )


def referrals_by_need_domain(*, filters: ReportFilters) -> Table:
    """Whole months from the month summary, the other summarised days from the need-domain
    day summary, the rest live: one filtered count per domain (a referral may give several
    reasons)."""
    part = split(filters)
    counts = dict.fromkeys(NeedDomain.values, 0)
    months, day_ranges = summarised_ranges(filters, part)
    if months:
        for (code,), (n,) in month_rows(filters, BY_NEED_DOMAIN, months):
            counts[code] = counts.get(code, 0) + n
    for days in day_ranges:
        for code, n in (
            summary_rows(filters, days, NeedDomainDaySummary)
            .values_list("need_domain")
            .annotate(total=Sum("n"))
            .order_by()
        ):
            counts[code] = counts.get(code, 0) + n
    live = dict.fromkeys(NeedDomain.values, 0)
    if part.live:
        live = live_rows(filters, part).aggregate(
            **{code: Count("pk", filter=Q(**reason_lookup(code))) for code in NeedDomain.values}
        )
    found = [(NeedDomain(code).label, counts[code] + live[code]) for code in NeedDomain.values]
    rows = [[label, n] for label, n in sorted(found, key=lambda row: (-row[1], row[0]))]
    return Table(
        key="by_need_domain",
        title="Referrals by need domain",
        columns=(Column("Need domain", LABEL), Column("Referrals giving this reason")),
        rows=rows,
        definition="received_by_need_domain",
        chart="hbar",
    )


def referrals_by_urgency_and_source(*, filters: ReportFilters) -> Table:
    counts = {key: row["n"] for key, row in cohort_counts(filters, BY_SOURCE_URGENCY).items()}
    rows = []
    for source in ReferralSource:
        routine = counts.get((source.value, Urgency.ROUTINE), 0)
        urgent = counts.get((source.value, Urgency.URGENT), 0)
        rows.append([source.label, routine, urgent, routine + urgent])
    return Table(
        key="by_urgency_source",
        title="Referrals by source and urgency",
        columns=(
            Column("Referral source", LABEL),
            Column("Routine"),
            Column("Urgent"),
            Column("All"),
        ),
        rows=rows,
        definition="received_by_urgency_source",
        chart="hbar",
        chart_columns=(1, 2),
        sums=row_sums(len(rows), 3, (1, 2)),
    )


def triage_decisions(*, filters: ReportFilters) -> Table:
    """What became of the referrals received: one row per decision, declines by reason."""
    counts = cohort_counts(filters, DECISIONS)[()]
    rows = [
        ["Received", counts["received"]],
        ["Accepted", counts["accepted"]],
        ["Declined by the team", counts["declined"]],
        *[
            [f"Declined: {DeclineReason(code).label}", counts[f"declined_{code}"]]
            for code in DeclineReason.values
        ],
        ["Patient declined", counts["patient_declined"]],
        ["Closed as unable to contact", counts["unable"]],
        ["Still awaiting triage", counts["awaiting"]],
    ]
    return Table(
        key="decisions",
        title="Triage decisions and what became of the referrals",
        columns=(Column("Decision", LABEL), Column("Referrals")),
        rows=rows,
        definition="triage_decisions",
        chart="hbar",
        # "Declined by the team" (row 2) is the sum of the rows of its reasons.
        sums=(column_sum(1, 2, range(3, 3 + len(DeclineReason.values))),),
    )
