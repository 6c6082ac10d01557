from celery import shared_task

from . import services


@shared_task(
    name="referrals.email_referrer_about_event",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
)
def email_referrer_about_event(event_id: int) -> bool:
    """Thin: the service sends at most once per event, so a retry is safe."""
    return services.email_referrer_about_event(event_id=event_id)


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


@shared_task(
    name="referrals.email_provider_link",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
)
def email_provider_link(link_id: int) -> bool:
    """Thin: the service emails each link at most once, so a retry is safe."""
    return services.email_provider_link(link_id=link_id)
