from celery import shared_task

from .services import subscriptions


@shared_task(
    bind=True,
    name="interop.deliver_subscription_notification",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    ignore_result=True,
    time_limit=60,
)
def deliver_subscription_notification(self, notification_id: int) -> str:
    """Thin: the service sends once under a row lock and counts attempts; the task owns the
    back-off between them."""
    outcome = subscriptions.deliver_notification(notification_id=notification_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(name="interop.record_task_events", acks_late=True, ignore_result=True, time_limit=60)
def record_task_events() -> int:
    """Periodic (every few seconds): referral status changes become subscription notifications."""
    return subscriptions.record_task_events()
