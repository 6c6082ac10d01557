"""When the next review falls by default."""

import datetime

from django.conf import settings
from django.utils import timezone

from ..models import Review


def default_next_review_at(review: Review) -> datetime.datetime:
    """The configured interval (REVIEW_INTERVAL_DAYS) after the review, never in the past."""
    base = max(review.scheduled_for, timezone.now())
    return base + datetime.timedelta(days=settings.REVIEW_INTERVAL_DAYS)
