"""Production settings for the benchmark over plain HTTP on 127.0.0.1: only the cookies' Secure
flag is dropped (gunicorn is not behind TLS here), everything else is config.settings."""

from config.settings import *  # noqa: F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
