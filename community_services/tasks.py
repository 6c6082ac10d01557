from celery import shared_task

from .services import expire_lapsed_vettings


@shared_task(name="community_services.expire_lapsed_vettings")
def expire_lapsed_vettings_task() -> int:
    """Daily: approved services whose vetting has lapsed stop being referable."""
    return expire_lapsed_vettings()
