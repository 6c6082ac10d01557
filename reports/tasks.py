from celery import shared_task

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
    """Beat, hourly: rebuild the day summaries the report pages read (the run's id)."""
    return services.refresh_report_summaries().pk
