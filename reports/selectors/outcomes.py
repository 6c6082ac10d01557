"""The outcomes report. Cohort: cases (accepted referrals) closed in the period: their
episode is over, so a missing follow-up is missing, not merely not yet due.

Wellbeing: the baseline is the measure taken as "baseline"; the follow-up is the closing
measure, or failing that the latest review measure. Change = follow-up − baseline, for the
people with both; beside it always the people with a baseline, with a follow-up, with both
and with a baseline but no follow-up (the missing data)."""

import math

from django.db import connections
from django.db.models import Count, QuerySet
from scipy.stats import t as student_t

from coordinators.models import Goal, GoalStatus
from referrals.models import ClosureOutcome, Referral

from ..filters import ReportFilters
from ..tables import DERIVED, LABEL, Column, Table, column_sum, row_sums
from .base import closed_in_period

# A change an individual would notice. SWEMWBS: 3 or more metric points (Warwick Medical
# School's SWEMWBS guidance; Shah et al. 2021, Health Qual Life Outcomes 19:260). ONS4: ONS
# publishes no minimal important change for the four items, so a meaningful change is a move
# into a better band of ONS's published thresholds (ONS, Personal well-being user guidance:
# 0–4 low, 5–6 medium, 7–8 high, 9–10 very high; anxiety 0–1 very low, 2–3 low, 4–5 medium,
# 6–10 high), as coordinators.measures.ons4_band bands them.
SWEMWBS_MEANINGFUL_POINTS = 3
ONS4_ITEMS = [
    ("life_satisfaction", "ONS4 life satisfaction"),
    ("worthwhile", "ONS4 worthwhile"),
    ("happiness", "ONS4 happiness"),
    ("anxiety", "ONS4 anxiety (lower is better)"),
]


def case_outcomes(*, filters: ReportFilters) -> Table:
    counts = dict(
        closed_in_period(filters).values_list("outcome").annotate(n=Count("pk")).order_by()
    )
    rows = [[o.label, counts.get(o.value, 0)] for o in ClosureOutcome]
    rows.append(["All closed cases", sum(counts.values())])
    return Table(
        key="case_outcomes",
        title="Cases closed, by outcome",
        columns=(Column("Outcome", LABEL), Column("Cases")),
        rows=rows,
        definition="case_outcomes",
        chart="hbar",
        sums=(column_sum(1, len(rows) - 1, range(len(rows) - 1)),),
    )


