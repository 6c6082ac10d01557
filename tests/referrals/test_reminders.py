import datetime
import zoneinfo

import time_machine
from django.core import mail

from accounts.models import Notification, Reminder, ReminderStatus
from accounts.services import create_reminders, deliver_reminder
from referrals import services
from referrals.services import patient_recipient, sweep_referral_waiting
from tests.referrals.factories import PatientFactory, ReferralFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(year, month, day, hour=10, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def waiting(referral_a, **kwargs):
    return [r for r in sweep_referral_waiting(**kwargs) if r.target_id == str(referral_a.pk)]


def make_referral(practice_a, referrer_a, team_x, received_at, **fields):
    return ReferralFactory(
        referring_practice=practice_a,
        referred_by=referrer_a,
        team=team_x,
        received_at=received_at,
        **fields,
    )


def test_a_routine_referral_is_waiting_after_two_working_days(
    practice_a, referrer_a, team_x, coordinator_x, manager
):
    referral = make_referral(practice_a, referrer_a, team_x, at(2026, 3, 6))  # a Friday
    assert sweep_referral_waiting(at(2026, 3, 10, 9, 59)) == []
    created = sweep_referral_waiting(at(2026, 3, 10, 10, 0))
    assert {(r.recipient, r.channel) for r in created} == {
        (coordinator_x, "in_app"),
        (coordinator_x, "email"),
        (manager, "in_app"),
        (manager, "email"),
    }
    assert {r.target_id for r in created} == {str(referral.pk)}
    assert {r.team for r in created} == {team_x}


def test_an_urgent_referral_is_waiting_after_one_working_day(
    practice_a, referrer_a, team_x, coordinator_x, manager
):
    make_referral(practice_a, referrer_a, team_x, at(2026, 3, 6), urgency="urgent")
    assert sweep_referral_waiting(at(2026, 3, 9, 9, 59)) == []
    assert len(sweep_referral_waiting(at(2026, 3, 9, 10, 0))) == 4


def test_bank_holidays_do_not_count_as_working_days(practice_a, referrer_a, team_x, coordinator_x):
    # Received the Thursday before Easter: Good Friday and Easter Monday do not count.
    make_referral(practice_a, referrer_a, team_x, at(2026, 4, 2))
    assert sweep_referral_waiting(at(2026, 4, 7, 12)) == []
    assert sweep_referral_waiting(at(2026, 4, 8, 9)) == []
    assert len(sweep_referral_waiting(at(2026, 4, 8, 10))) == 2


def test_a_triaged_referral_is_not_waiting(practice_a, referrer_a, team_x, coordinator_x):
    referral = make_referral(practice_a, referrer_a, team_x, at(2026, 3, 2))
    with time_machine.travel(at(2026, 3, 3), tick=False):
        services.accept_referral(referral=referral, by=coordinator_x)
    assert sweep_referral_waiting(at(2026, 3, 20)) == []


def test_only_the_receiving_team_is_told(
    practice_a, referrer_a, team_x, coordinator_x, coordinator_y
):
    make_referral(practice_a, referrer_a, team_x, at(2026, 3, 2))
    created = sweep_referral_waiting(at(2026, 3, 20))
    assert coordinator_y not in {r.recipient for r in created}


def test_running_the_referral_sweep_twice_creates_no_second_reminder(
    practice_a, referrer_a, team_x, coordinator_x, manager
):
    make_referral(practice_a, referrer_a, team_x, at(2026, 3, 2))
    assert len(sweep_referral_waiting(at(2026, 3, 20))) == 4
    assert sweep_referral_waiting(at(2026, 3, 20)) == []
    assert sweep_referral_waiting(at(2026, 3, 27)) == []
    assert Reminder.objects.count() == 4
    assert Notification.objects.filter(verb="referral_waiting").count() == 2


def test_the_referral_sweep_uses_the_frozen_clock_through_its_task(
    practice_a, referrer_a, team_x, coordinator_x
):
    from referrals.tasks import sweep_referral_waiting as task

    make_referral(practice_a, referrer_a, team_x, at(2026, 3, 6))
    with time_machine.travel(at(2026, 3, 9, 12), tick=False):
        assert task.apply().get() == 0
    with time_machine.travel(at(2026, 3, 10, 12), tick=False):
        assert task.apply().get() == 2


def test_the_waiting_email_names_the_referral_and_links_to_it(
    practice_a, referrer_a, team_x, coordinator_x
):
    referral = make_referral(practice_a, referrer_a, team_x, at(2026, 3, 2))
    email = next(r for r in sweep_referral_waiting(at(2026, 3, 20)) if r.channel == "email")
    deliver_reminder(reminder_id=email.pk)
    (message,) = mail.outbox
    assert message.subject == f"Referral {referral.reference} is waiting for triage"
    assert f"/referrals/{referral.reference}/" in message.body
    assert referral.patient.family_name not in message.body


# --- Patients: only the channels they consented to


def _patient_reminders(patient):
    return create_reminders(
        kind="test_patient_message",
        target_type="review",
        target_id=1,
        occurrence="48h",
        recipients=[patient_recipient(patient)],
        context={},
        patient_id=patient.pk,
    )


def test_a_patient_who_consented_to_neither_channel_gets_no_reminder(db):
    patient = PatientFactory(consent_to_sms=False, consent_to_email=False, email="a@b.example")
    assert _patient_reminders(patient) == []


def test_a_patient_gets_text_messages_only_when_they_consented_to_them(db):
    patient = PatientFactory(consent_to_sms=True, consent_to_email=False, email="a@b.example")
    assert [(r.channel, r.address) for r in _patient_reminders(patient)] == [
        ("sms", "07700 900123")
    ]


def test_a_patient_gets_emails_only_when_they_consented_to_them(db):
    patient = PatientFactory(consent_to_sms=False, consent_to_email=True, email="a@b.example")
    assert [(r.channel, r.address) for r in _patient_reminders(patient)] == [
        ("email", "a@b.example")
    ]


def test_a_consenting_patient_without_an_email_address_has_it_recorded_not_raised(db):
    patient = PatientFactory(consent_to_sms=True, consent_to_email=True, email="", phone="")
    reminders = _patient_reminders(patient)
    assert {(r.channel, r.status, r.last_error) for r in reminders} == {
        ("sms", ReminderStatus.SKIPPED, "No mobile number is recorded."),
        ("email", ReminderStatus.SKIPPED, "No email address is recorded."),
    }
