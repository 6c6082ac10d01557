"""Health checks for load balancers and orchestrators.

- `/healthz/live`: the process answers (touches nothing): restart it when this fails.
- `/healthz/ready`: it can serve (the database and the broker): take it out of the load balancer
  while this fails, but do not restart it. The read replica is left out on purpose: a reporting
  copy that is down must not take every web server out of rotation.
- `/healthz`: the readiness check under its original name, for existing monitors.
"""

from django.conf import settings
from django.db import connection, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection


def database_is_up(alias: str | None = None) -> bool:
    """Whether the primary (or the given alias) answers a trivial query."""
    try:
        with (connections[alias] if alias else connection).cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def broker_is_up() -> bool:
    timeout = settings.HEALTH_BROKER_TIMEOUT_SECONDS
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options={
                **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
                "socket_connect_timeout": timeout,
                "socket_timeout": timeout,
            },
            connect_timeout=timeout,
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
            return True
    except Exception:
        return False


@never_cache
@require_GET
def live(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request):
    checks = {"database": database_is_up(), "broker": broker_is_up()}
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            **{name: "up" if up else "down" for name, up in checks.items()},
        },
        status=200 if healthy else 503,
    )
