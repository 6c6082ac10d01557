"""Counts of the referrals received in a period, from the day summaries where they cover it
and live from the referrals for the rest (the days since the last rebuild, or any filter the
summaries do not keep: a need domain or a service).

A figure names what it groups by and what it counts as `Q` conditions over the dimensions
below; the same names are columns of `ReferralDaySummary` and annotations of the live
cohort, so the summary part and the live part are one definition, and the rebuild
(`reports.services.summaries`) writes the live cohort's grouped counts."""

import datetime
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Trunc, TruncDate
from django.utils import timezone

from common.db_routing import on_replica
from coordinators.models import Goal
from referrals.models import Referral, ServiceReferral

from ..deprivation import with_deprivation_decile
from ..filters import ReportFilters
from ..models import ReferralDaySummary, ReferralMonthSummary, SummaryRun
from ..periods import local_midnight, next_month
from .base import referrals_in_scope

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

    def __init__(self) -> None:
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


def age_band() -> Case:
    whens = [
        When(_age__gte=low, _age__lt=high, then=Value(index))
        if high is not None
        else When(_age__gte=low, then=Value(index))
        for index, (low, high, _) in enumerate(AGE_BANDS)
    ]
    return Case(*whens, output_field=IntegerField())


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _onward() -> QuerySet[ServiceReferral]:
    return ServiceReferral.objects.filter(referral_id=OuterRef("pk"))


# Each dimension the summary keeps that is not a field of the referral: how the live cohort
# gets it. (team_id, referring_practice_id, source, urgency, status, outcome and
# decline_reason are the referral's own fields.)
DIMENSIONS: dict[str, Callable[[QuerySet[Referral]], QuerySet[Referral]]] = {
    "day": lambda q: q.annotate(
        day=TruncDate("received_at", tzinfo=timezone.get_current_timezone())
    ),
    "month": lambda q: q.annotate(
        month=Trunc(
            "received_at",
            "month",
            output_field=DateField(),
            tzinfo=timezone.get_current_timezone(),
        )
    ),
    "accepted": lambda q: q.annotate(accepted=_flag(Q(accepted_at__isnull=False))),
    "contacted": lambda q: q.annotate(contacted=_flag(Q(first_contact_at__isnull=False))),
    "has_goals": lambda q: q.annotate(
        has_goals=Exists(Goal.objects.filter(referral_id=OuterRef("pk")))
    ),
    "referred_on": lambda q: q.annotate(referred_on=Exists(_onward())),
    "attended": lambda q: q.annotate(attended=Exists(_onward().filter(attended_at__isnull=False))),
    "age_band": lambda q: q.annotate(_age=AgeAtReferral()).annotate(age_band=age_band()),
    "sex": lambda q: q.annotate(sex=F("patient__sex_or_gender")),
    "ethnic": lambda q: q.annotate(ethnic=F("patient__ethnic_category")),
    "decile": lambda q: with_deprivation_decile(q, "patient__postcode"),
}
SUMMARY_DIMENSIONS = (
    "day",
    "team_id",
    "referring_practice_id",
    "source",
    "urgency",
    "status",
    "outcome",
    "decline_reason",
    *(name for name in DIMENSIONS if name not in ("day", "month")),
)


@dataclass(frozen=True, eq=False)
class Counted:
    """What one figure counts over the referrals received: the dimensions it groups by and its
    measures (`Q` over the dimensions). `name` keys its rows of the month summary, which the
    rebuild (`reports.services.summaries`) writes for every figure in `COUNTED`."""

    name: str
    by: tuple[str, ...]
    measures: Mapping[str, Q]


COUNTED: dict[str, Counted] = {}


def counted(name: str, *, by: tuple[str, ...], measures: Mapping[str, Q]) -> Counted:
    """A figure's counts, registered for the month summary's rebuild."""
    COUNTED[name] = Counted(name, by, measures)
    return COUNTED[name]


def with_dimensions(referrals: QuerySet[Referral], names: Sequence[str]) -> QuerySet[Referral]:
    for name in DIMENSIONS:
        if name in names:
            referrals = DIMENSIONS[name](referrals)
    return referrals


def _names_in(condition: Q) -> set[str]:
    names: set[str] = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _names_in(child)
        elif isinstance(child, tuple):  # (lookup, value)
            names.add(str(child[0]).split("__")[0])
    return names


@dataclass(frozen=True)
class Split:
    """The part of a period the summaries answer (days `first` to before `before`), and the
    live part (received from `live_from` to the period's end)."""

    first: datetime.date
    before: datetime.date
    live_from: datetime.datetime

    end: datetime.datetime

    @property
    def summarised(self) -> bool:
        return self.before > self.first

    @property
    def live(self) -> bool:
        return self.live_from < self.end


def summarised_before() -> datetime.date | None:
    """Where the latest rebuild's summaries end (None before the first)."""
    run = latest_run()
    return run[0] if run else None


def latest_run() -> tuple[datetime.date, datetime.datetime] | None:
    """The latest rebuild's (summarised_before, built_at), None before the first: read once
    per page."""
    return (
        on_replica(SummaryRun.objects.order_by("-built_at"))
        .values_list("summarised_before", "built_at")
        .first()
    )


def split(filters: ReportFilters) -> Split:
    period = filters.period
    cutoff = filters.summarised_before
    if cutoff is None or filters.need_domain or filters.service_id is not None:
        cutoff = period.first_day  # nothing summarised for these: all live
    before = min(max(cutoff, period.first_day), period.last_day + datetime.timedelta(days=1))
    return Split(period.first_day, before, max(period.start, local_midnight(before)), period.end)


