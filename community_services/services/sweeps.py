"""The vetters' reminder sweeps, run by beat through accounts.services.run_sweep."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Reminder
from accounts.services import create_reminders, user_recipient

from ..models import Service, ServiceStatus
from ..selectors import active_vetters
from .provider_listing import notify_providers_of_expiring_vetting
from .vetting import expire_lapsed_vettings


@transaction.atomic
def sweep_vetting_expiring(now: datetime.datetime) -> list[Reminder]:
    """Weekly digest for vetters: approved services whose vetting ends within the notice period.
    One per vetter per ISO week, however often it runs. Each service's provider is told too,
    once per vetting end date."""
    today = timezone.localdate(now)
    horizon = today + datetime.timedelta(days=settings.VETTING_EXPIRY_NOTICE_DAYS)
    expiring = list(
        Service.objects.filter(
            status=ServiceStatus.APPROVED, vetted_until__gte=today, vetted_until__lte=horizon
        )
        .select_related("provider")
        .order_by("vetted_until", "name")
    )
    if not expiring:
        return []
    to_providers = notify_providers_of_expiring_vetting(
        services=expiring, days=settings.VETTING_EXPIRY_NOTICE_DAYS
    )
    year, week, _ = today.isocalendar()
    return to_providers + create_reminders(
        kind="vetting_expiring",
        target_type="vetting_digest",
        target_id="directory",
        occurrence=f"{year}-W{week:02d}",
        recipients=[user_recipient(vetter) for vetter in active_vetters()],
        context={
            "services": [
                {
                    "name": service.name,
                    "provider": service.provider.name,
                    "vetted_until": service.vetted_until.isoformat(),
                    "vetted_until_display": f"{service.vetted_until:%-d %B %Y}",
                }
                for service in expiring
            ],
            "count": len(expiring),
            "days": settings.VETTING_EXPIRY_NOTICE_DAYS,
        },
        link=reverse("community_services:vetter-home"),
    )


def sweep_vetting_expired(now: datetime.datetime) -> list[Reminder]:
    """Expire lapsed vettings (each in its own transaction), then tell the vetters about every
    service that expired recently, once per lapse (occurrence: its vetted-until date). The
    coordinators of cases with an open onward referral to it hear from referrals' own sweep
    (sweep_onward_service_expired)."""
    today = timezone.localdate(now)
    expire_lapsed_vettings(on=today)
    since = today - datetime.timedelta(days=settings.VETTING_EXPIRED_NOTICE_WINDOW_DAYS)
    created: list[Reminder] = []
    vetters = [user_recipient(vetter) for vetter in active_vetters()]
    for service in Service.objects.filter(
        status=ServiceStatus.EXPIRED, vetted_until__gte=since, vetted_until__lt=today
    ).order_by("vetted_until", "pk"):
        created += create_reminders(
            kind="vetting_expired",
            target_type="service",
            target_id=service.pk,
            occurrence=service.vetted_until.isoformat(),
            recipients=vetters,
            context={
                "service_name": service.name,
                "vetted_until_display": f"{service.vetted_until:%-d %B %Y}",
            },
            link=reverse("community_services:service-detail", args=[service.public_id]),
        )
    return created
