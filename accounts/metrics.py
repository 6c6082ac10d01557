"""The accounts app's gauges for /metrics (registered from AccountsConfig.ready): reminders
waiting or given up on, and how old the newest audit checkpoint is."""

import datetime

from django.db.models import Count
from django.utils import timezone

from common.metrics import register_gauge

from .audit_chain import checkpoint_path, latest_checkpoint
from .models import Reminder, ReminderStatus

_WATCHED = (ReminderStatus.PENDING, ReminderStatus.CLAIMED, ReminderStatus.FAILED)


def reminders_by_status() -> dict[str, float]:
    """Pending, being sent and failed reminders (indexed by status); sent ones are not counted."""
    counts = dict(
        Reminder.objects.filter(status__in=_WATCHED)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {str(status): float(counts.get(status, 0)) for status in _WATCHED}


def audit_checkpoint_age_seconds() -> float:
    """Seconds since the newest signed checkpoint; -1 when there is none. Alert well above
    AUDIT_CHECKPOINT_EVERY_SECONDS: beat or the checkpoint file has stopped."""
    newest = latest_checkpoint(checkpoint_path())
    if newest is None:
        return -1.0
    return (timezone.now() - datetime.datetime.fromisoformat(newest.at)).total_seconds()


def register() -> None:
    register_gauge(
        "sp_reminders",
        "Reminders not yet sent, by status (pending, claimed, failed).",
        reminders_by_status,
        label="status",
    )
    register_gauge(
        "sp_audit_checkpoint_age_seconds",
        "Seconds since the newest signed audit checkpoint (-1: none yet).",
        audit_checkpoint_age_seconds,
    )
