import time
from collections import Counter

from celery import shared_task
from django.conf import settings

from . import audit_chain, services


@shared_task(
    bind=True,
    name="accounts.deliver_reminder",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    ignore_result=True,
    soft_time_limit=settings.REMINDER_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.REMINDER_TASK_TIME_LIMIT,
)
def deliver_reminder(self, reminder_id: int) -> str:
    """Thin: the service claims the reminder atomically, so a duplicate or retried task never
    sends twice. The reminder's attempts count decides when to give up, not Celery's."""
    outcome = services.deliver_reminder(reminder_id=reminder_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(
    name="accounts.deliver_reminders",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=settings.REMINDER_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.REMINDER_TASK_TIME_LIMIT,
)
def deliver_reminders(reminder_ids: list[int]) -> dict:
    """A batch from a sweep, claimed in one statement and each sent and marked on its own. One
    that needs another attempt goes back as its own task with its backoff; what is left when
    half the soft time limit has gone (a slow provider) goes back as a new batch."""
    stop_at = time.monotonic() + settings.REMINDER_TASK_SOFT_TIME_LIMIT / 2
    outcomes = services.deliver_reminders(reminder_ids=reminder_ids, stop_at=stop_at)
    released = [pk for pk, outcome in outcomes.items() if outcome.status == "released"]
    if released:
        services.enqueue_reminder_deliveries(released)
    for reminder_id, outcome in outcomes.items():
        if outcome.retry_in is not None:
            services.enqueue_reminder_delivery(reminder_id, countdown=outcome.retry_in)
    return dict(Counter(outcome.status for outcome in outcomes.values()))


@shared_task(name="accounts.recover_reminders", acks_late=True, ignore_result=True, time_limit=120)
def recover_reminders() -> int:
    """Periodic: re-enqueue reminders a dead worker left claimed, or whose message was lost."""
    return services.recover_reminders()


@shared_task(name="accounts.write_audit_checkpoint", ignore_result=True, time_limit=60)
def write_audit_checkpoint() -> int:
    """Thin: beat pins the audit chain's head every few minutes (see accounts.audit_chain)."""
    return audit_chain.write_audit_checkpoint()["last_id"]
