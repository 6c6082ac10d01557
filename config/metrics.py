"""/metrics for Prometheus: django-prometheus's request and database metrics plus our gauges
(common.metrics registry), behind METRICS_ENABLED and a bearer token (METRICS_TOKEN).

Our gauges are read at scrape time from the database, Redis and the checkpoint file, so every
app server reports the same values; a failing reading is left out of that scrape and logged,
never a 500 (the scrape's own metrics stay useful).
"""

import hmac
import logging
import os

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from common.metrics import register_gauge, registered_gauges

logger = logging.getLogger("config.metrics")


def celery_queue_depth() -> dict[str, float]:
    """Messages waiting in each queue we publish to (Redis lists named after the queue)."""
    import redis

    queues = sorted({"celery", settings.REMINDER_QUEUE})
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=settings.BROKER_CONNECT_TIMEOUT_SECONDS,
        socket_timeout=settings.BROKER_SOCKET_TIMEOUT_SECONDS,
    )
    try:
        return {queue: float(client.llen(queue)) for queue in queues}
    finally:
        client.close()


class OwnGauges:
    """A Prometheus collector over the registered gauges."""

    def collect(self):
        for gauge in registered_gauges():
            try:
                reading = gauge.read()
            except Exception:
                logger.exception("metrics: reading %s failed", gauge.name)
                continue
            if isinstance(reading, dict):
                family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=[gauge.label])
                for value, number in sorted(reading.items()):
                    family.add_metric([value], number)
            else:
                family = GaugeMetricFamily(gauge.name, gauge.documentation, value=reading)
            yield family


def _library_registry():
    """django-prometheus's metrics: per process, or summed over gunicorn's workers when
    PROMETHEUS_MULTIPROC_DIR is set (the systemd unit sets it)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def _authorised(request) -> bool:
    expected = f"Bearer {settings.METRICS_TOKEN}"
    given = request.headers.get("Authorization", "")
    return bool(settings.METRICS_TOKEN) and hmac.compare_digest(given, expected)


@never_cache
@require_GET
def metrics(request):
    """404 when metrics are off (nothing to find); 401 without the token."""
    if not settings.METRICS_ENABLED:
        raise Http404
    if not _authorised(request):
        response = HttpResponse("Unauthorised\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = "Bearer"
        return response
    own = CollectorRegistry(auto_describe=False)
    own.register(OwnGauges())
    body = generate_latest(_library_registry()) + generate_latest(own)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


def register() -> None:
    if settings.REDIS_URL:
        register_gauge(
            "sp_celery_queue_depth",
            "Task messages waiting in each Celery queue.",
            celery_queue_depth,
            label="queue",
        )
