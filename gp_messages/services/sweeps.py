"""The practice is reminded, once, of each message it has not filed after the set number of
working days. The email says only that a message is waiting: no patient details."""

import datetime

from django.conf import settings
from django.urls import reverse

from accounts.models import Membership, Reminder, Role
from accounts.services import ReminderRequest, create_reminders_in_chunks, user_recipient
from accounts.working_days import add_working_days

from ..models import MessageBack


def filing_overdue(message: MessageBack, now: datetime.datetime) -> bool:
    return add_working_days(message.sent_at, settings.MESSAGE_BACK_FILING_WORKING_DAYS) <= now


def sweep_unfiled_messages(now: datetime.datetime) -> list[Reminder]:
    """Occurrence "unfiled": one reminder per message and referrer, however often it runs."""
    earliest_possible = now - datetime.timedelta(days=settings.MESSAGE_BACK_FILING_WORKING_DAYS)
    unfiled = [
        message
        for message in MessageBack.objects.filter(
            filed_at__isnull=True, superseded_at__isnull=True, sent_at__lte=earliest_possible
        ).select_related("referral")
        if filing_overdue(message, now)
    ]
    practice_ids = {message.referral.referring_practice_id for message in unfiled}
    referrers: dict[int, list] = {}
    for membership in Membership.objects.filter(
        role=Role.REFERRER, organisation_id__in=practice_ids, user__is_active=True
    ).select_related("user"):
        referrers.setdefault(membership.organisation_id, []).append(membership.user)

    def build(chunk: list[MessageBack]) -> list[ReminderRequest]:
        return [
            ReminderRequest(
                kind="message_back_unfiled",
                target_type="message_back",
                target_id=message.pk,
                occurrence="unfiled",
                recipients=[
                    user_recipient(user)
                    for user in referrers.get(message.referral.referring_practice_id, [])
                ],
                context={},
                link=reverse("gp_messages:list"),
            )
            for message in chunk
        ]

    return create_reminders_in_chunks(targets=unfiled, build=build)
