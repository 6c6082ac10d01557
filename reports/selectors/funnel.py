"""The funnel: of the referrals received in the period, how many reached each step having
reached every step before it, and how many dropped off at each."""

from django.db.models import Q

from ..filters import ReportFilters
from ..tables import DERIVED, LABEL, CellSum, Column, Table
from .cohort import cohort_counts, counted

STEPS = [
    ("Received", Q()),
    ("Accepted", Q(accepted=True)),
    ("First contact", Q(contacted=True)),
    ("Goals recorded", Q(has_goals=True)),
    ("Referred on", Q(referred_on=True)),
    ("Attended", Q(attended=True)),
    ("Closed with an outcome", Q(status="closed") & ~Q(outcome="")),
]


def _reached() -> dict[str, Q]:
    """Step n's measure: every step up to it reached."""
    reached, condition = {}, Q()
    for index, (_, step) in enumerate(STEPS):
        condition &= step
        reached[f"s{index}"] = condition
    return reached


REACHED = counted("funnel", by=(), measures=_reached())


def funnel(*, filters: ReportFilters) -> Table:
    counts = cohort_counts(filters, REACHED)[()]
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
        # Each step's "reached" plus its "dropped off" is the step before's "reached".
        sums=tuple(
            CellSum((index - 1, 1), ((index, 1), (index, 2))) for index in range(1, len(rows))
        ),
    )
