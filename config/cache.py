"""The cache is an accelerator, never a dependency: with Redis unreachable, sign-in, pages and the
API keep working on a per-process in-memory cache, and the log says so.

What uses the cache here are rate limits (allauth's login limits, DRF throttles): while Redis
is down they count per web process instead of across all of them (fail open, still bounded), and
go back to Redis by themselves once it answers again.
"""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache that falls back to a LocMemCache on connection errors.

    After a failure Redis is left alone for FALLBACK_SECONDS (a top-level key of the cache's
    settings, 30 by default), so a request does not pay a connection attempt per cache call.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self.fallback_seconds = float(params.get("FALLBACK_SECONDS", 30))
        fallback_params = {k: v for k, v in params.items() if k not in ("OPTIONS", "BACKEND")}
        self._fallback = LocMemCache(f"fail-open:{server}", fallback_params)
        self._lock = threading.Lock()
        self._redis_down_until = 0.0

    @property
    def using_fallback(self) -> bool:
        return time.monotonic() < self._redis_down_until

    def _redis_unreachable(self, exc: Exception) -> None:
        with self._lock:
            already = self.using_fallback
            self._redis_down_until = time.monotonic() + self.fallback_seconds
        if not already:
            log.warning(
                "Cache unavailable (%s: %s): using a local in-memory cache for %.0f s; rate "
                "limits count per process until Redis answers again.",
                type(exc).__name__,
                exc,
                self.fallback_seconds,
            )

    def _call(self, name: str, *args, **kwargs):
        if not self.using_fallback:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except UNREACHABLE as exc:
                self._redis_unreachable(exc)
        return getattr(self._fallback, name)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        self._fallback.clear()
        return self._call("clear")
