"""Durations people say: "sent today", "waiting 3 days", not "waiting 0 minutes"."""

import datetime

from django import template
from django.utils import timezone

register = template.Library()


def days_between(since: datetime.datetime, today: datetime.date | None = None) -> int:
    """Whole calendar days in the local time zone (yesterday 23:50 is one day ago)."""
    today = today or timezone.localdate()
    return (today - timezone.localdate(since)).days


@register.filter
def waiting_since(since: datetime.datetime | None) -> str:
    if since is None:
        return ""
    days = days_between(since)
    if days <= 0:
        return "Sent today"
    if days == 1:
        return "Sent yesterday"
    if days < 14:
        return f"Waiting {days} days"
    return f"Waiting {days // 7} weeks"
