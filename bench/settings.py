"""Production settings for the benchmark over plain HTTP on 127.0.0.1: only the cookies' Secure
flag is dropped (gunicorn is not behind TLS here), everything else is config.settings."""

import os

from config.settings import *  # noqa: F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# The sweep's workers write each email to a file here, so the bench can count every message.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH")

# bench/casefinding.py: its own Celery worker consumes a queue of the run's own.
if os.environ.get("BENCH_CELERY_QUEUE"):
    CELERY_TASK_DEFAULT_QUEUE = os.environ["BENCH_CELERY_QUEUE"]
