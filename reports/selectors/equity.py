"""Equity: referrals, uptake and outcomes by age band, sex, ethnic category and (where the
lookup is loaded) deprivation decile, for referrals received in the period."""

from collections.abc import Callable
from typing import Any

from django.db.models import Q

from referrals.models import ClosureOutcome, EthnicCategory

from ..deprivation import lookup_loaded
from ..filters import ReportFilters
from ..tables import DERIVED, LABEL, Column, Table
from .cohort import AGE_BANDS, cohort_counts, counted

MEASURES = {
    "n": Q(),
    "contacted": Q(contacted=True),
    "closed": Q(status="closed"),
    "met": Q(
        status="closed",
        outcome__in=[ClosureOutcome.GOALS_MET, ClosureOutcome.GOALS_PARTLY_MET],
    ),
}


BY_GROUP = {
    group: counted(f"equity_{group}", by=(group,), measures=MEASURES)
    for group in ("age_band", "sex", "ethnic", "decile")
}


def _share(n: int, total: int) -> float | None:
    return round(100 * n / total, 1) if total else None


def _table(
    key: str,
    title: str,
    heading: str,
    filters: ReportFilters,
    group: str,
    labels: Callable[[Any], str],
    order: list,
) -> Table:
    counts = {value: row for (value,), row in cohort_counts(filters, BY_GROUP[group]).items()}
    rest = sorted((v for v in counts if v not in order), key=str)
    rows = []
    for value in order + rest:
        row = counts.get(value)
        if row is None:
            continue
        rows.append(
            [
                labels(value),
                row["n"],
                row["contacted"],
                _share(row["contacted"], row["n"]),
                row["closed"],
                row["met"],
                _share(row["met"], row["closed"]),
            ]
        )
    return Table(
        key=key,
        title=title,
        columns=(
            Column(heading, LABEL),
            Column("Referrals"),
            Column("Contacted (uptake)"),
            Column("% contacted", DERIVED, base=(1, 2)),
            Column("Closed"),
            Column("Closed with goals met or partly met"),
            Column("% of closed", DERIVED, base=(4, 5)),
        ),
        rows=rows,
        definition="equity",
        chart="hbar",
        chart_columns=(1, 2),
    )


def equity_by_age(*, filters: ReportFilters) -> Table:
    return _table(
        "equity_age",
        "By age band at referral",
        "Age band",
        filters,
        "age_band",
        lambda i: "Not known" if i is None else AGE_BANDS[i][2],
        list(range(len(AGE_BANDS))),
    )


def equity_by_sex(*, filters: ReportFilters) -> Table:
    return _table(
        "equity_sex",
        "By sex or gender (as recorded)",
        "Sex or gender",
        filters,
        "sex",
        lambda v: str(v) if v else "Not recorded",
        [],
    )


def equity_by_ethnic_category(*, filters: ReportFilters) -> Table:
    return _table(
        "equity_ethnicity",
        "By ethnic category",
        "Ethnic category",
        filters,
        "ethnic",
        lambda v: EthnicCategory(v).label if v else "Not recorded",
        [*EthnicCategory.values, ""],
    )


def equity_by_deprivation(*, filters: ReportFilters) -> Table | None:
    """None when no postcode-to-deprivation lookup is loaded (the page says how to load it)."""
    if not lookup_loaded():
        return None
    return _table(
        "equity_deprivation",
        "By deprivation decile (1 = most deprived 10% of areas)",
        "IMD decile",
        filters,
        "decile",
        lambda d: "Postcode not matched" if d is None else f"Decile {d}",
        [*range(1, 11), None],
    )
