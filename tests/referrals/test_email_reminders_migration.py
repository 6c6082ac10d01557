"""The data migration that made the referrer's and the provider's emails reminders: an email
still owed becomes a pending reminder, and backwards a sent reminder becomes the sent mark again."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import Reminder, ReminderStatus
from accounts.services import render_reminder
from referrals.models import ReferralEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BEFORE = ("referrals", "0012_ethnic_category_search_and_updated_at")
AFTER = ("referrals", "0014_forget_the_email_sent_marks")
KINDS = ("referral_updated", "provider_link")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def _migrate_to_latest():
    """Every app back at its latest migration: going back to BEFORE unapplied the later
    migrations of referrals and of the apps depending on them, which later tests need."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _mark(table: str, column: str, pk: int):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _set_mark(table: str, column: str, pk: int, value):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608


def test_unsent_marks_become_pending_reminders_and_sent_reminders_become_marks_again(
    referral_a, referrer_a, coordinator_x, service_referral
):
    now = timezone.now()
    owed, sent, old = (
        ReferralEvent.objects.create(
            referral=referral_a, actor=coordinator_x, occurred_at=at, to_status=status
        )
        for at, status in [
            (now, "accepted"),
            (now, "closed"),
            (now - datetime.timedelta(hours=49), "declined"),
        ]
    )
    link = service_referral.links.get()
    try:
        _migrate(BEFORE)
        assert not Reminder.objects.filter(kind__in=KINDS).exists()  # the link's was pending
        _set_mark("referrals_referralevent", "referrer_emailed_at", sent.pk, now)

        _migrate(AFTER)
        (email,) = Reminder.objects.filter(kind="referral_updated")
        assert (email.target_id, email.status) == (str(owed.pk), ReminderStatus.PENDING)
        assert (email.recipient, email.address) == (referrer_a, referrer_a.email)
        assert email.stale_after == owed.occurred_at + datetime.timedelta(hours=48)
        assert referral_a.reference in render_reminder(email, "subject.txt")
        (to_provider,) = Reminder.objects.filter(kind="provider_link")
        assert (to_provider.target_id, to_provider.address) == (str(link.pk), link.recipient_email)
        assert to_provider.stale_after == link.expires_at
        assert "/respond/" in render_reminder(to_provider, "body.txt")

        Reminder.objects.filter(pk=email.pk).update(status=ReminderStatus.SENT, sent_at=now)
        _migrate(BEFORE)
        assert _mark("referrals_referralevent", "referrer_emailed_at", owed.pk) == now
        assert _mark("referrals_referralevent", "referrer_emailed_at", old.pk) is None
        assert _mark("referrals_providerlink", "emailed_at", link.pk) is None
        assert not Reminder.objects.filter(kind__in=KINDS).exists()
    finally:
        _migrate_to_latest()
