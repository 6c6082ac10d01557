import datetime
import re
import zoneinfo

import time_machine
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, Notification, Reminder
from accounts.services import deliver_reminder, render_reminder
from community_services.models import ServiceStatus
from referrals import attendance_links, provider_links, services
from referrals.errors import LinkStillValid
from referrals.models import ServiceReferral, ServiceReferralEvent
from referrals.services import (
    sweep_attendance_check,
    sweep_onward_service_expired,
    sweep_provider_not_answering,
)
from tests.accounts.conftest import sms_outbox  # noqa: F401 - shared fixture
from tests.community_services.factories import ApprovedServiceFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(year, month, day, hour=10, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def refer_on(case, service, coordinator, when):
    with time_machine.travel(when, tick=False):
        return services.create_service_referral(
            referral=case, service=service, by=coordinator, provider_needs_to_know="Lunch."
        )


def sweep_at(sweep, when):
    """Sweeps run with the clock where beat would be: links and timestamps use it too."""
    with time_machine.travel(when, tick=False):
        return sweep(when)


def kinds_and_channels(reminders):
    return {(r.kind, r.recipient_key, r.channel) for r in reminders}


# --- Provider not answering


def test_a_provider_silent_for_7_days_gets_a_fresh_link_and_the_coordinator_is_told(
    case_a, provider_service, coordinator_x
):
    sr = refer_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    assert sweep_at(sweep_provider_not_answering, at(2026, 3, 9, 9, 59)) == []
    created = sweep_at(sweep_provider_not_answering, at(2026, 3, 9, 10))
    assert kinds_and_channels(created) == {
        ("provider_nudged", f"user:{coordinator_x.pk}", "in_app"),
        ("provider_nudged", f"user:{coordinator_x.pk}", "email"),
    }
    assert list(sr.links.values_list("purpose", flat=True)) == ["reminder", "referral"]
    notice = Notification.objects.get(recipient=coordinator_x, verb="provider_nudged")
    assert notice.message == (
        f"Tuesday Lunch Club has not answered the referral for {case_a.reference}"
    )
    assert notice.link == f"/referrals/{case_a.reference}/onward/{sr.pk}/"
    sr.refresh_from_db()
    assert sr.status == "sent"


def test_the_providers_fresh_link_works_and_the_old_one_no_longer_does(
    client, case_a, provider_service, coordinator_x
):
    sr = refer_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    old = provider_links.token_for(sr.links.get())
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        sweep_provider_not_answering(at(2026, 3, 9, 10))
        new = provider_links.token_for(sr.links.get(purpose="reminder"))
        old_page = client.get(reverse("referrals:provider-link", args=[old]))
        assert old_page.status_code == 410
        assert "This link has been replaced" in old_page.content.decode()
        assert client.get(reverse("referrals:provider-link", args=[new])).status_code == 200
        client.post(reverse("referrals:provider-link", args=[new]), {"action": "accept"})
    assert ServiceReferral.objects.get().status == "accepted"


def test_the_nudge_emails_the_provider_a_reminder_with_the_fresh_link(
    case_a, provider_service, coordinator_x, eager_celery, django_capture_on_commit_callbacks
):
    sr = refer_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    # The email goes at once, as the sweep commits: while the clock is still where beat ran it.
    with (
        time_machine.travel(at(2026, 3, 9, 10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sweep_provider_not_answering(at(2026, 3, 9, 10))
    to_provider = [m for m in mail.outbox if m.to == ["referrals@lunch.example"]]
    (message,) = to_provider
    assert (
        message.subject == "Reminder: a referral to Tuesday Lunch Club is waiting for your answer"
    )
    assert "replaces the one we sent before" in message.body
    token = re.search(r"/respond/([^/]+)/", message.body).group(1)
    reminder_link = sr.links.get(purpose="reminder")
    with time_machine.travel(at(2026, 3, 9, 12), tick=False):
        assert provider_links.check_token(token).link == reminder_link
    assert Reminder.objects.get(kind="provider_link", target_id=reminder_link.pk).status == "sent"
    assert case_a.patient.family_name not in message.body


def test_the_team_still_cannot_send_a_fresh_link_while_the_reminder_link_works(
    case_a, provider_service, coordinator_x
):
    sr = refer_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    sweep_at(sweep_provider_not_answering, at(2026, 3, 9, 10))
    with time_machine.travel(at(2026, 3, 10), tick=False):
        try:
            services.send_fresh_provider_link(service_referral=sr, by=coordinator_x)
        except LinkStillValid:
            pass
        else:
            raise AssertionError("a fresh link was issued while the current one works")


def test_after_14_days_it_is_marked_no_response_and_the_coordinator_asked_to_choose_again(
    case_a, provider_service, coordinator_x
):
    sr = refer_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    sweep_at(sweep_provider_not_answering, at(2026, 3, 9, 10))
    assert sweep_at(sweep_provider_not_answering, at(2026, 3, 16, 9, 59)) == []
    created = sweep_at(sweep_provider_not_answering, at(2026, 3, 16, 10))
    assert kinds_and_channels(created) == {
        ("provider_no_response", f"user:{coordinator_x.pk}", "in_app"),
        ("provider_no_response", f"user:{coordinator_x.pk}", "email"),
    }
    sr.refresh_from_db()
    assert sr.status == "no_response"
    assert sr.events.last().note == "No answer from the provider after 14 days."
    notice = Notification.objects.get(verb="provider_no_response")
    assert notice.link == f"/referrals/{case_a.reference}/"
    assert AuditEvent.objects.filter(action="no_response", object_id=str(sr.pk)).exists()


def test_running_the_provider_sweep_twice_creates_no_second_reminder_or_link(
    case_a, provider_service, coordinator_x
):
    sr = refer_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    assert len(sweep_at(sweep_provider_not_answering, at(2026, 3, 9, 10))) == 2
    assert sweep_at(sweep_provider_not_answering, at(2026, 3, 9, 10)) == []
    assert sweep_at(sweep_provider_not_answering, at(2026, 3, 12)) == []
    assert sr.links.count() == 2
    assert len(sweep_at(sweep_provider_not_answering, at(2026, 3, 16, 10))) == 2
    assert sweep_at(sweep_provider_not_answering, at(2026, 3, 20)) == []
    assert Reminder.objects.exclude(kind="provider_link").count() == 4
    assert Reminder.objects.filter(kind="provider_link").count() == sr.links.count()


def test_an_answered_onward_referral_is_not_chased(case_a, provider_service, coordinator_x):
    sr = refer_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    with time_machine.travel(at(2026, 3, 3), tick=False):
        services.accept_service_referral(service_referral=sr, by=coordinator_x)
    assert sweep_at(sweep_provider_not_answering, at(2026, 3, 20)) == []
    assert sr.links.count() == 1


def test_the_no_response_email_tells_the_coordinator_to_choose_another_service(
    case_a, provider_service, coordinator_x
):
    refer_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    created = sweep_at(sweep_provider_not_answering, at(2026, 3, 17))
    email = next(r for r in created if r.channel == "email")
    body = render_reminder(email, "body.txt")
    assert "sent on 2 March 2026, after 14 days" in body
    assert f"/referrals/{case_a.reference}/" in body


# --- Patient-confirmed attendance


def accepted_on(case, service, coordinator, when):
    sr = refer_on(case, service, coordinator, when - datetime.timedelta(days=1))
    with time_machine.travel(when, tick=False):
        return services.accept_service_referral(service_referral=sr, by=coordinator)


def consent(patient, *, sms=False, email=False):
    patient.consent_to_sms, patient.consent_to_email = sms, email
    patient.save()


def test_a_consenting_patient_is_asked_whether_they_went_after_the_provider_stays_silent(
    case_a,
    provider_service,
    coordinator_x,
    sms_outbox,  # noqa: F811
):
    consent(case_a.patient, sms=True)
    sr = accepted_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    assert sweep_attendance_check(at(2026, 3, 23, 9, 59)) == []
    (text,) = sweep_attendance_check(at(2026, 3, 23, 10))
    assert (text.kind, text.channel) == ("attendance_check", "sms")
    assert "token" not in str(text.context) and "did-you-go" not in str(text.context)
    with time_machine.travel(at(2026, 3, 23, 10), tick=False):
        deliver_reminder(reminder_id=text.pk)
    (message,) = sms_outbox
    assert message["body"].startswith(
        f"Hello {case_a.patient.given_name}, did you manage to go to Tuesday Lunch Club?"
    )
    with time_machine.travel(at(2026, 3, 24), tick=False):
        answers = [attendance_links.check_token(token) for token in _tokens(message["body"])]
    assert [(a.service_referral, a.answer) for a in answers] == [
        (sr, "yes"),
        (sr, "no"),
        (sr, "not_yet"),
    ]


def _tokens(body):
    return re.findall(r"/did-you-go/([^/\s]+)/", body)


def test_the_attendance_question_goes_only_on_consented_channels(
    case_a, provider_service, coordinator_x
):
    accepted_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    assert sweep_attendance_check(at(2026, 3, 30)) == []
    consent(case_a.patient, email=True)
    assert {(r.channel, r.address) for r in sweep_attendance_check(at(2026, 3, 30))} == {
        ("email", "patient@test.example")
    }


def test_running_the_attendance_sweep_twice_creates_no_second_question(
    case_a, provider_service, coordinator_x
):
    consent(case_a.patient, sms=True, email=True)
    accepted_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    assert len(sweep_attendance_check(at(2026, 3, 23, 10))) == 2
    assert sweep_attendance_check(at(2026, 3, 23, 10)) == []
    assert sweep_attendance_check(at(2026, 4, 20)) == []
    assert Reminder.objects.exclude(kind="provider_link").count() == 2


def test_a_provider_who_answered_about_attendance_means_no_question(
    case_a, provider_service, coordinator_x
):
    consent(case_a.patient, sms=True)
    sr = accepted_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    with time_machine.travel(at(2026, 3, 10), tick=False):
        services.record_service_attended(service_referral=sr, by=coordinator_x)
    assert sweep_attendance_check(at(2026, 4, 1)) == []


def answer_url(sr, answer):
    return reverse("referrals:attendance-answer", args=[attendance_links.token_for(sr.pk, answer)])


def test_the_answer_page_shows_only_the_service_name_and_records_the_patients_answer(
    client, case_a, provider_service, coordinator_x, django_assert_num_queries
):
    sr = accepted_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    url = answer_url(sr, "yes")
    with django_assert_num_queries(4):
        response = client.get(url)
    page = response.content.decode()
    assert "Did you manage to go to Tuesday Lunch Club?" in page
    for hidden in (case_a.patient.given_name, case_a.patient.family_name, case_a.reference):
        assert hidden not in page
    assert "no-store" in response["Cache-Control"]
    assert ServiceReferral.objects.get().patient_reported_attendance == ""
    assert client.post(url, {"answer": "yes"}).status_code == 302
    sr.refresh_from_db()
    assert (sr.status, sr.patient_reported_attendance) == ("accepted", "yes")
    event = sr.events.last()
    assert event.by_patient and event.by_label == "the patient (their own link)"
    assert AuditEvent.objects.filter(action="patient_reported_attendance").count() == 1
    notice = Notification.objects.get(verb="patient_reported_attendance")
    assert notice.recipient == coordinator_x
    assert "answered: yes" in notice.message
    assert "Thank you. We have told your link worker." in client.get(url).content.decode()


def test_a_patients_no_does_not_override_the_providers_answer(
    client, case_a, provider_service, coordinator_x
):
    sr = accepted_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    services.record_service_attended(service_referral=sr, by=coordinator_x)
    client.post(answer_url(sr, "no"), {"answer": "no"})
    sr.refresh_from_db()
    assert (sr.status, sr.patient_reported_attendance) == ("attended", "no")
    assert ServiceReferralEvent.objects.filter(by_patient=True).get().note == (
        "Did they go? No, they did not go (patient-reported); the provider's answer stands"
    )


def test_not_yet_asks_the_patient_again_later(case_a, provider_service, coordinator_x):
    consent(case_a.patient, sms=True)
    sr = accepted_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    assert len(sweep_attendance_check(at(2026, 3, 23, 10))) == 1
    with time_machine.travel(at(2026, 3, 24), tick=False):
        services.record_patient_reported_attendance(service_referral=sr, answer="not_yet")
    assert sweep_attendance_check(at(2026, 4, 14, 9, 59)) == []
    assert len(sweep_attendance_check(at(2026, 4, 14, 10))) == 1
    with time_machine.travel(at(2026, 4, 15), tick=False):
        services.record_patient_reported_attendance(service_referral=sr, answer="yes")
    assert sweep_attendance_check(at(2026, 6, 1)) == []


def test_an_expired_or_tampered_answer_link_shows_no_data_and_records_nothing(
    client, case_a, provider_service, coordinator_x
):
    sr = accepted_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    with time_machine.travel(at(2026, 3, 23), tick=False):
        url = answer_url(sr, "yes")
    with time_machine.travel(at(2026, 4, 7), tick=False):
        expired = client.post(url, {"answer": "yes"})
    assert expired.status_code == 410
    assert "Lunch Club" not in expired.content.decode()
    assert client.get(url[:-3] + "xx/").status_code == 404
    assert ServiceReferral.objects.get().patient_reported_attendance == ""


def test_a_withdrawn_referral_takes_no_answer(client, case_a, provider_service, coordinator_x):
    sr = accepted_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    services.withdraw_service_referral(service_referral=sr, by=coordinator_x)
    url = answer_url(sr, "yes")
    assert "nothing more you need to tell us" in client.get(url).content.decode()
    client.post(url, {"answer": "yes"})
    assert ServiceReferral.objects.get().patient_reported_attendance == ""


def test_the_team_sees_the_patients_answer_on_the_onward_referral(
    client, password, case_a, provider_service, coordinator_x
):
    sr = accepted_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    services.record_patient_reported_attendance(service_referral=sr, answer="yes")
    url = reverse("referrals:service-referral", args=[case_a.reference, sr.pk])
    client.login(email=coordinator_x.email, password=password)
    page = client.get(url).content.decode()
    assert "Yes, they went (patient-reported)" in page


# --- A service's vetting expired: tell the coordinators with open onward referrals to it


def lapse(service, on):
    service.status, service.vetted_until = ServiceStatus.EXPIRED, on
    service.save()


def test_coordinators_with_open_onward_referrals_are_told_when_a_service_expires(
    case_a, provider_service, coordinator_x, other_provider
):
    sr = refer_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    refer_on(case_a, other_provider[1], coordinator_x, at(2026, 3, 2))
    lapse(provider_service, datetime.date(2026, 3, 9))
    assert sweep_onward_service_expired(at(2026, 3, 9, 12)) == []  # lapses at the day's end
    created = sweep_onward_service_expired(at(2026, 3, 10, 0, 30))
    assert kinds_and_channels(created) == {
        ("onward_service_expired", f"user:{coordinator_x.pk}", "in_app"),
        ("onward_service_expired", f"user:{coordinator_x.pk}", "email"),
    }
    assert {r.target_id for r in created} == {str(sr.pk)}
    assert Notification.objects.get(verb="onward_service_expired").message == (
        f"Tuesday Lunch Club can no longer take referrals: case {case_a.reference}"
    )


def test_finished_onward_referrals_are_not_told_about_an_expired_service(
    case_a, provider_service, coordinator_x
):
    sr = refer_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    services.withdraw_service_referral(service_referral=sr, by=coordinator_x)
    lapse(provider_service, datetime.date(2026, 3, 9))
    assert sweep_onward_service_expired(at(2026, 3, 10)) == []


def test_running_the_expired_service_sweep_twice_creates_no_second_notice(
    case_a, provider_service, coordinator_x
):
    refer_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    lapse(provider_service, datetime.date(2026, 3, 9))
    assert len(sweep_onward_service_expired(at(2026, 3, 10))) == 2
    assert sweep_onward_service_expired(at(2026, 3, 10)) == []
    assert sweep_onward_service_expired(at(2026, 3, 12)) == []
    assert sweep_onward_service_expired(at(2026, 3, 30)) == []  # outside the notice window
    assert Reminder.objects.exclude(kind="provider_link").count() == 2


def test_the_expired_service_sweep_runs_after_the_directory_expires_the_service(
    case_a, coordinator_x
):
    from community_services.services import sweep_vetting_expired

    with time_machine.travel(at(2026, 3, 1), tick=False):
        service = ApprovedServiceFactory(name="Knit and Natter", email="k@n.example")
    refer_on(case_a, service, coordinator_x, at(2026, 3, 2))
    service.vetted_until = datetime.date(2026, 3, 9)
    service.save()
    sweep_vetting_expired(at(2026, 3, 10, 0, 15))
    assert {r.kind for r in sweep_onward_service_expired(at(2026, 3, 10, 0, 30))} == {
        "onward_service_expired"
    }


# --- Beat


def test_every_beat_entry_names_a_registered_task():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_the_provider_sweep_task_records_a_job_run_with_the_frozen_clock(
    case_a, provider_service, coordinator_x
):
    from accounts.models import JobRun
    from referrals.tasks import sweep_provider_not_answering as task

    refer_on(case_a, provider_service, coordinator_x, at(2026, 3, 2))
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        assert task.apply().get() == 2
        assert task.apply().get() == 0
    assert list(JobRun.objects.values_list("kind", flat=True)) == ["provider_not_answering"] * 2
