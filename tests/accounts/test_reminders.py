import datetime

import pytest
import responses
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts import services
from accounts.models import JobRun, Notification, Reminder, ReminderChannel, ReminderStatus
from accounts.services import Recipient, create_reminders, reminder_delivery
from accounts.sms import DeliveryError, NotifySMSBackend
from accounts.tasks import deliver_reminder
from tests.accounts.conftest import queued

NOTIFY_KEY = "test_key-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"
NOTIFY_SMS_URL = "https://api.notifications.service.gov.uk/v2/notifications/sms"


def email_reminder(reminders) -> Reminder:
    return next(r for r in reminders if r.channel == ReminderChannel.EMAIL)


def test_creating_the_same_reminders_twice_records_them_once(make_reminders, coordinator_x):
    first = make_reminders(coordinator_x)
    again = make_reminders(coordinator_x)
    assert {r.channel for r in first} == {"in_app", "email"}
    assert again == []
    assert Reminder.objects.count() == 2


def test_a_new_occurrence_of_the_same_kind_and_target_is_a_new_reminder(
    make_reminders, coordinator_x
):
    make_reminders(coordinator_x, occurrence="2026-W10")
    assert len(make_reminders(coordinator_x, occurrence="2026-W11")) == 2


def test_an_in_app_reminder_becomes_a_notification_at_once(make_reminders, coordinator_x):
    reminders = make_reminders(coordinator_x)
    in_app = next(r for r in reminders if r.channel == ReminderChannel.IN_APP)
    notification = Notification.objects.get(recipient=coordinator_x)
    assert notification.reminder == in_app
    assert notification.message == "Referral SP-TEST2345 is waiting for triage"
    assert notification.link == "/referrals/SP-TEST2345/"
    in_app.refresh_from_db()
    assert in_app.status == ReminderStatus.SENT


def test_creating_a_reminder_writes_an_audit_event(make_reminders, coordinator_x):
    from accounts.models import AuditEvent

    make_reminders(coordinator_x)
    assert AuditEvent.objects.filter(action="reminder_created", object_type="referral").count() == 2


def test_a_missing_address_is_recorded_on_the_reminder_not_raised(db, test_templates):
    (reminder,) = create_reminders(
        kind="test_patient_message",
        target_type="review",
        target_id=7,
        occurrence="48h",
        recipients=[Recipient(key="patient:1", channels=("sms",), name="Ianto", phone="")],
        context={},
    )
    assert reminder.status == ReminderStatus.SKIPPED
    assert reminder.last_error == "No mobile number is recorded."


def test_a_delivery_task_run_twice_sends_one_message(make_reminders, coordinator_x):
    reminder = email_reminder(make_reminders(coordinator_x))
    assert deliver_reminder.apply(args=[reminder.pk]).get() == "sent"
    assert deliver_reminder.apply(args=[reminder.pk]).get() == "not_claimable"
    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT
    assert reminder.attempts == 1
    assert reminder.sent_at is not None


def test_the_email_carries_the_reminder_reference_for_the_provider(make_reminders, coordinator_x):
    reminder = email_reminder(make_reminders(coordinator_x))
    services.deliver_reminder(reminder_id=reminder.pk)
    (message,) = mail.outbox
    assert message.to == [coordinator_x.email]
    assert message.subject == "Referral SP-TEST2345 is waiting for triage"
    assert message.extra_headers["X-Reminder-ID"] == str(reminder.reference)
    assert (
        message.extra_headers["Message-ID"] == f"<{reminder.reference}@social-prescribing.invalid>"
    )
    assert "http://127.0.0.1:8000/referrals/SP-TEST2345/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "SP-TEST2345" in html


def test_a_reminder_claimed_by_a_live_worker_is_not_taken_over(make_reminders, coordinator_x):
    reminder = email_reminder(make_reminders(coordinator_x))
    Reminder.objects.filter(pk=reminder.pk).update(
        status=ReminderStatus.CLAIMED, claimed_at=timezone.now()
    )
    assert services.deliver_reminder(reminder_id=reminder.pk).status == "not_claimable"
    assert mail.outbox == []


