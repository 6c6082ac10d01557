"""The community services report: onward referrals (sent in the period, from the reader's
teams' cases) by service and provider with the providers' answers; providers not answering;
and capacity over time from the monthly snapshots."""

import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from community_services.models import Capacity, Service
from referrals.models import ServiceReferral, ServiceReferralStatus

from ..filters import ReportFilters
from ..tables import LABEL, TEXT, Column, Table
from .base import referrals_in_scope

# A whole service has thousands of services and hundreds of providers: the page shows the
# busiest, the CSV all of them.
PAGE_ROWS = 25


def onward_referrals(filters: ReportFilters):
    return ServiceReferral.objects.filter(
        referral__in=referrals_in_scope(filters),
        sent_at__gte=filters.period.start,
        sent_at__lt=filters.period.end,
    )


def onward_referrals_by_service(*, filters: ReportFilters) -> Table:
    rows = [
        [
            row["service__name"],
            row["service__provider__name"],
            row["sent"],
            row["accepted"],
            row["declined"],
            row["attended"],
            row["dna"],
            row["completed"],
            row["awaiting"],
            str(row["service__public_id"]),
        ]
        for row in onward_referrals(filters)
        .values("service__name", "service__provider__name", "service__public_id")
        .annotate(
            sent=Count("pk"),
            accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
            declined=Count("pk", filter=Q(declined_at__isnull=False)),
            attended=Count("pk", filter=Q(attended_at__isnull=False)),
            dna=Count("pk", filter=Q(did_not_attend_at__isnull=False)),
            completed=Count("pk", filter=Q(completed_at__isnull=False)),
            awaiting=Count(
                "pk",
                filter=Q(
                    status__in=[ServiceReferralStatus.SENT, ServiceReferralStatus.NO_RESPONSE]
                ),
            ),
        )
        .order_by("-sent", "service__name")
    ]
    return Table(
        key="by_service",
        title="Onward referrals by service",
        columns=(
            Column("Service", LABEL),
            Column("Provider", TEXT),
            Column("Sent"),
            Column("Accepted"),
            Column("Declined"),
            Column("Attended"),
            Column("Did not attend"),
            Column("Completed"),
            Column("Awaiting an answer"),
            Column("Service id", TEXT),
        ),
        rows=rows,
        definition="onward_by_service",
        chart="hbar",
        chart_columns=(2, 3, 5),
        page_rows=PAGE_ROWS,
    )


def providers_not_answering(*, filters: ReportFilters) -> Table:
    """Per provider: onward referrals still unanswered after the nudge period, and those the
    sweep marked "no response"."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.PROVIDER_NUDGE_AFTER_DAYS)
    rows = [
        [row["service__provider__name"], row["overdue"], row["no_response"]]
        for row in onward_referrals(filters)
        .values("service__provider__name")
        .annotate(
            overdue=Count("pk", filter=Q(status=ServiceReferralStatus.SENT, sent_at__lt=cutoff)),
            no_response=Count("pk", filter=Q(status=ServiceReferralStatus.NO_RESPONSE)),
        )
        .filter(Q(overdue__gt=0) | Q(no_response__gt=0))
        .order_by("-no_response", "-overdue", "service__provider__name")
    ]
    return Table(
        key="not_answering",
        title="Providers not answering",
        columns=(
            Column("Provider", LABEL),
            Column(f"Unanswered after {settings.PROVIDER_NUDGE_AFTER_DAYS} days"),
            Column("Marked no response"),
        ),
        rows=rows,
        definition="providers_not_answering",
        chart="hbar",
        chart_columns=(1, 2),
        page_rows=PAGE_ROWS,
    )


def capacity_now() -> dict[str, int]:
    """How many approved services say they are accepting, have a waiting list, or paused."""
    counts = dict(
        Service.objects.filter(status="approved")
        .values_list("capacity")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {code: counts.get(code, 0) for code in Capacity.values}


def capacity_over_time(*, filters: ReportFilters) -> Table:
    """Capacity is kept only as it is now, so its history is what each monthly snapshot
    recorded on the 1st, and today's counts as the last row."""
    from ..models import MonthlySnapshot

    history: dict[datetime.date, dict] = {}
    for month, tables in (
        MonthlySnapshot.objects.filter(
            month__gte=filters.period.first_day.replace(day=1), month__lte=filters.period.last_day
        )
        .order_by("month")
        .values_list("month", "tables")
    ):
        history.setdefault(month, tables.get("capacity", {}))
    rows = [
        [f"{month:%b %Y} (snapshot)", *(counts.get(c, 0) for c in Capacity.values)]
        for month, counts in history.items()
    ]
    now = capacity_now()
    rows.append(["Today", *(now[c] for c in Capacity.values)])
    return Table(
        key="capacity",
        title="Capacity of approved services over time",
        columns=(Column("When", LABEL), *(Column(c.label) for c in Capacity)),
        rows=rows,
        definition="capacity_over_time",
        chart="line",
        chart_columns=tuple(range(1, len(Capacity) + 1)),
    )