def summarised_ranges(
    filters: ReportFilters, part: Split
) -> tuple[tuple[datetime.date, datetime.date] | None, list[tuple[datetime.date, datetime.date]]]:
    """The whole months of the summarised days the month summary answers (None: none, or a
    practice filter, which it does not keep), and the day ranges left to the day summaries."""
    if not part.summarised:
        return None, []
    first = part.first if part.first.day == 1 else next_month(part.first.replace(day=1))
    before = part.before.replace(day=1)
    if filters.practice_id or first >= before:
        return None, [(part.first, part.before)]
    days = [(part.first, first), (before, part.before)]
    return (first, before), [(a, b) for a, b in days if a < b]


# A figure's month rows summed per group in PostgreSQL, element by element of `counts`: a
# year of the busiest figure (by practice) is thousands of rows, its answer a few hundred.
# Only the model's compiled SQL is written in; every value travels as a parameter.
_SUM_COUNTS_SQL = """
SELECT key, array_agg(total ORDER BY ord) FROM (
    SELECT picked.key, counted.ord, SUM(counted.n::integer) AS total
    FROM ({rows}) picked,
         jsonb_array_elements_text(picked.counts) WITH ORDINALITY AS counted(n, ord)
    GROUP BY picked.key, counted.ord
) totals GROUP BY key
"""


def month_rows(
    filters: ReportFilters, name: str, months: tuple[datetime.date, datetime.date]
) -> Iterator[tuple[list, list[int]]]:
    """(group values, counts) of figure `name` in the whole months from `months[0]` to before
    `months[1]`, in the reader's teams (and source), one per group on PostgreSQL."""
    rows = on_replica(
        ReferralMonthSummary.objects.filter(
            figure=name, team_id__in=filters.team_ids, month__gte=months[0], month__lt=months[1]
        )
    )
    if filters.source:
        rows = rows.filter(source=filters.source)
    picked = rows.values_list("key", "counts")
    if connections[rows.db].vendor != "postgresql":
        return iter(picked)
    sql, params = picked.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(_SUM_COUNTS_SQL.format(rows=sql), params)
        found = cursor.fetchall()
    return iter([(key if isinstance(key, list) else json.loads(key), n) for key, n in found])


def summary_rows(
    filters: ReportFilters,
    days: tuple[datetime.date, datetime.date],
    model: type[Model] = ReferralDaySummary,
) -> QuerySet:
    rows = model._default_manager.filter(
        team_id__in=filters.team_ids, day__gte=days[0], day__lt=days[1]
    )
    if filters.practice_id:
        rows = rows.filter(referring_practice_id=filters.practice_id)
    if filters.source:
        rows = rows.filter(source=filters.source)
    return on_replica(rows)


def live_rows(filters: ReportFilters, part: Split) -> QuerySet[Referral]:
    return on_replica(
        referrals_in_scope(filters).filter(
            received_at__gte=part.live_from, received_at__lt=part.end
        )
    )


def _month_key(by: Sequence[str], values: list) -> tuple:
    """Group values as the month summary's JSON gives them back (a month as its ISO date)."""
    if "month" not in by:
        return tuple(values)
    return tuple(
        datetime.date.fromisoformat(value) if name == "month" and value else value
        for name, value in zip(by, values, strict=True)
    )


def cohort_counts(filters: ReportFilters, figure: Counted) -> dict[tuple, dict[str, int]]:
    """{group values: {measure: count}} over the referrals received in the period, groups
    with no referral left out: whole months from the month summary, the other summarised
    days from the day summary, the rest live."""
    by, measures = figure.by, figure.measures
    part = split(filters)
    totals: dict[tuple, dict[str, int]] = {}

    if not by:
        totals[()] = dict.fromkeys(measures, 0)

    def add(rows: QuerySet, aggregate: Callable[[Q], object]) -> None:
        # Prefixed: a measure may share a name with a summary column ("n").
        annotations = {f"m_{name}": aggregate(condition) for name, condition in measures.items()}
        # One group for "no grouping": a constant, which PostgreSQL need not group by, and
        # which keeps the dimensions inline (aggregate() would wrap them in a subquery).
        grouping = by or ("_all",)
        found = rows.annotate(_all=Value(1)).values(*grouping).annotate(**annotations).order_by()
        for row in found:
            counts = totals.setdefault(tuple(row[name] for name in by), dict.fromkeys(measures, 0))
            for name in measures:
                counts[name] += row[f"m_{name}"] or 0

    months, day_ranges = summarised_ranges(filters, part)
    if months:
        for key, counted_n in month_rows(filters, figure.name, months):
            counts = totals.setdefault(_month_key(by, key), dict.fromkeys(measures, 0))
            for name, n in zip(measures, counted_n, strict=True):
                counts[name] += n
    for days in day_ranges:
        rows = summary_rows(filters, days)
        if "month" in by:
            rows = rows.annotate(month=Trunc("day", "month", output_field=DateField()))
        add(rows, lambda condition: Sum("n", filter=condition))
    if part.live:
        needed = set(by).union(*(_names_in(condition) for condition in measures.values()))
        add(
            with_dimensions(live_rows(filters, part), sorted(needed)),
            lambda condition: Count("pk", filter=condition),
        )
    if by:
        return {key: counts for key, counts in totals.items() if counts.get("n", 1)}
    return totals
