import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app, ping


@pytest.mark.redis
def test_a_task_round_trips_through_the_real_redis_broker(settings):
    """On a queue of its own: an in-process worker's queue selection outlives it, and other
    tests' workers must not take this task."""
    assert app.conf.broker_url.startswith("redis://")
    queue = f"roundtrip-{uuid.uuid4().hex}"
    with start_worker(
        app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=10
    ):
        result = ping.apply_async(queue=queue)
        assert result.get(timeout=20) == "pong"
