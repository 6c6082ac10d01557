"""The Celery app: configured from Django settings (CELERY_*), tasks discovered per app."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("social_prescribing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping")
def ping() -> str:
    """A task that touches nothing, for round-trip checks of broker and worker."""
    return "pong"


@setup_logging.connect
def log_as_the_web_does(**kwargs) -> None:
    """Workers and beat log through Django's LOGGING (JSON, patient details scrubbed from
    tracebacks: common.log_formatters) instead of Celery's own handler, which would write a
    failed task's traceback as it is."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
