import datetime
import zoneinfo

import time_machine
from django.core import mail

from accounts.models import Notification, Reminder
from accounts.services import deliver_reminder, render_reminder
from coordinators import services
from coordinators.models import Review, ReviewMode
from coordinators.services import sweep_review_due, sweep_review_overdue
from tests.accounts.conftest import sms_outbox  # noqa: F401 - shared fixture

LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(year, month, day, hour=10, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def review_at(case, coordinator, when, mode=ReviewMode.PHONE):
    return Review.objects.create(
        referral=case, scheduled_for=when, mode=mode, scheduled_by=coordinator
    )


def consent(patient, *, sms=False, email=False, address="ann@patient.example"):
    patient.consent_to_sms, patient.consent_to_email, patient.email = sms, email, address
    patient.save()


def kinds_and_channels(reminders):
    return {(r.kind, r.recipient_key, r.channel) for r in reminders}


# --- Review due


def test_the_coordinator_is_reminded_24_hours_before_a_review(case, coordinator_x):
    review_at(case, coordinator_x, at(2026, 3, 10))  # a Tuesday
    assert [r for r in sweep_review_due(at(2026, 3, 9, 9, 59)) if r.kind == "review_due"] == []
    created = sweep_review_due(at(2026, 3, 9, 10, 0))
    assert kinds_and_channels(created) == {
        ("review_due", f"user:{coordinator_x.pk}", "in_app"),
        ("review_due", f"user:{coordinator_x.pk}", "email"),
    }
    notice = Notification.objects.get(recipient=coordinator_x, verb="review_due")
    assert notice.message == f"Review for case {case.reference} on Tuesday 10 March 2026 at 10am"
    assert notice.link == f"/cases/{case.reference}/"


def test_a_consenting_patient_is_texted_48_hours_before_in_plain_language(
    case,
    coordinator_x,
    sms_outbox,  # noqa: F811
):
    consent(case.patient, sms=True)
    review_at(case, coordinator_x, at(2026, 3, 10, 14, 30), mode=ReviewMode.PHONE)
    assert sweep_review_due(at(2026, 3, 8, 14, 29)) == []
    (text,) = sweep_review_due(at(2026, 3, 8, 14, 30))
    assert (text.kind, text.channel, text.address) == ("review_due_patient", "sms", "07700 900123")
    deliver_reminder(reminder_id=text.pk)
    (message,) = sms_outbox
    assert message["body"] == (
        f"Hello {case.patient.given_name}, a reminder: your review with your link worker from "
        f"{case.team.name} is on Tuesday 10 March 2026 at 2:30pm. It will be by phone: we will "
        "call you. If this time no longer suits you, please contact your link worker."
    )


def test_the_patient_email_says_when_and_how_the_review_will_happen(case, coordinator_x):
    consent(case.patient, email=True)
    review_at(case, coordinator_x, at(2026, 3, 10, 12), mode=ReviewMode.IN_PERSON)
    (email,) = sweep_review_due(at(2026, 3, 8, 12))
    deliver_reminder(reminder_id=email.pk)
    (message,) = mail.outbox
    assert message.to == ["ann@patient.example"]
    assert message.subject == "Your review on Tuesday 10 March 2026 at midday"
    assert "It will be in person." in message.body
    assert case.reference not in message.body


def test_a_patient_is_reminded_only_on_the_channels_they_consented_to(case, coordinator_x):
    review = review_at(case, coordinator_x, at(2026, 3, 10))
    consent(case.patient)
    assert sweep_review_due(at(2026, 3, 8)) == []
    consent(case.patient, email=True)
    review.scheduled_for = at(2026, 3, 10, 11)
    review.save()
    assert {(r.kind, r.channel) for r in sweep_review_due(at(2026, 3, 8, 11))} == {
        ("review_due_patient", "email")
    }


def test_running_the_review_due_sweep_twice_creates_no_second_reminder(case, coordinator_x):
    consent(case.patient, sms=True, email=True)
    review_at(case, coordinator_x, at(2026, 3, 10))
    assert len(sweep_review_due(at(2026, 3, 8))) == 2
    assert len(sweep_review_due(at(2026, 3, 9, 12))) == 2  # now the coordinator's turn
    assert sweep_review_due(at(2026, 3, 9, 12)) == []
    assert sweep_review_due(at(2026, 3, 10, 9)) == []
    assert Reminder.objects.exclude(kind="referral_updated").count() == 4


def test_a_rescheduled_review_gets_a_fresh_reminder(case, coordinator_x):
    review = review_at(case, coordinator_x, at(2026, 3, 10))
    assert len(sweep_review_due(at(2026, 3, 9, 12))) == 2
    with time_machine.travel(at(2026, 3, 9, 12), tick=False):
        services.reschedule_review(
            review=review, by=coordinator_x, scheduled_for=at(2026, 3, 10, 15), mode="video"
        )
    created = sweep_review_due(at(2026, 3, 9, 15))
    assert {(r.kind, r.channel) for r in created} == {
        ("review_due", "in_app"),
        ("review_due", "email"),
    }
    assert created[0].context["mode_display"] == "video"
    assert sweep_review_due(at(2026, 3, 9, 15)) == []


def test_cancelled_and_recorded_reviews_and_closed_cases_are_not_reminded(case, coordinator_x):
    consent(case.patient, sms=True)
    review = review_at(case, coordinator_x, at(2026, 3, 10))
    review.status = "cancelled"
    review.save()
    assert sweep_review_due(at(2026, 3, 9, 12)) == []
    review.status = "scheduled"
    review.save()
    case.status = "closed"
    case.save()
    assert sweep_review_due(at(2026, 3, 9, 12)) == []


def test_the_review_due_task_records_a_job_run_with_the_frozen_clock(case, coordinator_x):
    from accounts.models import JobRun
    from coordinators.tasks import sweep_review_due as task

    review_at(case, coordinator_x, at(2026, 3, 10))
    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        assert task.apply().get() == 0
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        assert task.apply().get() == 2
    assert list(JobRun.objects.values_list("kind", "created_count")) == [
        ("review_due", 2),
        ("review_due", 0),
    ]


# --- Review overdue


def test_an_unrecorded_review_reminds_the_coordinator_after_two_working_days(
    case, coordinator_x, manager
):
    review_at(case, coordinator_x, at(2026, 3, 6))  # a Friday
    assert sweep_review_overdue(at(2026, 3, 10, 9, 59)) == []
    created = sweep_review_overdue(at(2026, 3, 10, 10))
    assert kinds_and_channels(created) == {
        ("review_overdue", f"user:{coordinator_x.pk}", "in_app"),
        ("review_overdue", f"user:{coordinator_x.pk}", "email"),
    }


def test_an_unrecorded_review_is_escalated_to_the_manager_after_five_working_days(
    case, coordinator_x, manager, coordinator_y
):
    review_at(case, coordinator_x, at(2026, 3, 6))
    assert len(sweep_review_overdue(at(2026, 3, 12))) == 2
    assert sweep_review_overdue(at(2026, 3, 13, 9, 59)) == []
    created = sweep_review_overdue(at(2026, 3, 13, 10))
    assert kinds_and_channels(created) == {
        ("review_overdue_escalation", f"user:{manager.pk}", "in_app"),
        ("review_overdue_escalation", f"user:{manager.pk}", "email"),
    }
    assert Notification.objects.get(recipient=manager).message == (
        f"Overdue review: case {case.reference} in {case.team.name}"
    )


def test_bank_holidays_do_not_count_towards_an_overdue_review(case, coordinator_x, manager):
    # Due the Thursday before Easter 2026: Good Friday and Easter Monday do not count.
    review_at(case, coordinator_x, at(2026, 4, 2))
    assert sweep_review_overdue(at(2026, 4, 7, 12)) == []
    assert sweep_review_overdue(at(2026, 4, 8, 9, 59)) == []
    assert {r.kind for r in sweep_review_overdue(at(2026, 4, 8, 10))} == {"review_overdue"}
    assert sweep_review_overdue(at(2026, 4, 13, 9, 59)) == []
    assert {r.kind for r in sweep_review_overdue(at(2026, 4, 13, 10))} == {
        "review_overdue_escalation"
    }


def test_running_the_review_overdue_sweep_twice_creates_no_second_reminder(
    case, coordinator_x, manager
):
    review_at(case, coordinator_x, at(2026, 3, 2))
    assert len(sweep_review_overdue(at(2026, 3, 20))) == 4
    assert sweep_review_overdue(at(2026, 3, 20)) == []
    assert sweep_review_overdue(at(2026, 3, 27)) == []
    assert Reminder.objects.exclude(kind="referral_updated").count() == 4


def test_a_review_marked_missed_is_not_overdue(case, coordinator_x, manager):
    review = review_at(case, coordinator_x, at(2026, 3, 2))
    with time_machine.travel(at(2026, 3, 3), tick=False):
        services.mark_review_missed(review=review, by=coordinator_x)
    assert sweep_review_overdue(at(2026, 3, 20)) == []


def test_the_plain_time_follows_the_nhs_style():
    assert services.plain_time(at(2026, 3, 10, 9)) == "9am"
    assert services.plain_time(at(2026, 3, 10, 12)) == "midday"
    assert services.plain_time(at(2026, 3, 10, 0, 5)) == "12:05am"
    assert services.plain_time(at(2026, 3, 10, 16, 45)) == "4:45pm"


def test_the_overdue_email_asks_the_coordinator_to_record_the_review(case, coordinator_x):
    review_at(case, coordinator_x, at(2026, 3, 2))
    email = next(r for r in sweep_review_overdue(at(2026, 3, 5)) if r.channel == "email")
    assert render_reminder(email, "subject.txt") == (
        f"The review for case {case.reference} has not been recorded"
    )
    assert "was due on Monday 2 March 2026 at 10am" in render_reminder(email, "body.txt")
    assert case.patient.family_name not in render_reminder(email, "body.html")
