"""An unfiled message reminds the practice's referrers once, after the set working days, and
the email says only that a message is waiting."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.models import Reminder
from accounts.services import render_reminder
from gp_messages.models import MessageBack, MessageMoment
from gp_messages.services import mark_message_filed, produce_message_back, sweep_unfiled_messages

pytestmark = pytest.mark.django_db

# Monday 2 November 2026, 10:00 London: five working days later is Monday 9 November.
SENT = datetime.datetime(2026, 11, 2, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def message(case):
    message = produce_message_back(case_id=case.pk, moment=MessageMoment.FIRST_SEEN)
    MessageBack.objects.filter(pk=message.pk).update(sent_at=SENT)
    message.refresh_from_db()
    return message


def test_an_unfiled_message_reminds_the_referrers_once_after_five_working_days(
    message, referrer_a, referrer_b, settings
):
    settings.MESSAGE_BACK_FILING_WORKING_DAYS = 5
    assert sweep_unfiled_messages(SENT + datetime.timedelta(days=6)) == []  # Sunday: 4 so far
    monday = SENT + datetime.timedelta(days=7)
    reminders = sweep_unfiled_messages(monday)
    assert {(r.recipient, r.kind) for r in reminders} == {(referrer_a, "message_back_unfiled")}
    assert sweep_unfiled_messages(monday + datetime.timedelta(days=1)) == []
    assert Reminder.objects.filter(kind="message_back_unfiled").count() == len(reminders)
    assert reminders


def test_the_reminder_email_says_a_message_is_waiting_and_nothing_about_the_patient(message, case):
    reminder = next(
        r
        for r in sweep_unfiled_messages(SENT + datetime.timedelta(days=30))
        if r.channel == "email"
    )
    subject, text, html = (
        render_reminder(reminder, part) for part in ("subject.txt", "body.txt", "body.html")
    )
    patient = case.patient
    for secret in (patient.given_name, patient.family_name, case.reference, patient.nhs_number):
        assert secret not in subject + text + html
    assert "waiting to be filed" in subject


def test_a_filed_message_is_not_reminded_and_the_page_stops_flagging_it(
    message, referrer_a, as_user
):
    client = as_user(referrer_a)
    assert (
        'data-testid="unfiled-overdue"' in client.get(reverse("gp_messages:list")).content.decode()
    )
    mark_message_filed(message=message, by=referrer_a)
    assert sweep_unfiled_messages(SENT + datetime.timedelta(days=30)) == []
    assert (
        'data-testid="unfiled-overdue"'
        not in client.get(reverse("gp_messages:list")).content.decode()
    )
