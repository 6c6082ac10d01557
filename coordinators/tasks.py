from celery import shared_task


@shared_task(name="coordinators.sweep_review_due", acks_late=True, time_limit=300)
def sweep_review_due() -> int:
    """Beat: reviews starting soon → a reminder to the case's coordinator."""
    from accounts.services import run_sweep

    from .services import sweep_review_due

    return run_sweep(kind="review_due", sweep=sweep_review_due).created_count
