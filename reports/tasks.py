from celery import shared_task
from django.db import transaction

from . import services


@shared_task(
    name="reports.build_monthly_snapshots",
    acks_late=True,
    time_limit=1800,
    autoretry_for=(Exception,),
    retry_backoff=60,
    max_retries=5,
)
def build_monthly_snapshots() -> int:
    """Beat, on the 1st: last month's frozen figures per team (a re-run builds nothing new)."""
    return len(services.build_monthly_snapshots())


@shared_task(
    name="reports.refresh_report_summaries",
    acks_late=True,
    time_limit=1800,
    autoretry_for=(Exception,),
    retry_backoff=60,
    max_retries=3,
)
def refresh_report_summaries() -> int:
    """Beat, hourly: rebuild the day summaries the report pages read (the run's id), then
    count the figures readers open first."""
    run = services.refresh_report_summaries()
    transaction.on_commit(warm_report_figures.delay)
    return run.pk


@shared_task(name="reports.warm_report_figures", acks_late=True, time_limit=1800)
def warm_report_figures() -> int:
    """After each rebuild: last year's and last month's pages kept for every reader's scope."""
    return services.warm_report_figures()
