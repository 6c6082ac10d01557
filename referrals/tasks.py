from celery import shared_task

from . import services


@shared_task(name="referrals.purge_expired_idempotency_keys")
def purge_expired_idempotency_keys() -> int:
    """Keys are kept 24 hours; expired ones are also ignored when met, so this only tidies."""
    from .idempotency import purge_expired_keys

    return purge_expired_keys()


@shared_task(name="referrals.sweep_referral_waiting", acks_late=True, time_limit=300)
def sweep_referral_waiting() -> int:
    """Beat: received referrals waiting too long for triage → the team and its manager."""
    from accounts.services import run_sweep

    return run_sweep(kind="referral_waiting", sweep=services.sweep_referral_waiting).created_count


@shared_task(name="referrals.sweep_provider_not_answering", acks_late=True, time_limit=300)
def sweep_provider_not_answering() -> int:
    """Beat: onward referrals still "sent" → nudge the provider, later mark "no response"."""
    from accounts.services import run_sweep

    return run_sweep(
        kind="provider_not_answering", sweep=services.sweep_provider_not_answering
    ).created_count


@shared_task(name="referrals.sweep_attendance_check", acks_late=True, time_limit=300)
def sweep_attendance_check() -> int:
    """Beat: accepted, never marked attended → ask the patient (consented channels only)."""
    from accounts.services import run_sweep

    return run_sweep(kind="attendance_check", sweep=services.sweep_attendance_check).created_count


@shared_task(name="referrals.sweep_onward_service_expired", acks_late=True, time_limit=300)
def sweep_onward_service_expired() -> int:
    """Beat: a service's vetting lapsed → the coordinators with open onward referrals to it."""
    from accounts.services import run_sweep

    return run_sweep(
        kind="onward_service_expired", sweep=services.sweep_onward_service_expired
    ).created_count
