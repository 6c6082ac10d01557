from celery import shared_task


@shared_task(name="community_services.sweep_vetting_expiring", acks_late=True, time_limit=300)
def sweep_vetting_expiring_task() -> int:
    """Beat, weekly: the vetters' digest of services whose vetting expires soon."""
    from accounts.services import run_sweep

    from .services import sweep_vetting_expiring

    return run_sweep(kind="vetting_expiring", sweep=sweep_vetting_expiring).created_count


@shared_task(name="community_services.sweep_vetting_expired", acks_late=True, time_limit=300)
def sweep_vetting_expired_task() -> int:
    """Beat, daily: lapsed vettings expire (the services stop being referable); vetters are told."""
    from accounts.services import run_sweep

    from .services import sweep_vetting_expired

    return run_sweep(kind="vetting_expired", sweep=sweep_vetting_expired).created_count
