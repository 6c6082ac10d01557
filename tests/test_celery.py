import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app, ping


@pytest.mark.redis
def test_a_task_round_trips_through_the_real_redis_broker(settings):
    assert app.conf.broker_url.startswith("redis://")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = ping.delay()
        assert result.get(timeout=20) == "pong"
