"""The outcomes report. Cohort: cases (accepted referrals) closed in the period: their
episode is over, so a missing follow-up is missing, not merely not yet due.

Wellbeing: the baseline is the measure taken as "baseline"; the follow-up is the closing
measure, or failing that the latest review measure. Change = follow-up − baseline, for the
people with both; beside it always the people with a baseline, with a follow-up, with both
and with a baseline but no follow-up (the missing data)."""

import math

from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from scipy.stats import t as student_t

from coordinators.models import Goal, GoalStatus, WellbeingMeasure
from referrals.models import ClosureOutcome, Referral

from ..filters import ReportFilters
from ..tables import DERIVED, LABEL, Column, Table
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
    )


def _share(n: int, total: int) -> float | None:
    return round(100 * n / total, 1) if total else None


def _value(item: str | None):
    if item is None:
        return Cast("metric_score", FloatField())
    return Cast(KeyTextTransform(item, "answers"), FloatField())


def _with_pair(cases: QuerySet[Referral], instrument: str, item: str | None) -> QuerySet:
    measures = WellbeingMeasure.objects.filter(referral_id=OuterRef("pk"), instrument=instrument)
    baseline = measures.filter(occasion="baseline").annotate(v=_value(item)).values("v")[:1]
    follow_up = (
        measures.filter(occasion__in=["review", "closing"])
        .annotate(
            closing_first=Case(When(occasion="closing", then=Value(0)), default=Value(1)),
            v=_value(item),
        )
        .order_by("closing_first", "-taken_on", "-id")
        .values("v")[:1]
    )
    return cases.annotate(
        b=Subquery(baseline, output_field=FloatField()),
        f=Subquery(follow_up, output_field=FloatField()),
    )


def _ons4_rank(field: str, item: str):
    """The ONS band as a rank, higher is better (anxiety runs the other way)."""
    if item == "anxiety":
        whens = [When(**{f"{field}__lte": 1}, then=3), When(**{f"{field}__lte": 3}, then=2)]
        whens.append(When(**{f"{field}__lte": 5}, then=1))
    else:
        whens = [When(**{f"{field}__lte": 4}, then=0), When(**{f"{field}__lte": 6}, then=1)]
        whens.append(When(**{f"{field}__lte": 8}, then=2))
    return Case(*whens, default=Value(3 if item != "anxiety" else 0), output_field=IntegerField())


def paired_change(cases: QuerySet[Referral], instrument: str, item: str | None) -> dict:
    """Counts, the mean paired change with its 95% confidence interval (t distribution) and
    how many changed meaningfully, for one instrument (SWEMWBS metric score) or ONS4 item."""
    rows = _with_pair(cases, instrument, item)
    both = Q(b__isnull=False, f__isnull=False)
    if item is None:
        meaningful = Q(f__gte=F("b") + SWEMWBS_MEANINGFUL_POINTS)
    else:
        rows = rows.annotate(rank_b=_ons4_rank("b", item), rank_f=_ons4_rank("f", item))
        meaningful = Q(rank_f__gt=F("rank_b"))
    result = rows.aggregate(
        baseline=Count("pk", filter=Q(b__isnull=False)),
        follow_up=Count("pk", filter=Q(f__isnull=False)),
        both=Count("pk", filter=both),
        mean=Avg(F("f") - F("b"), filter=both),
        squares=Sum((F("f") - F("b")) * (F("f") - F("b")), filter=both),
        meaningful=Count("pk", filter=both & meaningful),
    )
    n, mean = result["both"], result["mean"]
    low = high = None
    if n >= 2 and mean is not None:
        variance = max((result["squares"] - n * mean * mean) / (n - 1), 0.0)
        margin = float(student_t.ppf(0.975, n - 1)) * math.sqrt(variance / n)
        low, high = round(mean - margin, 2), round(mean + margin, 2)
    return {
        "baseline": result["baseline"],
        "follow_up": result["follow_up"],
        "both": n,
        "without_follow_up": result["baseline"] - n,
        "mean": None if mean is None else round(mean, 2),
        "low": low,
        "high": high,
        "meaningful": result["meaningful"],
        "meaningful_share": _share(result["meaningful"], n),
    }


def wellbeing_change(*, filters: ReportFilters) -> Table:
    cases = closed_in_period(filters)
    measured = [("swemwbs", None, "SWEMWBS metric score")] + [
        ("ons4", key, label) for key, label in ONS4_ITEMS
    ]
    rows = []
    for instrument, item, label in measured:
        change = paired_change(cases, instrument, item)
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
            Column("% of those with both", DERIVED, base=3),
        ),
        rows=rows,
        definition="wellbeing_change",
        chart="hbar",
        chart_columns=(1, 3, 4),
    )
