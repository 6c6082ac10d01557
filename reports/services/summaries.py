"""Rebuilding the summaries the report pages read (`reports.models.ReferralDaySummary`,
`NeedDomainDaySummary`, and from them `ReferralMonthSummary`): every day before today and
every whole month before this one, from the referrals as they stand now, in one transaction,
so a reader sees the old summaries or the new ones, never half. A referral that
changes after a run (accepted, contacted, closed) shows the change in the summarised days at
the next run; beat runs it hourly (config.settings)."""

import datetime
import time

from django.db import connection, models, transaction
from django.db.models import Count, DateField, Model, QuerySet, Sum, Value
from django.db.models.functions import Trunc
from django.utils import timezone

from accounts.models import Role, User
from community_services.need_domains import NeedDomain
from referrals.models import Referral

from .. import periods
from ..charts import chart_data_uri
from ..filters import ReportFilters
from ..models import NeedDomainDaySummary, ReferralDaySummary, ReferralMonthSummary, SummaryRun
from ..pages import PAGES, kept_figures
from ..periods import local_midnight
from ..scope import report_scope
from ..selectors import equity, funnel, referrals  # noqa: F401  (they register their figures)
from ..selectors.base import with_reason
from ..selectors.cohort import COUNTED, SUMMARY_DIMENSIONS, Counted, with_dimensions
from ..suppression import threshold


def _insert_from(model: type[Model], columns: list[str], queryset: QuerySet) -> None:
    """INSERT … SELECT the grouped queryset's columns, by their names, into the model's table."""
    sql, params = queryset.query.sql_with_params()
    fields = {f.attname: f.column for f in model._meta.concrete_fields}
    quoted = ", ".join(connection.ops.quote_name(fields[name]) for name in columns)
    picked = ", ".join(f"sub.{connection.ops.quote_name(name)}" for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            # Only the model's own table and column names and the ORM's compiled SQL are
            # written in; every value travels as a parameter.
            f"INSERT INTO {model._meta.db_table} ({quoted}) SELECT {picked} FROM ({sql}) sub",  # noqa: S608
            params,
        )


@transaction.atomic
def refresh_report_summaries(*, now: datetime.datetime | None = None) -> SummaryRun:
    now = now or timezone.now()
    started = time.monotonic()
    before = timezone.localdate(now)
    referrals = Referral.objects.filter(received_at__lt=local_midnight(before))
    ReferralDaySummary.objects.all().delete()
    NeedDomainDaySummary.objects.all().delete()
    names = list(SUMMARY_DIMENSIONS)
    grouped = with_dimensions(referrals, names).values(*names).annotate(n=Count("pk")).order_by()
    _insert_from(ReferralDaySummary, [*names, "n"], grouped)
    day_names = ["day", "team_id", "referring_practice_id", "source"]
    for code in NeedDomain.values:
        giving = with_dimensions(with_reason(referrals, code), day_names)
        _insert_from(
            NeedDomainDaySummary,
            [*day_names, "need_domain", "n"],
            giving.values(*day_names).annotate(n=Count("pk"), need_domain=Value(code)).order_by(),
        )
    ReferralMonthSummary.objects.all().delete()
    whole_months = before.replace(day=1)
    for figure in COUNTED.values():
        _write_months(figure, whole_months)
    _write_need_domain_months(whole_months)
    SummaryRun.objects.all().delete()  # only the latest run says anything
    return SummaryRun.objects.create(
        built_at=now, summarised_before=before, seconds=round(time.monotonic() - started, 3)
    )


def _by_month(model: type[Model], before: datetime.date) -> QuerySet:
    return model._default_manager.filter(day__lt=before).annotate(
        month=Trunc("day", "month", output_field=DateField())
    )


def _write_months(figure: Counted, before: datetime.date) -> None:
    """The figure's counts per whole month, team and source, summed from the day summary."""
    names = list(dict.fromkeys(["month", "team_id", "source", *figure.by]))
    grouped = (
        _by_month(ReferralDaySummary, before)
        .values(*names)
        .annotate(**{f"m_{name}": Sum("n", filter=q) for name, q in figure.measures.items()})
        .order_by()
    )
    ReferralMonthSummary.objects.bulk_create(
        (
            ReferralMonthSummary(
                figure=figure.name,
                month=row["month"],
                team_id=row["team_id"],
                source=row["source"],
                key=[row[name] for name in figure.by],
                counts=[row[f"m_{name}"] or 0 for name in figure.measures],
            )
            for row in grouped.iterator(chunk_size=5000)
        ),
        batch_size=5000,
    )


def _write_need_domain_months(before: datetime.date) -> None:
    grouped = (
        _by_month(NeedDomainDaySummary, before)
        .values("month", "team_id", "source", "need_domain")
        .annotate(total=Sum("n"))
        .order_by()
    )
    ReferralMonthSummary.objects.bulk_create(
        (
            ReferralMonthSummary(
                figure=referrals.BY_NEED_DOMAIN,
                month=row["month"],
                team_id=row["team_id"],
                source=row["source"],
                key=[row["need_domain"]],
                counts=[row["total"]],
            )
            for row in grouped.iterator(chunk_size=5000)
        ),
        batch_size=5000,
    )


def warm_report_figures(*, today: datetime.date | None = None) -> int:
    """Count and keep (`reports.pages.kept_figures`) last financial year's and last month's
    figures of every page, and draw their charts, as each reader's scope opens them with no
    other filter, so the first reader after a rebuild does not wait seconds for a whole
    service's year. Only the cache is written. Returns how many pages were kept."""
    today = today or timezone.localdate()
    readers = User.objects.filter(
        models.Q(is_superuser=True)
        | models.Q(memberships__role__in=[Role.MANAGER, Role.COMMISSIONER]),
        is_active=True,
    ).distinct()
    scopes = {report_scope(user) for user in readers}
    last_year = periods.financial_year(periods.financial_year_of(today) - 1)
    kept = 0
    for scope in scopes:
        if not scope.team_ids:
            continue
        limit = threshold() if scope.suppress else None
        for period in (last_year, periods.last_month(today)):
            filters = ReportFilters(period=period, team_ids=scope.team_ids)
            for page in PAGES.values():
                if page.uses_period and (scope.sees_cases or not page.managers_only):
                    kept_figures(page, filters, limit)
                    for table in kept_figures(page, filters, limit, on_page=True):
                        chart_data_uri(table)  # drawn once, kept too
                    kept += 1
    return kept