def test_a_claim_left_by_a_dead_worker_is_taken_over_after_the_timeout(
    make_reminders, coordinator_x, settings
):
    reminder = email_reminder(make_reminders(coordinator_x))
    long_ago = timezone.now() - datetime.timedelta(
        seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS + 1
    )
    Reminder.objects.filter(pk=reminder.pk).update(
        status=ReminderStatus.CLAIMED, claimed_at=long_ago, attempts=1
    )
    assert services.deliver_reminder(reminder_id=reminder.pk).status == "sent"
    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert reminder.attempts == 2


def test_a_failing_mail_server_leads_to_retries_then_failed(
    make_reminders, coordinator_x, settings
):
    settings.EMAIL_BACKEND = "tests.reminder_backends.FailingEmailBackend"
    settings.REMINDER_MAX_ATTEMPTS = 3
    reminder = email_reminder(make_reminders(coordinator_x))
    deliver_reminder.apply(args=[reminder.pk])  # eager: each retry runs at once
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.FAILED
    assert reminder.attempts == 3
    assert "Connection refused" in reminder.last_error


def test_a_delivery_error_puts_the_reminder_back_with_a_backoff(
    make_reminders, coordinator_x, settings
):
    settings.EMAIL_BACKEND = "tests.reminder_backends.FailingEmailBackend"
    reminder = email_reminder(make_reminders(coordinator_x))
    outcome = services.deliver_reminder(reminder_id=reminder.pk)
    assert outcome.status == "retry"
    assert outcome.retry_in == settings.REMINDER_RETRY_BACKOFF_SECONDS
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.PENDING
    assert reminder.claimed_at is None
    assert reminder.next_attempt_at > timezone.now()


def test_the_retry_delay_doubles_and_stays_below_a_few_minutes(settings):
    settings.REMINDER_RETRY_BACKOFF_SECONDS = 30
    settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS = 300
    assert [services.retry_delay_seconds(n) for n in range(1, 7)] == [30, 60, 120, 240, 300, 300]


def test_recovery_enqueues_stale_claims_and_lost_pending_reminders_only(
    make_reminders, coordinator_x, manager, vetter, settings, monkeypatch
):
    enqueued = []
    monkeypatch.setattr(reminder_delivery, "enqueue_reminder_deliveries", enqueued.extend)
    stale = email_reminder(make_reminders(coordinator_x, target_id=1))
    lost = email_reminder(make_reminders(manager, target_id=2))
    fresh = email_reminder(make_reminders(vetter, target_id=3))
    now = timezone.now()
    Reminder.objects.filter(pk=stale.pk).update(
        status=ReminderStatus.CLAIMED, claimed_at=now - datetime.timedelta(hours=1)
    )
    Reminder.objects.filter(pk=lost.pk).update(next_attempt_at=now - datetime.timedelta(hours=1))
    Reminder.objects.filter(pk=fresh.pk).update(
        status=ReminderStatus.CLAIMED, claimed_at=now - datetime.timedelta(seconds=5)
    )
    assert services.recover_reminders(now=now) == 2
    assert sorted(enqueued) == sorted([stale.pk, lost.pk])


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_no_delivery_is_enqueued_when_the_transaction_that_created_the_reminder_rolls_back(
    make_reminders, coordinator_x, reminder_queue
):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_reminders(coordinator_x)
        raise RuntimeError("something later in the same transaction failed")
    assert Reminder.objects.count() == 0
    assert queued(reminder_queue) == 0
    make_reminders(coordinator_x)
    assert queued(reminder_queue) == 1  # the email; the in-app notice needs no task


def test_a_patient_text_message_goes_to_the_sms_backend_with_the_reference(
    db, test_templates, sms_outbox
):
    (reminder,) = create_reminders(
        kind="test_patient_message",
        target_type="review",
        target_id=7,
        occurrence="48h",
        recipients=[
            Recipient(key="patient:1", channels=("sms",), name="Ianto", phone="07700900001")
        ],
        context={},
    )
    assert services.deliver_reminder(reminder_id=reminder.pk).status == "sent"
    (message,) = sms_outbox
    assert message["to"] == "07700900001"
    assert message["reference"] == str(reminder.reference)
    assert message["body"].startswith("Hello Ianto, this is your reminder.")


