from celery import shared_task

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
