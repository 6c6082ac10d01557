from celery import shared_task

from accounts.services import run_sweep

from . import services


@shared_task(
    name="gp_messages.produce_message_back",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def produce_message_back(case_id: int, moment: str, review_id: int | None = None) -> int | None:
    """Enqueued on commit by the casework services at each moment; safe to retry (made once)."""
    message = services.produce_message_back(case_id=case_id, moment=moment, review_id=review_id)
    return message.pk if message else None


@shared_task(name="gp_messages.sweep_unfiled_messages", acks_late=True, time_limit=300)
def sweep_unfiled_messages() -> int:
    """Beat, hourly: messages the practice has not filed after the set working days → a reminder."""
    return run_sweep(
        kind="message_back_unfiled", sweep=services.sweep_unfiled_messages
    ).created_count
