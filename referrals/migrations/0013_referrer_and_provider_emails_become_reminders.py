"""The referrer's and the provider's emails become reminders (kinds referral_updated and
provider_link), delivered and recovered like every other outbound message.

Forwards: each email still owed becomes a pending reminder; recover_reminders sends it. Owed
means what the old recovery job would still have sent: a referrer's email for an acceptance,
decline or closure in the last 48 hours (its window) to an active referrer with an address, and a
provider's link issued in the last 48 hours that has not expired. Backwards: a sent reminder
becomes its event's or link's sent mark again, and the two kinds of reminder are deleted (the
old code sends what is still unmarked). An email still owed 48 hours after its change is
not worth sending: its reminder is stale then, as the service sets it.
"""

import datetime

from django.db import migrations
from django.urls import reverse
from django.utils import timezone

WINDOW = datetime.timedelta(hours=48)
TOLD_STATUSES = ("accepted", "declined", "closed")


def _day(moment):
    return f"{timezone.localtime(moment):%-d %B %Y}"


def marks_to_reminders(apps, schema_editor):
    db = schema_editor.connection.alias
    Reminder = apps.get_model("accounts", "Reminder")
    ReferralEvent = apps.get_model("referrals", "ReferralEvent")
    ProviderLink = apps.get_model("referrals", "ProviderLink")
    now = timezone.now()
    reminders = []
    events = (
        ReferralEvent.objects.using(db)
        .filter(
            to_status__in=TOLD_STATUSES,
            referrer_emailed_at=None,
            occurred_at__gte=now - WINDOW,
            referral__referred_by__is_active=True,
        )
        .exclude(referral__referred_by__email="")
        .select_related("referral__referred_by")
    )
    for event in events:
        referral, referrer = event.referral, event.referral.referred_by
        reminders.append(
            Reminder(
                kind="referral_updated",
                target_type="referral_event",
                target_id=str(event.pk),
                occurrence=event.to_status,
                recipient_id=referrer.pk,
                recipient_key=f"user:{referrer.pk}",
                channel="email",
                address=referrer.email,
                team_id=referral.team_id,
                link=reverse("referrals:detail", args=[referral.reference]),
                context={"referral_reference": referral.reference, "recipient_name": ""},
                next_attempt_at=now,
                stale_after=event.occurred_at + WINDOW,
            )
        )
    links = (
        ProviderLink.objects.using(db)
        .filter(emailed_at=None, issued_at__gte=now - WINDOW, expires_at__gt=now)
        .select_related("service_referral__service", "service_referral__referral__team")
    )
    for link in links:
        service_referral = link.service_referral
        service, referral = service_referral.service, service_referral.referral
        reminders.append(
            Reminder(
                kind="provider_link",
                target_type="provider_link",
                target_id=str(link.pk),
                occurrence=link.purpose,
                recipient_key=f"service:{service.pk}",
                channel="email",
                address=link.recipient_email,
                team_id=referral.team_id,
                context={
                    "link_id": link.pk,
                    "service_name": service.name,
                    "team_name": referral.team.name,
                    "reminder": link.purpose == "reminder",
                    "expires_on": _day(link.expires_at),
                    "referred_on": _day(service_referral.sent_at),
                    "recipient_name": service.name,
                },
                next_attempt_at=now,
                stale_after=link.expires_at,
            )
        )
    Reminder.objects.using(db).bulk_create(reminders, batch_size=1000, ignore_conflicts=True)


def reminders_to_marks(apps, schema_editor):
    db = schema_editor.connection.alias
    Reminder = apps.get_model("accounts", "Reminder")
    ReferralEvent = apps.get_model("referrals", "ReferralEvent")
    ProviderLink = apps.get_model("referrals", "ProviderLink")
    sent = Reminder.objects.using(db).filter(status="sent")
    for target_id, sent_at in sent.filter(kind="referral_updated").values_list(
        "target_id", "sent_at"
    ):
        ReferralEvent.objects.using(db).filter(pk=int(target_id)).update(
            referrer_emailed_at=sent_at
        )
    for target_id, sent_at in sent.filter(kind="provider_link").values_list("target_id", "sent_at"):
        ProviderLink.objects.using(db).filter(pk=int(target_id)).update(emailed_at=sent_at)
    Reminder.objects.using(db).filter(kind__in=("referral_updated", "provider_link")).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_reminder_stale_after"),
        ("referrals", "0012_ethnic_category_search_and_updated_at"),
    ]

    operations = [migrations.RunPython(marks_to_reminders, reminders_to_marks)]
