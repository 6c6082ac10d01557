"""The funnel: of the referrals received in the period, how many reached each step having
reached every step before it, and how many dropped off at each."""

from django.db.models import Count, Exists, OuterRef, Q

from coordinators.models import Goal
from referrals.models import ServiceReferral

from ..filters import ReportFilters
from ..tables import DERIVED, LABEL, Column, Table
from .base import received_in_period

STEPS = [
    ("Received", Q()),
    ("Accepted", Q(accepted_at__isnull=False)),
    ("First contact", Q(first_contact_at__isnull=False)),
    ("Goals recorded", Q(has_goals=True)),
    ("Referred on", Q(referred_on=True)),
    ("Attended", Q(attended=True)),
    ("Closed with an outcome", Q(status="closed") & ~Q(outcome="")),
]


def funnel(*, filters: ReportFilters) -> Table:
    onward = ServiceReferral.objects.filter(referral_id=OuterRef("pk"))
    cohort = received_in_period(filters).annotate(
        has_goals=Exists(Goal.objects.filter(referral_id=OuterRef("pk"))),
        referred_on=Exists(onward),
        attended=Exists(onward.filter(attended_at__isnull=False)),
    )
    reached, condition = {}, Q()
    for index, (_, step) in enumerate(STEPS):
        condition &= step
        reached[f"s{index}"] = Count("pk", filter=condition)
    counts = cohort.aggregate(**reached)
    received = counts["s0"]
    rows, previous = [], received
    for index, (label, _) in enumerate(STEPS):
        n = counts[f"s{index}"]
        share = round(100 * n / received, 1) if received else None
        rows.append([label, n, previous - n, share])
        previous = n
    return Table(
        key="funnel",
        title="From referral to outcome",
        columns=(
            Column("Step", LABEL),
            Column("Reached this step"),
            Column("Dropped off before it"),
            Column("% of received", DERIVED, base=1),
        ),
        rows=rows,
        definition="funnel",
        chart="hbar",
        chart_columns=(1,),
    )
