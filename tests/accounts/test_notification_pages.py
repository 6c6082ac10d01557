import pytest
from django.urls import reverse

from accounts.models import Notification, Reminder, ReminderStatus
from accounts.services import notify

BELL = 'data-testid="unread-count"'


@pytest.fixture
def signed_in(client, password):
    def _as(user):
        client.login(email=user.email, password=password)
        return client

    return _as


def _notices(user, count):
    for n in range(count):
        notify(recipient=user, verb="test", message=f"Notice {n}", link="/coordinator/")


def test_the_header_bell_shows_the_unread_count(signed_in, coordinator_x):
    _notices(coordinator_x, 3)
    page = signed_in(coordinator_x).get(reverse("accounts:notifications")).content.decode()
    assert f'{BELL}>3<span class="nhsuk-u-visually-hidden"> unread</span>' in page


def test_the_bell_shows_no_count_when_everything_is_read(signed_in, coordinator_x):
    page = signed_in(coordinator_x).get(reverse("accounts:notifications")).content.decode()
    assert BELL not in page
    assert "You have no notifications." in page


def test_the_list_shows_only_ones_own_notifications(signed_in, coordinator_x, coordinator_y):
    notify(recipient=coordinator_x, verb="test", message="For Cass")
    notify(recipient=coordinator_y, verb="test", message="For Cleo")
    page = signed_in(coordinator_x).get(reverse("accounts:notifications")).content.decode()
    assert "For Cass" in page
    assert "For Cleo" not in page


def test_opening_a_notification_marks_it_read_and_goes_to_the_thing(signed_in, coordinator_x):
    notification = notify(recipient=coordinator_x, verb="test", message="Hi", link="/coordinator/")
    response = signed_in(coordinator_x).post(
        reverse("accounts:notification-read", args=[notification.pk]), {"open": "1"}
    )
    assert response.status_code == 302
    assert response.url == "/coordinator/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_marking_one_notification_read_returns_to_the_list(signed_in, coordinator_x):
    notification = notify(recipient=coordinator_x, verb="test", message="Hi")
    response = signed_in(coordinator_x).post(
        reverse("accounts:notification-read", args=[notification.pk])
    )
    assert response.url == reverse("accounts:notifications")
    assert Notification.objects.get(pk=notification.pk).read_at is not None


def test_someone_elses_notification_is_a_404(signed_in, coordinator_x, coordinator_y):
    theirs = notify(recipient=coordinator_y, verb="test", message="Private")
    response = signed_in(coordinator_x).post(
        reverse("accounts:notification-read", args=[theirs.pk])
    )
    assert response.status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_as_read_clears_the_count(signed_in, coordinator_x, coordinator_y):
    _notices(coordinator_x, 2)
    _notices(coordinator_y, 1)
    client = signed_in(coordinator_x)
    client.post(reverse("accounts:notifications-read-all"))
    assert not Notification.objects.filter(recipient=coordinator_x, read_at=None).exists()
    assert Notification.objects.filter(recipient=coordinator_y, read_at=None).count() == 1


def test_marking_read_needs_a_post(signed_in, coordinator_x):
    notification = notify(recipient=coordinator_x, verb="test", message="Hi")
    response = signed_in(coordinator_x).get(
        reverse("accounts:notification-read", args=[notification.pk])
    )
    assert response.status_code == 405


def test_the_notification_list_query_count_does_not_grow_with_rows(
    signed_in, coordinator_x, django_assert_num_queries
):
    client = signed_in(coordinator_x)
    url = reverse("accounts:notifications")
    _notices(coordinator_x, 1)
    client.get(url)
    before = len(_capture(client, url))
    _notices(coordinator_x, 20)
    with django_assert_num_queries(before):
        client.get(url)


