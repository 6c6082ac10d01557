"""When the next review falls by default."""

import datetime

from django.conf import settings
from django.utils import timezone

from .. import measures
from ..models import Referral, Review, WellbeingMeasure


def measures_chosen_for(case: Referral) -> list[measures.Instrument]:
    """The measures the case uses (those it has answers for), to repeat at a review; all the
    enabled ones while it has none."""
    used = set(WellbeingMeasure.objects.filter(referral=case).values_list("instrument", flat=True))
    enabled = measures.enabled_instruments()
    return [i for i in enabled if i.code in used] or enabled


def default_next_review_at(review: Review) -> datetime.datetime:
    """The configured interval (REVIEW_INTERVAL_DAYS) after the review, never in the past."""
    base = max(review.scheduled_for, timezone.now())
    return base + datetime.timedelta(days=settings.REVIEW_INTERVAL_DAYS)