@responses.activate
def test_the_notify_adapter_sends_the_reference_to_gov_uk_notify(settings):
    settings.NOTIFY_API_KEY = NOTIFY_KEY
    settings.NOTIFY_SMS_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
    responses.post(NOTIFY_SMS_URL, json={"id": "740e5834-3a29-46b4-9a6f-16142fde533a"}, status=201)
    message_id = NotifySMSBackend().send(to="07700900001", body="Hello", reference="ref-1")
    assert message_id == "740e5834-3a29-46b4-9a6f-16142fde533a"
    sent = responses.calls[0].request
    assert sent.headers["Authorization"].startswith("Bearer ")
    import json

    assert json.loads(sent.body) == {
        "phone_number": "07700900001",
        "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a",
        "personalisation": {"body": "Hello"},
        "reference": "ref-1",
    }


@responses.activate
@pytest.mark.parametrize(("status", "permanent"), [(400, True), (500, False), (503, False)])
def test_the_notify_adapter_says_which_refusals_are_worth_retrying(settings, status, permanent):
    settings.NOTIFY_API_KEY = NOTIFY_KEY
    settings.NOTIFY_SMS_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
    responses.post(
        NOTIFY_SMS_URL,
        json={"status_code": status, "errors": [{"error": "Error", "message": "refused"}]},
        status=status,
    )
    with pytest.raises(DeliveryError) as raised:
        NotifySMSBackend().send(to="07700900001", body="Hello", reference="ref-1")
    assert raised.value.permanent is permanent


def test_a_sweep_run_is_recorded_with_the_number_of_reminders_it_created(
    make_reminders, coordinator_x
):
    run = services.run_sweep(kind="test", sweep=lambda now: make_reminders(coordinator_x))
    assert (run.kind, run.created_count) == ("test", 2)
    assert run.finished_at >= run.started_at


def test_a_failed_sweep_run_is_recorded_with_its_error(db):
    def broken(now):
        raise ValueError("no database")

    with pytest.raises(ValueError):
        services.run_sweep(kind="broken", sweep=broken)
    run = JobRun.objects.get(kind="broken")
    assert run.error == "ValueError: no database"
    assert run.finished_at is not None


def test_a_reminder_past_its_stale_after_is_skipped_with_the_reason_not_sent(
    make_reminders, coordinator_x
):
    reminder = email_reminder(make_reminders(coordinator_x))
    Reminder.objects.filter(pk=reminder.pk).update(stale_after=timezone.now())
    assert deliver_reminder.apply(args=[reminder.pk]).get() == "stale"
    assert mail.outbox == []
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (ReminderStatus.SKIPPED, 0)
    assert "out of date" in reminder.last_error


def test_a_reminder_before_its_stale_after_is_sent(make_reminders, coordinator_x):
    reminder = email_reminder(make_reminders(coordinator_x))
    Reminder.objects.filter(pk=reminder.pk).update(
        stale_after=timezone.now() + datetime.timedelta(minutes=5)
    )
    assert services.deliver_reminder(reminder_id=reminder.pk).status == "sent"
    assert len(mail.outbox) == 1


def test_recovery_skips_a_lost_reminder_gone_stale_instead_of_enqueueing_it(
    make_reminders, coordinator_x, manager, monkeypatch
):
    enqueued = []
    monkeypatch.setattr(reminder_delivery, "enqueue_reminder_deliveries", enqueued.extend)
    stale = email_reminder(make_reminders(coordinator_x, target_id=1))
    lost = email_reminder(make_reminders(manager, target_id=2))
    now = timezone.now()
    hour_ago = now - datetime.timedelta(hours=1)
    Reminder.objects.filter(pk__in=[stale.pk, lost.pk]).update(next_attempt_at=hour_ago)
    Reminder.objects.filter(pk=stale.pk).update(stale_after=hour_ago)
    assert services.recover_reminders(now=now) == 1
    assert enqueued == [lost.pk]
    stale.refresh_from_db()
    assert stale.status == ReminderStatus.SKIPPED


def test_a_batch_skips_a_stale_reminder_and_sends_the_rest_in_the_same_statements(
    make_reminders, coordinator_x, manager, django_assert_num_queries
):
    stale, due = (
        email_reminder(make_reminders(user, target_id=n)).pk
        for n, user in enumerate([coordinator_x, manager])
    )
    Reminder.objects.filter(pk=stale).update(stale_after=timezone.now())
    with django_assert_num_queries(2 + 2):
        outcomes = services.deliver_reminders(reminder_ids=[stale, due])
    assert outcomes == {
        stale: services.DeliveryOutcome("stale"),
        due: services.DeliveryOutcome("sent"),
    }
    assert [message.to for message in mail.outbox] == [[manager.email]]


