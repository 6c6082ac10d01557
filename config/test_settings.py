"""Settings for the test suite (pytest's DJANGO_SETTINGS_MODULE): config.settings with what the
tests need on top. Processes the tests start (manage.py, Celery workers) use config.settings."""

import os

from django.conf import global_settings

from config.settings import *  # noqa: F403
from config.settings import CACHES, DATABASES, MIDDLEWARE, REDIS_URL, STORAGES

# Passwords: production hashes with PBKDF2 at a million rounds (most of a second of CPU each), and
# every user a test makes or signs in would pay it. The tests hash with MD5 instead; a test about
# how secrets are stored asks for the production list back.
PRODUCTION_PASSWORD_HASHERS = list(global_settings.PASSWORD_HASHERS)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PRODUCTION_PASSWORD_HASHERS]

# Tests talk plain HTTP to the test client and the live server.
SECURE_SSL_REDIRECT = False
# No collectstatic in tests: serve static files by name.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each xdist worker gets its own Redis database for the cache, so clearing it is safe.
# REDIS_URL's own database is the broker; the cache of worker gwN uses the Nth one after it.
if REDIS_URL:
    _base, _, _broker_db = REDIS_URL.rpartition("/")
    _worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    CACHES = {
        "default": {
            **CACHES["default"],
            "LOCATION": f"{_base}/{(int(_broker_db or 0) + 1 + _worker) % 16}",
        }
    }

# N+1 guard (django-zeal): inside any request a test makes (test client or live server), a lazy
# load repeated in a loop fails the test with the call site. Per request, not per test: a test
# that makes several requests legitimately repeats the same lookups. The app is not installed (it
# patches every model); tests/conftest.py does the patching its AppConfig.ready would do.
MIDDLEWARE = ["zeal.middleware.zeal_middleware", *MIDDLEWARE]
ZEAL_RAISE = True
# Each entry says why the repeated load is fine.
ZEAL_ALLOWLIST = [
    # Ending a person's sessions deletes each through the session engine's API, one per device.
    {"model": "sessions.Session"},
]

# The evaluation extract's pseudonym key (production reads it from the environment or a file).
EVALUATION_PSEUDONYM_KEY = "test-only-pseudonym-key-0123456789-abcdefghijklmnop"  # noqa: S105
# A second alias on a database of its own, standing in for the read replica
# (DATABASE_REPLICA_URL): tests/test_read_replica.py shows which reads go where. Created only for
# the tests that ask for it (pytest-django sets up the aliases the collected tests use).
if "replica" not in DATABASES:
    _default = DATABASES["default"]
    DATABASES = {
        **DATABASES,
        "replica": {**_default, "NAME": f"{_default['NAME']}_replica", "TEST": {}},
    }
