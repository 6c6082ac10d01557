"""Services enqueue Celery tasks through here, by the task's registered name.

A service never imports its app's tasks module (the tasks import the services), so there is no
import circle. The task is looked up in the Celery app's registry (autodiscovery imports every
app's tasks, the first time a name is missing), so eager mode in tests still applies.
"""

from collections.abc import Sequence
from typing import Any

from celery import Task, current_app
from django.db import transaction


def _registered_task(name: str) -> Task[Any, Any]:
    if name not in current_app.tasks:
        # Outside a worker the tasks modules are imported on demand: this runs autodiscovery.
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def send_task(
    name: str,
    /,
    *,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    countdown: int | None = None,
    queue: str | None = None,
) -> None:
    """Enqueue the task registered as `name` now."""
    options: dict[str, Any] = {}
    if args:
        options["args"] = list(args)
    if kwargs:
        options["kwargs"] = kwargs
    if countdown is not None:
        options["countdown"] = countdown
    if queue is not None:
        options["queue"] = queue
    _registered_task(name).apply_async(**options)


def send_task_after_commit(name: str, /, **kwargs: Any) -> None:
    """Enqueue once the current transaction commits (never if it rolls back). `robust`: with the
    broker down the change still succeeds, and the recover jobs enqueue the work later."""
    transaction.on_commit(lambda: send_task(name, kwargs=kwargs), robust=True)
