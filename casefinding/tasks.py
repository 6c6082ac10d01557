from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    name="casefinding.import_case_finding_list",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
    time_limit=600,
)
def import_case_finding_list(upload_id: int) -> int:
    """Thin: the service imports a chunk per transaction and resumes where it stopped."""
    return services.import_upload(upload_id=upload_id).created_entries
