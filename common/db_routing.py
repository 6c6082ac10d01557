"""Reads that tolerate a few seconds' lag go to the read replica (`DATABASE_REPLICA_URL`).

Nothing reads the replica unless it asks to: the primary is the default for every read and
always for writes, so a page that shows what it has just saved never reads a stale copy. A read
path that may lag (a report, an export, the HSDS or FHIR searches) asks in one of two ways:

- `on_replica(queryset)` for one queryset;
- `with replica_reads():` (or `@replica_reads()` on a view) for every ORM read inside, related
  lookups included. Writes inside still go to the primary.

Without a replica configured both read the primary, so callers need no test for it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model, QuerySet

REPLICA = "replica"

_ModelT = TypeVar("_ModelT", bound=Model)
_reading_replica: ContextVar[bool] = ContextVar("reading_replica", default=False)


def read_replica_alias() -> str:
    """The alias lag-tolerant reads use: the replica when DATABASE_REPLICA_URL configures one
    (the test settings keep a "replica" alias that only the replica's own tests switch on)."""
    if getattr(settings, "DATABASE_REPLICA_URL", "") and REPLICA in settings.DATABASES:
        return REPLICA
    return DEFAULT_DB_ALIAS


def on_replica(queryset: QuerySet[_ModelT]) -> QuerySet[_ModelT]:
    """This queryset, read from the replica (the primary when there is none)."""
    return queryset.using(read_replica_alias())


@contextmanager
def replica_reads() -> Iterator[None]:
    """Every ORM read inside goes to the replica; usable as a view decorator too."""
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


class ReplicaReadsRouter:
    """Sends reads to the replica inside `replica_reads()`, and leaves everything else alone
    (Django's default: the primary, or the alias a queryset was given)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if _reading_replica.get():
            return read_replica_alias()
        return None

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        """An object read from the replica is saved to the primary (a replica is read-only)."""
        instance = hints.get("instance")
        if instance is not None and instance._state.db == REPLICA:
            return DEFAULT_DB_ALIAS
        return None

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        """An object read from the replica may be related to one from the primary: they are
        copies of the same database."""
        return True
