"""The waiting-times report: how long each step took (median and 90th percentile, in days of
elapsed time, so a clock change neither adds nor loses an hour), and who is still waiting."""

import datetime
from typing import cast

from django.db.models import Case, F, Min, OuterRef, Q, QuerySet, Subquery, When
from django.utils import timezone

from referrals.models import Referral, ReferralQuerySet, ServiceReferral

from ..filters import ReportFilters
from ..tables import DERIVED, LABEL, TEXT, Column, Table
from .base import duration_summary, elapsed, received_in_period, referrals_in_scope

WAIT_BANDS = [
    (0, 7, "Under 1 week"),
    (7, 14, "1 to 2 weeks"),
    (14, 28, "2 to 4 weeks"),
    (28, 56, "4 to 8 weeks"),
    (56, None, "8 weeks or more"),
]


def _first_onward(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    first = (
        ServiceReferral.objects.filter(referral_id=OuterRef("pk"))
        .order_by()
        .values("referral_id")
        .annotate(first=Min("sent_at"))
        .values("first")
    )
    return referrals.annotate(first_onward_at=Subquery(first))


def waiting_time_summary(*, filters: ReportFilters) -> Table:
    received = received_in_period(filters)
    triaged = received.annotate(
        triaged_at=Case(
            When(accepted_at__isnull=False, then=F("accepted_at")),
            When(status="declined", then=F("closed_at")),
        )
    )
    onward = ServiceReferral.objects.filter(
        referral__in=referrals_in_scope(filters),
        sent_at__gte=filters.period.start,
        sent_at__lt=filters.period.end,
    ).annotate(
        answered_at=Case(
            When(accepted_at__isnull=False, then=F("accepted_at")),
            When(declined_at__isnull=False, then=F("declined_at")),
        )
    )
    steps = [
        ("Received to triaged", triaged, elapsed("triaged_at", "received_at")),
        ("Received to first contact", received, elapsed("first_contact_at", "received_at")),
        (
            "First contact to first onward referral",
            _first_onward(received),
            elapsed("first_onward_at", "first_contact_at"),
        ),
        ("Onward referral to provider's answer", onward, elapsed("answered_at", "sent_at")),
    ]
    rows = []
    for label, queryset, expression in steps:
        n, median, p90 = duration_summary(queryset, expression)
        rows.append([label, n, median, p90])
    return Table(
        key="waits",
        title="Waiting times (days)",
        columns=(
            Column("Step", LABEL),
            Column("Measured"),
            Column("Median days", DERIVED, base=1),
            Column("90th percentile days", DERIVED, base=1),
        ),
        rows=rows,
        definition="waiting_times",
        chart="hbar",
        chart_columns=(2, 3),
    )


def _still_waiting(filters: ReportFilters) -> QuerySet[Referral]:
    received = cast(ReferralQuerySet, received_in_period(filters))
    return received.open().filter(first_contact_at__isnull=True)


def still_waiting_for_first_contact(*, filters: ReportFilters) -> Table:
    """Open referrals from the period with no first contact yet, by how long they have waited
    (now, not at the period's end: the people waiting today)."""
    now = timezone.now()
    counts = _still_waiting(filters).aggregate(
        **{
            f"band{i}": _count_between(now, low, high)
            for i, (low, high, _) in enumerate(WAIT_BANDS)
        }
    )
    return Table(
        key="still_waiting",
        title="Still waiting for first contact",
        columns=(Column("Waiting so far", LABEL), Column("Referrals")),
        rows=[[label, counts[f"band{i}"]] for i, (_, _, label) in enumerate(WAIT_BANDS)],
        definition="still_waiting",
        chart="bar",
    )


def _count_between(now: datetime.datetime, low: int, high: int | None):
    from django.db.models import Count

    condition = Q(received_at__lte=now - datetime.timedelta(days=low))
    if high is not None:
        condition &= Q(received_at__gt=now - datetime.timedelta(days=high))
    return Count("pk", filter=condition)


# A manager sees the longest waits case by case (never a commissioner: see reports.scope).
WAITING_CASES_SHOWN = 50


def longest_waiting_cases(*, filters: ReportFilters) -> Table:
    now = timezone.now()
    cases = (
        _still_waiting(filters)
        .select_related("assigned_to", "team")
        .only(
            "reference",
            "received_at",
            "status",
            "urgency",
            "assigned_to__first_name",
            "assigned_to__last_name",
            "assigned_to__email",
            "team__name",
        )
        .order_by("received_at", "id")[:WAITING_CASES_SHOWN]
    )
    rows = [
        [
            case.reference,
            case.team.name,
            case.get_status_display(),
            case.get_urgency_display(),
            f"{timezone.localtime(case.received_at):%d %b %Y}",
            (now - case.received_at).days,
            case.assigned_to.display_name if case.assigned_to else "Not assigned",
        ]
        for case in cases
    ]
    return Table(
        key="waiting_cases",
        title=f"The longest waits, case by case (up to {WAITING_CASES_SHOWN})",
        columns=(
            Column("Referral", LABEL),
            Column("Team", TEXT),
            Column("Status", TEXT),
            Column("Urgency", TEXT),
            Column("Received", TEXT),
            Column("Days waiting", TEXT),
            Column("Coordinator", TEXT),
        ),
        rows=rows,
        definition="still_waiting",
        chart=None,
    )
