import datetime
import zoneinfo

from django.core import mail

from accounts.models import Notification, Reminder
from accounts.services import deliver_reminder
from community_services.models import ServiceStatus
from community_services.services import sweep_vetting_expired, sweep_vetting_expiring

from .factories import ApprovedServiceFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
MONDAY = datetime.datetime(2026, 3, 2, 7, 30, tzinfo=LONDON)


def day(offset: int) -> datetime.date:
    return MONDAY.date() + datetime.timedelta(days=offset)


def test_vetters_get_a_digest_of_services_whose_vetting_ends_within_30_days(vetter):
    soon = ApprovedServiceFactory(name="Lunch Club", vetted_until=day(30))
    ApprovedServiceFactory(name="Walking Group", vetted_until=day(31))
    created = sweep_vetting_expiring(MONDAY)
    assert {(r.recipient, r.channel) for r in created} == {(vetter, "in_app"), (vetter, "email")}
    (names,) = {tuple(s["name"] for s in r.context["services"]) for r in created}
    assert names == (soon.name,)
    assert Notification.objects.get(recipient=vetter).message == (
        "1 service needs vetting again within 30 days"
    )


def test_the_vetting_digest_is_sent_once_a_week_however_often_the_sweep_runs(vetter):
    ApprovedServiceFactory(vetted_until=day(10))
    assert len(sweep_vetting_expiring(MONDAY)) == 2
    assert sweep_vetting_expiring(MONDAY + datetime.timedelta(days=3)) == []
    assert len(sweep_vetting_expiring(MONDAY + datetime.timedelta(days=7))) == 2


def test_no_digest_is_sent_when_nothing_is_expiring(vetter):
    ApprovedServiceFactory(vetted_until=day(200))
    assert sweep_vetting_expiring(MONDAY) == []


def test_the_digest_email_lists_each_service_with_its_date(vetter):
    ApprovedServiceFactory(name="Lunch Club", vetted_until=day(12))
    email = next(r for r in sweep_vetting_expiring(MONDAY) if r.channel == "email")
    deliver_reminder(reminder_id=email.pk)
    (message,) = mail.outbox
    assert "Lunch Club" in message.body
    assert "14 March 2026" in message.body


def test_lapsed_vettings_expire_and_vetters_are_told_once(vetter):
    lapsed = ApprovedServiceFactory(name="Lunch Club", vetted_until=day(-1))
    current = ApprovedServiceFactory(vetted_until=day(0))
    created = sweep_vetting_expired(MONDAY)
    lapsed.refresh_from_db()
    current.refresh_from_db()
    assert lapsed.status == ServiceStatus.EXPIRED
    assert current.status == ServiceStatus.APPROVED
    assert {(r.target_id, r.channel) for r in created} == {
        (str(lapsed.pk), "in_app"),
        (str(lapsed.pk), "email"),
    }
    assert sweep_vetting_expired(MONDAY) == []
    next_day = sweep_vetting_expired(MONDAY + datetime.timedelta(days=1))
    assert {r.target_id for r in next_day} == {str(current.pk)}  # its vetting ended on day 0
    assert sweep_vetting_expired(MONDAY + datetime.timedelta(days=2)) == []
    assert Reminder.objects.count() == 4
