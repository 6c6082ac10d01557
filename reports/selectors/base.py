"""The cohorts every figure starts from, and the percentile both databases agree on.

A referral belongs to a report when its team is in the reader's scope and it matches the
filters (practice, need domain, source, service); "received in the period" is the usual cohort.
"""

import datetime
import statistics
from collections.abc import Sequence

from django.db import connection
from django.db.models import (
    Aggregate,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
)

from referrals.models import Referral, ServiceReferral

from ..filters import ReportFilters


def referrals_in_scope(filters: ReportFilters) -> QuerySet[Referral]:
    referrals: QuerySet[Referral] = Referral.objects.filter(team_id__in=filters.team_ids)
    if filters.practice_id:
        referrals = referrals.filter(referring_practice_id=filters.practice_id)
    if filters.need_domain:
        referrals = with_reason(referrals, filters.need_domain)
    if filters.source:
        referrals = referrals.filter(source=filters.source)
    if filters.service_id is not None:
        referrals = referrals.filter(
            Exists(
                ServiceReferral.objects.filter(
                    referral_id=OuterRef("pk"), service_id=filters.service_id
                )
            )
        )
    return referrals


def received_in_period(filters: ReportFilters) -> QuerySet[Referral]:
    return referrals_in_scope(filters).filter(
        received_at__gte=filters.period.start, received_at__lt=filters.period.end
    )


def closed_in_period(filters: ReportFilters) -> QuerySet[Referral]:
    return referrals_in_scope(filters).filter(
        status="closed", closed_at__gte=filters.period.start, closed_at__lt=filters.period.end
    )


def with_reason(referrals: QuerySet[Referral], code: str) -> QuerySet[Referral]:
    """Referrals giving `code` among their reasons (jsonb containment; a text match on
    SQLite, which has no JSON containment, where the quoted code cannot match another)."""
    if connection.vendor == "postgresql":
        return referrals.filter(reasons__contains=[code])
    return referrals.filter(reasons__icontains=f'"{code}"')


def reason_lookup(code: str) -> dict:
    if connection.vendor == "postgresql":
        return {"reasons__contains": [code]}
    return {"reasons__icontains": f'"{code}"'}


def elapsed(end: str, start: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont: linear interpolation between the two nearest values."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=fraction, **extra)


def _days(value: datetime.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 86400, 1)


def duration_summary(queryset: QuerySet, expression) -> tuple[int, float | None, float | None]:
    """(n, median days, 90th percentile days) of `expression` over the rows where it is known.
    PostgreSQL computes them; elsewhere (SQLite in development) the same interpolation is
    done on the fetched values."""
    rows = queryset.annotate(_elapsed=expression).filter(_elapsed__isnull=False)
    if connection.vendor == "postgresql":
        from django.db.models import Count

        result = rows.aggregate(
            n=Count("pk"),
            median=PercentileCont("_elapsed", 0.5),
            p90=PercentileCont("_elapsed", 0.9),
        )
        return result["n"], _days(result["median"]), _days(result["p90"])
    values = [v.total_seconds() / 86400 for v in rows.values_list("_elapsed", flat=True)]
    return len(values), *interpolated(values)


def interpolated(values: Sequence[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    if len(values) == 1:
        return round(values[0], 1), round(values[0], 1)
    ordered = sorted(values)
    median = statistics.median(ordered)
    p90 = statistics.quantiles(ordered, n=10, method="inclusive")[8]
    return round(median, 1), round(p90, 1)