def goal_outcomes(*, filters: ReportFilters) -> Table:
    counts = dict(
        Goal.objects.filter(referral__in=closed_in_period(filters))
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    total = sum(counts.values())
    rows = [
        [s.label, counts.get(s.value, 0), _share(counts.get(s.value, 0), total)] for s in GoalStatus
    ]
    rows.append(["All goals of closed cases", total, 100.0 if total else None])
    return Table(
        key="goal_outcomes",
        title="Goals of the cases closed",
        columns=(Column("Goal status", LABEL), Column("Goals"), Column("%", DERIVED, base=1)),
        rows=rows,
        definition="goal_outcomes",
        chart="hbar",
        sums=(column_sum(1, len(rows) - 1, range(len(rows) - 1)),),
    )


def _share(n: int, total: int) -> float | None:
    return round(100 * n / total, 1) if total else None


# The pairs in one statement per instrument: each case's baseline (the first recorded as
# baseline) and follow-up (the closing measure, else the latest review one), joined, then every
# item's counts, mean change, sum of squares and meaningful changes in one pass. Only constants
# of this module are written into the SQL; the cohort comes in as compiled SQL and parameters.
_PAIRS_SQL = """
WITH ranked AS (
    SELECT m.referral_id, m.occasion, m.metric_score, m.answers,
           ROW_NUMBER() OVER (
               PARTITION BY m.referral_id, m.occasion = 'baseline'
               ORDER BY m.occasion = 'closing' DESC,
                        CASE WHEN m.occasion = 'baseline' THEN m.taken_on END,
                        CASE WHEN m.occasion = 'baseline' THEN m.id END,
                        m.taken_on DESC, m.id DESC
           ) AS n
    FROM coordinators_wellbeingmeasure m
    WHERE m.instrument = %s AND m.referral_id IN ({cohort})
),
pairs AS (
    SELECT b.metric_score AS b_score, b.answers AS b_answers,
           f.metric_score AS f_score, f.answers AS f_answers
    FROM (SELECT * FROM ranked WHERE occasion = 'baseline' AND n = 1) b
    FULL OUTER JOIN (SELECT * FROM ranked WHERE occasion <> 'baseline' AND n = 1) f
      ON f.referral_id = b.referral_id
)
SELECT {aggregates} FROM pairs
"""


def _item_sql(side: str, item: str | None) -> str:
    if item is None:
        return f"CAST({side}_score AS DOUBLE PRECISION)"
    return f"CAST({side}_answers ->> '{item}' AS DOUBLE PRECISION)"


def _ons4_rank_sql(value: str, item: str) -> str:
    """The ONS band as a rank, higher is better (anxiety runs the other way)."""
    # (upper bound of the band, its rank), best last for the three items, first for anxiety
    bands = [(1, 3), (3, 2), (5, 1)] if item == "anxiety" else [(4, 0), (6, 1), (8, 2)]
    otherwise = 0 if item == "anxiety" else 3
    whens = " ".join(f"WHEN {value} <= {upper} THEN {rank}" for upper, rank in bands)
    return f"CASE {whens} ELSE {otherwise} END"


def _aggregates(item: str | None) -> str:
    b, f = _item_sql("b", item), _item_sql("f", item)
    both = f"{b} IS NOT NULL AND {f} IS NOT NULL"
    if item is None:
        meaningful = f"{f} >= {b} + {SWEMWBS_MEANINGFUL_POINTS}"
    else:
        meaningful = f"{_ons4_rank_sql(f, item)} > {_ons4_rank_sql(b, item)}"
    return (
        f"COUNT({b}), COUNT({f}), COUNT(*) FILTER (WHERE {both}), "
        f"AVG({f} - {b}) FILTER (WHERE {both}), "
        f"SUM(({f} - {b}) * ({f} - {b})) FILTER (WHERE {both}), "
        f"COUNT(*) FILTER (WHERE {both} AND {meaningful})"
    )


def paired_changes(cases: QuerySet[Referral], instrument: str) -> dict[str | None, dict]:
    """For one instrument, per item (None: the SWEMWBS metric score): counts, the mean paired
    change with its 95% confidence interval (t distribution) and how many changed
    meaningfully. One query."""
    items: list[str | None] = [None] if instrument == "swemwbs" else [k for k, _ in ONS4_ITEMS]
    cohort, cohort_params = cases.order_by().values_list("pk").query.sql_with_params()
    sql = _PAIRS_SQL.format(cohort=cohort, aggregates=", ".join(_aggregates(i) for i in items))
    with connections[cases.db].cursor() as cursor:  # the replica, inside replica_reads()
        cursor.execute(sql, [instrument, *cohort_params])
        values = cursor.fetchone()
    return {item: _summary(*values[6 * n : 6 * n + 6]) for n, item in enumerate(items)}


def _summary(baseline, follow_up, n, mean, squares, meaningful) -> dict:
    low = high = None
    if n >= 2 and mean is not None:
        variance = max((squares - n * mean * mean) / (n - 1), 0.0)
        margin = float(student_t.ppf(0.975, n - 1)) * math.sqrt(variance / n)
        low, high = round(mean - margin, 2), round(mean + margin, 2)
    return {
        "baseline": baseline,
        "follow_up": follow_up,
        "both": n,
        "without_follow_up": baseline - n,
        "mean": None if mean is None else round(mean, 2),
        "low": low,
        "high": high,
        "meaningful": meaningful,
        "meaningful_share": _share(meaningful, n),
    }


def paired_change(cases: QuerySet[Referral], instrument: str, item: str | None) -> dict:
    return paired_changes(cases, instrument)[item]


def wellbeing_change(*, filters: ReportFilters) -> Table:
    cases = closed_in_period(filters)
    measured = [("swemwbs", None, "SWEMWBS metric score")] + [
        ("ons4", key, label) for key, label in ONS4_ITEMS
    ]
    changes = {code: paired_changes(cases, code) for code in ("swemwbs", "ons4")}
    rows = []
    for instrument, item, label in measured:
        change = changes[instrument][item]
        rows.append(
            [
                label,
                change["baseline"],
                change["follow_up"],
                change["both"],
                change["without_follow_up"],
                change["mean"],
                change["low"],
                change["high"],
                change["meaningful"],
                change["meaningful_share"],
            ]
        )
    return Table(
        key="wellbeing",
        title="Wellbeing: paired change from baseline to follow-up",
        columns=(
            Column("Measure", LABEL),
            Column("With a baseline"),
            Column("With a follow-up"),
            Column("With both"),
            Column("Baseline, no follow-up"),
            Column("Mean change", DERIVED, base=3),
            Column("95% CI lower", DERIVED, base=3),
            Column("95% CI upper", DERIVED, base=3),
            Column("Meaningful improvement"),
            Column("% of those with both", DERIVED, base=(3, 8)),
        ),
        rows=rows,
        definition="wellbeing_change",
        chart="hbar",
        chart_columns=(1, 3, 4),
        # With a baseline = with both + baseline but no follow-up.
        sums=row_sums(len(rows), 1, (3, 4)),
    )
