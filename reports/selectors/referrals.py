"""The referrals report: what arrived and what the team decided. Cohort: referrals received in
the period (local dates), in the reader's teams, matching the filters."""

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from community_services.need_domains import NeedDomain
from referrals.models import ClosureOutcome, DeclineReason, ReferralSource, Urgency

from ..filters import ReportFilters
from ..tables import LABEL, TEXT, Column, Table
from .base import reason_lookup, received_in_period


def referrals_by_month(*, filters: ReportFilters) -> Table:
    counts = {
        row["month"].date(): row["n"]
        for row in received_in_period(filters)
        .annotate(month=TruncMonth("received_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
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
    rows = [
        [row["referring_practice__name"], row["referring_practice__ods_code"], row["n"]]
        for row in received_in_period(filters)
        .values("referring_practice__name", "referring_practice__ods_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "referring_practice__name")
    ]
    return Table(
        key="by_practice",
        title="Referrals received by practice",
        columns=(Column("Practice", LABEL), Column("ODS code", TEXT), Column("Referrals")),
        rows=rows,
        definition="received_by_practice",
        chart="hbar",
    )


def referrals_by_need_domain(*, filters: ReportFilters) -> Table:
    """One query: a filtered count per domain (a referral may give several reasons)."""
    counts = received_in_period(filters).aggregate(
        **{code: Count("pk", filter=Q(**reason_lookup(code))) for code in NeedDomain.values}
    )
    rows = sorted(
        ([NeedDomain(code).label, counts[code]] for code in NeedDomain.values),
        key=lambda row: (-row[1], row[0]),
    )
    return Table(
        key="by_need_domain",
        title="Referrals by need domain",
        columns=(Column("Need domain", LABEL), Column("Referrals giving this reason")),
        rows=rows,
        definition="received_by_need_domain",
        chart="hbar",
    )


def referrals_by_urgency_and_source(*, filters: ReportFilters) -> Table:
    counts = {
        (row["source"], row["urgency"]): row["n"]
        for row in received_in_period(filters)
        .values("source", "urgency")
        .annotate(n=Count("pk"))
        .order_by()
    }
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
    )


def triage_decisions(*, filters: ReportFilters) -> Table:
    """What became of the referrals received: one row per decision, declines by reason."""
    decline_reasons = {
        f"declined_{code}": Count("pk", filter=Q(status="declined", decline_reason=code))
        for code in DeclineReason.values
    }
    counts = received_in_period(filters).aggregate(
        received=Count("pk"),
        accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
        declined=Count("pk", filter=Q(status="declined")),
        patient_declined=Count("pk", filter=Q(status="patient_declined")),
        unable=Count("pk", filter=Q(outcome=ClosureOutcome.UNABLE_TO_CONTACT)),
        awaiting=Count("pk", filter=Q(status="received")),
        **decline_reasons,
    )
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
    )
