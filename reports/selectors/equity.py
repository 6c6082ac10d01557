"""Equity: referrals, uptake and outcomes by age band, sex, ethnic category and (where the
lookup is loaded) deprivation decile, for referrals received in the period."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, F, Func, IntegerField, Q, QuerySet, Value, When

from referrals.models import ClosureOutcome, EthnicCategory

from ..deprivation import lookup_loaded, with_deprivation_decile
from ..filters import ReportFilters
from ..tables import DERIVED, LABEL, Column, Table
from .base import received_in_period

AGE_BANDS = [
    (0, 18, "Under 18"),
    (18, 25, "18 to 24"),
    (25, 35, "25 to 34"),
    (35, 45, "35 to 44"),
    (45, 55, "45 to 54"),
    (55, 65, "55 to 64"),
    (65, 75, "65 to 74"),
    (75, 85, "75 to 84"),
    (85, None, "85 and over"),
]


class AgeAtReferral(Func):
    """Whole years between the date of birth and the local day the referral was received."""

    output_field = IntegerField()

    def __init__(self):
        super().__init__(F("received_at"), F("patient__date_of_birth"))

    def as_postgresql(self, compiler, conn, **extra):
        received, dob = (compiler.compile(e) for e in self.get_source_expressions())
        sql = (
            f"CAST(date_part('year', age(({received[0]} AT TIME ZONE %s)::date, {dob[0]}))"
            " AS integer)"
        )
        return sql, (*received[1], settings.TIME_ZONE, *dob[1])

    def as_sqlite(self, compiler, conn, **extra):
        received, dob = (compiler.compile(e) for e in self.get_source_expressions())
        sql = f"CAST((julianday({received[0]}) - julianday({dob[0]})) / 365.25 AS integer)"
        return sql, (*received[1], *dob[1])


def _age_band():
    whens = [
        When(age__gte=low, age__lt=high, then=Value(index))
        if high is not None
        else When(age__gte=low, then=Value(index))
        for index, (low, high, _) in enumerate(AGE_BANDS)
    ]
    return Case(*whens, output_field=IntegerField())


MEASURES = {
    "n": Count("pk"),
    "contacted": Count("pk", filter=Q(first_contact_at__isnull=False)),
    "closed": Count("pk", filter=Q(status="closed")),
    "met": Count(
        "pk",
        filter=Q(
            status="closed",
            outcome__in=[ClosureOutcome.GOALS_MET, ClosureOutcome.GOALS_PARTLY_MET],
        ),
    ),
}


def _share(n: int, total: int) -> float | None:
    return round(100 * n / total, 1) if total else None


def _table(
    key: str,
    title: str,
    heading: str,
    grouped: QuerySet,
    group: str,
    labels: Callable[[Any], str],
    order: list,
) -> Table:
    counts = {row[group]: row for row in grouped.values(group).annotate(**MEASURES).order_by()}
    rows = []
    for value in order + [v for v in counts if v not in order]:
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
            Column("% contacted", DERIVED, base=1),
            Column("Closed"),
            Column("Closed with goals met or partly met"),
            Column("% of closed", DERIVED, base=4),
        ),
        rows=rows,
        definition="equity",
        chart="hbar",
        chart_columns=(1, 2),
    )


def equity_by_age(*, filters: ReportFilters) -> Table:
    grouped = received_in_period(filters).annotate(age=AgeAtReferral(), band=_age_band())
    return _table(
        "equity_age",
        "By age band at referral",
        "Age band",
        grouped,
        "band",
        lambda i: "Not known" if i is None else AGE_BANDS[i][2],
        list(range(len(AGE_BANDS))),
    )


def equity_by_sex(*, filters: ReportFilters) -> Table:
    return _table(
        "equity_sex",
        "By sex or gender (as recorded)",
        "Sex or gender",
        received_in_period(filters).annotate(sex=F("patient__sex_or_gender")),
        "sex",
        lambda v: str(v) if v else "Not recorded",
        [],
    )


def equity_by_ethnic_category(*, filters: ReportFilters) -> Table:
    return _table(
        "equity_ethnicity",
        "By ethnic category",
        "Ethnic category",
        received_in_period(filters).annotate(ethnic=F("patient__ethnic_category")),
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
        with_deprivation_decile(received_in_period(filters), "patient__postcode"),
        "decile",
        lambda d: "Postcode not matched" if d is None else f"Decile {d}",
        [*range(1, 11), None],
    )