def _capture(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        client.get(url)
    return context.captured_queries


# --- Operations


def test_the_operations_page_is_for_managers_and_superusers(
    signed_in, coordinator_x, manager, superuser
):
    url = reverse("accounts:operations")
    assert signed_in(coordinator_x).get(url).status_code == 403
    assert signed_in(manager).get(url).status_code == 200
    assert signed_in(superuser).get(url).status_code == 200


def test_a_failed_reminder_shows_on_the_operations_page_and_can_be_retried(
    signed_in, make_reminders, coordinator_x, manager, settings, django_capture_on_commit_callbacks
):
    from accounts.tasks import deliver_reminder

    settings.EMAIL_BACKEND = "tests.reminder_backends.FailingEmailBackend"
    settings.REMINDER_MAX_ATTEMPTS = 2
    email = next(r for r in make_reminders(coordinator_x) if r.channel == "email")
    deliver_reminder.apply(args=[email.pk])
    client = signed_in(manager)
    page = client.get(reverse("accounts:operations")).content.decode()
    assert 'data-testid="count-failed">1<' in page
    assert "Connection refused by the test mail server" in page
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("accounts:reminder-retry", args=[email.pk]))
    assert response.status_code == 302
    email.refresh_from_db()
    assert (email.status, email.attempts) == (ReminderStatus.PENDING, 0)
    assert len(callbacks) == 1  # the delivery task, after commit


def test_retrying_a_reminder_that_did_not_fail_is_refused_with_a_message(
    signed_in, make_reminders, coordinator_x, manager
):
    email = next(r for r in make_reminders(coordinator_x) if r.channel == "email")
    response = signed_in(manager).post(
        reverse("accounts:reminder-retry", args=[email.pk]), follow=True
    )
    assert "This reminder is pending, so it cannot be retried." in response.content.decode()


def test_another_teams_reminder_is_a_404_on_the_operations_page(
    signed_in, make_reminders, coordinator_x, manager, team_y
):
    email = next(r for r in make_reminders(coordinator_x) if r.channel == "email")
    Reminder.objects.filter(pk=email.pk).update(team=team_y, status=ReminderStatus.FAILED)
    response = signed_in(manager).post(reverse("accounts:reminder-retry", args=[email.pk]))
    assert response.status_code == 404
    page = signed_in(manager).get(reverse("accounts:operations")).content.decode()
    assert 'data-testid="count-failed">0<' in page


def test_the_operations_page_query_count_does_not_grow_with_rows(
    signed_in, make_reminders, coordinator_x, manager, django_assert_num_queries
):
    from accounts.services import run_sweep

    client = signed_in(manager)
    url = reverse("accounts:operations")
    make_reminders(coordinator_x, target_id=1)
    run_sweep(kind="one", sweep=lambda now: [])
    client.get(url)
    before = len(_capture(client, url))
    for n in range(2, 12):
        make_reminders(coordinator_x, target_id=n)
        run_sweep(kind=f"run {n}", sweep=lambda now: [])
    Reminder.objects.filter(channel="email").update(status=ReminderStatus.FAILED)
    with django_assert_num_queries(before):
        client.get(url)


def test_an_anonymous_visitor_is_sent_to_log_in_from_the_notification_centre(client, db):
    response = client.get(reverse("accounts:notifications"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_reminder_is_never_retried_by_a_get_request(
    signed_in, make_reminders, coordinator_x, manager
):
    email = next(r for r in make_reminders(coordinator_x) if r.channel == "email")
    Reminder.objects.filter(pk=email.pk).update(status=ReminderStatus.FAILED)
    response = signed_in(manager).get(reverse("accounts:reminder-retry", args=[email.pk]))
    assert response.status_code == 405
    email.refresh_from_db()
    assert email.status == ReminderStatus.FAILED


def test_only_managers_and_superusers_may_retry_a_reminder(
    signed_in, make_reminders, coordinator_x
):
    email = next(r for r in make_reminders(coordinator_x) if r.channel == "email")
    Reminder.objects.filter(pk=email.pk).update(status=ReminderStatus.FAILED)
    response = signed_in(coordinator_x).post(reverse("accounts:reminder-retry", args=[email.pk]))
    assert response.status_code == 403
    email.refresh_from_db()
    assert email.status == ReminderStatus.FAILED
