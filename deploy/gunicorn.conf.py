"""gunicorn for one app server: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Every value can be changed from the environment (the systemd unit reads /etc/social-prescribing/
env). The defaults come from a measurement on this project's 2-core CI machine
(`bench/gunicorn_workers.py`: 16 clients for 15 s on the directory feed, its taxonomy and the
sign-in page, against each shape; bench/results/gunicorn-2026-12-03T133617.json, taken with the
machine shared and heavily loaded, so compare the shapes, not the absolute figures):

    sync     5 workers            28.5 req/s   p95 1081 ms
    gthread  2 workers x 4        38.2 req/s   p95  820 ms
    gthread  2 workers x 8        45.2 req/s   p95  709 ms   <- the default shape
    gthread  4 workers x 4        36.1 req/s   p95 1002 ms

Requests spend much of their time waiting on PostgreSQL and Redis, so threads serve more than
extra processes (which also cost memory and compete for the same cores). One process per core
with 8 threads; on a bigger machine start from GUNICORN_WORKERS = cores and measure again.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count())
threads = _int("GUNICORN_THREADS", 8)
# Django keeps a database connection per thread (DB_CONN_MAX_AGE): workers x threads per app
# server must stay below PostgreSQL's max_connections divided by the number of app servers.

# A request may take at most this long before its worker is restarted; nginx's own
# proxy_read_timeout (deploy/nginx/social-prescribing.conf) is a little longer, so the proxy
# reports gunicorn's answer rather than its own.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM (a deploy, systemctl stop) requests in flight get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# nginx keeps connections to us open between requests (upstream keepalive).
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Restart each worker now and then, staggered, so a slow leak can never take a server down.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Only our own proxy may set X-Forwarded-Proto/For; the app then trusts them (BEHIND_PROXY and
# TRUSTED_PROXY_COUNT in the environment file).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips

# Access log to stdout (the journal); link tokens are redacted by referrals.apps. No query
# strings: they can carry search terms typed by staff.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'
errorlog = "-"
# gunicorn's own error lines and tracebacks scrubbed of patient details, as ours are.
logger_class = "config.gunicorn_logging.ScrubbedErrorLogger"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Several app servers on one host (the smoke test) tell their logs apart by this.
proc_name = os.environ.get("GUNICORN_PROC_NAME", "social-prescribing")


def child_exit(server, worker):
    """django-prometheus in multiprocess mode: a dead worker's live gauges are dropped."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
