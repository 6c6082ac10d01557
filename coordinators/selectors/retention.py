"""Which ended cases are due for anonymisation."""

import datetime

from django.conf import settings
from django.utils import timezone

from referrals.models import Referral, ReferralQuerySet, ReferralStatus

ENDED_STATUSES = (ReferralStatus.CLOSED, ReferralStatus.DECLINED, ReferralStatus.PATIENT_DECLINED)


def cases_due_for_anonymisation(
    *, now: datetime.datetime | None = None
) -> tuple[datetime.datetime, ReferralQuerySet]:
    """Ended referrals (closed, declined, patient declined) that ended before the cutoff and
    still hold free text."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.RETENTION_CLOSED_CASE_DAYS)
    due = Referral.objects.filter(
        status__in=ENDED_STATUSES, closed_at__lt=cutoff, anonymised_at__isnull=True
    )
    return cutoff, due
