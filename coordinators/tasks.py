from celery import shared_task

from accounts.services import run_sweep

from . import services


@shared_task(name="coordinators.sweep_review_due", acks_late=True, time_limit=300)
def sweep_review_due() -> int:
    """Beat: reviews coming up → the coordinator (24 hours) and the consenting patient (48)."""
    return run_sweep(kind="review_due", sweep=services.sweep_review_due).created_count


@shared_task(name="coordinators.sweep_review_overdue", acks_late=True, time_limit=300)
def sweep_review_overdue() -> int:
    """Beat: reviews not recorded 2 working days after → the coordinator; 5 → the managers."""
    return run_sweep(kind="review_overdue", sweep=services.sweep_review_overdue).created_count
