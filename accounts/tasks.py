from celery import shared_task
from django.conf import settings

from . import services


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


@shared_task(name="accounts.recover_reminders", acks_late=True, ignore_result=True, time_limit=120)
def recover_reminders() -> int:
    """Periodic: re-enqueue reminders a dead worker left claimed, or whose message was lost."""
    return services.recover_reminders()