# --- Batches, as a sweep enqueues them


def test_a_batch_is_claimed_in_one_statement_and_each_message_marked_sent(
    make_reminders, coordinator_x, manager, vetter, django_assert_num_queries
):
    ids = [
        email_reminder(make_reminders(user, target_id=n)).pk
        for n, user in enumerate([coordinator_x, manager, vetter])
    ]
    # One claim, one read of the claimed rows, then one "sent" per message.
    with django_assert_num_queries(2 + 3):
        outcomes = services.deliver_reminders(reminder_ids=ids)
    assert {outcome.status for outcome in outcomes.values()} == {"sent"}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [coordinator_x.email, manager.email, vetter.email]
    )
    assert set(Reminder.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"sent"}


def test_a_batch_skips_what_was_sent_already_and_what_another_worker_holds(
    make_reminders, coordinator_x, manager, vetter
):
    sent, held, due = (
        email_reminder(make_reminders(user, target_id=n)).pk
        for n, user in enumerate([coordinator_x, manager, vetter])
    )
    services.deliver_reminder(reminder_id=sent)
    Reminder.objects.filter(pk=held).update(
        status=ReminderStatus.CLAIMED, claimed_at=timezone.now()
    )
    mail.outbox.clear()
    outcomes = services.deliver_reminders(reminder_ids=[sent, held, due])
    assert outcomes == {due: services.DeliveryOutcome("sent")}
    assert [message.to for message in mail.outbox] == [[vetter.email]]


def test_the_batch_task_sends_a_failed_message_back_on_its_own_with_its_backoff(
    make_reminders, coordinator_x, manager, settings, monkeypatch
):
    settings.EMAIL_BACKEND = "tests.reminder_backends.FailingEmailBackend"
    retried = []
    monkeypatch.setattr(
        services,
        "enqueue_reminder_delivery",
        lambda reminder_id, countdown=None: retried.append((reminder_id, countdown)),
    )
    ids = [
        email_reminder(make_reminders(user, target_id=n)).pk
        for n, user in enumerate([coordinator_x, manager])
    ]
    from accounts.tasks import deliver_reminders

    assert deliver_reminders.apply(args=[ids]).get() == {"retry": 2}
    assert sorted(retried) == [(pk, settings.REMINDER_RETRY_BACKOFF_SECONDS) for pk in ids]
    assert set(Reminder.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"pending"}


def test_past_its_time_budget_a_batch_hands_the_rest_back_unsent_and_unattempted(
    make_reminders, coordinator_x, manager
):
    ids = [
        email_reminder(make_reminders(user, target_id=n)).pk
        for n, user in enumerate([coordinator_x, manager])
    ]
    outcomes = services.deliver_reminders(reminder_ids=ids, stop_at=0)  # already past
    assert {outcome.status for outcome in outcomes.values()} == {"released"}
    assert mail.outbox == []
    for reminder in Reminder.objects.filter(pk__in=ids):
        assert (reminder.status, reminder.attempts, reminder.claimed_at) == ("pending", 0, None)


def test_the_batch_task_enqueues_what_it_handed_back_as_a_new_batch(
    make_reminders, coordinator_x, manager, settings, monkeypatch
):
    settings.REMINDER_TASK_SOFT_TIME_LIMIT = -1  # no time at all
    handed_back = []
    monkeypatch.setattr(services, "enqueue_reminder_deliveries", handed_back.append)
    ids = [
        email_reminder(make_reminders(user, target_id=n)).pk
        for n, user in enumerate([coordinator_x, manager])
    ]
    from accounts.tasks import deliver_reminders

    assert deliver_reminders.apply(args=[ids]).get() == {"released": 2}
    assert [sorted(batch) for batch in handed_back] == [sorted(ids)]


def test_many_reminders_are_enqueued_in_batches_of_the_configured_size(settings, monkeypatch):
    settings.REMINDER_DELIVERY_BATCH_SIZE = 4
    from accounts import tasks

    sent = []
    monkeypatch.setattr(
        tasks.deliver_reminders, "apply_async", lambda args, queue: sent.append(args[0])
    )
    services.enqueue_reminder_deliveries(list(range(1, 11)))
    assert sent == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]
