"""Sweeps run by beat, each recorded as a JobRun for the operations page."""

import datetime
from collections.abc import Callable, Sized

from django.utils import timezone

from ..models import JobRun


def run_sweep(
    *,
    kind: str,
    sweep: Callable[[datetime.datetime], Sized],
    now: datetime.datetime | None = None,
) -> JobRun:
    """Run one sweep and record it for the operations page (kept even when the sweep fails)."""
    run = JobRun.objects.create(kind=kind, started_at=timezone.now())
    try:
        created = sweep(now or timezone.now())
    except Exception as exc:
        run.finished_at = timezone.now()
        run.error = f"{exc.__class__.__name__}: {exc}"[:500]
        run.save(update_fields=["finished_at", "error"])
        raise
    run.finished_at = timezone.now()
    run.created_count = len(created)
    run.save(update_fields=["finished_at", "created_count"])
    return run
