"""The team review calendar and calendar invites (issue 19 item 9): week and month views of
the scheduled reviews of the user's teams' open cases, and an .ics invite for each review."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import AuditEvent
from coordinators import services
from tests.coordinators.conftest import in_days, open_case

pytestmark = pytest.mark.django_db


def _review(case, coordinator, days, hour=10):
    return services.schedule_review(
        case=case, by=coordinator, scheduled_for=in_days(days, hour), mode="phone"
    )


def _calendar(client, **params) -> str:
    response = client.get(reverse("coordinators:review-calendar"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def colleagues_case(practice_a, referrer_a, team_x):
    """A case of team X held by another link worker of the team."""
    from tests.factories import UserFactory

    colleague = UserFactory(email="colleague.x@test.example", first_name="Cai")
    colleague.memberships.create(organisation=team_x, role="coordinator")
    return open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=colleague
    ), colleague


def test_the_week_view_shows_the_whole_teams_reviews_and_not_another_teams(
    client, coordinator_x, case, colleagues_case, other_team_case, coordinator_y
):
    theirs, colleague = colleagues_case
    _review(case, coordinator_x, 1)
    _review(theirs, colleague, 1, hour=14)
    _review(other_team_case, coordinator_y, 1)
    client.force_login(coordinator_x)

    page = _calendar(client, view="week", date=in_days(1).date().isoformat())

    day = in_days(1).date().isoformat()
    assert f'data-testid="day-{day}"' in page
    assert case.patient.full_name in page
    assert theirs.patient.full_name in page
    assert other_team_case.patient.full_name not in page
    assert page.index("10:00") < page.index("14:00")


def test_the_month_view_lays_out_whole_weeks_and_moves_between_months(client, coordinator_x, case):
    review = _review(case, coordinator_x, 40)
    client.force_login(coordinator_x)
    day = timezone.localdate(review.scheduled_for)

    page = _calendar(client, view="month", date=day.replace(day=1).isoformat())

    assert day.strftime("%B %Y") in page
    assert case.patient.full_name in page
    first = day.replace(day=1)
    monday = first - datetime.timedelta(days=first.weekday())
    assert f'data-testid="day-{monday.isoformat()}"' in page
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    assert f"view=month&amp;date={previous.isoformat()}" in page
    this_week = _calendar(client, view="week")
    assert case.patient.full_name not in this_week  # 40 days away


def test_an_invite_is_a_calendar_event_at_the_reviews_time_without_the_patients_name(
    client, coordinator_x, case
):
    review = _review(case, coordinator_x, 3)
    client.force_login(coordinator_x)

    response = client.get(reverse("coordinators:review-ics", args=[case.reference, review.pk]))

    assert response["Content-Type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("dtstart") == review.scheduled_for
    assert event.decoded("dtend") - event.decoded("dtstart") == datetime.timedelta(minutes=30)
    assert case.reference in str(event["summary"])
    assert case.patient.family_name not in response.content.decode()
    assert str(event["uid"]).startswith(f"review-{review.pk}@")
    assert AuditEvent.objects.filter(
        action="view", object_type="review", patient_id=str(case.patient_id)
    ).exists()


def test_another_teams_review_invite_is_a_404(
    client, coordinator_x, other_team_case, coordinator_y
):
    review = _review(other_team_case, coordinator_y, 3)
    client.force_login(coordinator_x)

    url = reverse("coordinators:review-ics", args=[other_team_case.reference, review.pk])

    assert client.get(url).status_code == 404


def test_my_reviews_links_each_review_to_its_invite_and_the_calendar(client, coordinator_x, case):
    review = _review(case, coordinator_x, 2)
    client.force_login(coordinator_x)

    page = client.get(reverse("coordinators:upcoming-reviews")).content.decode()

    assert reverse("coordinators:review-ics", args=[case.reference, review.pk]) in page
    assert reverse("coordinators:review-calendar") in page


def test_the_calendar_query_count_does_not_grow_with_reviews(
    client, coordinator_x, case, practice_a, referrer_a, team_x, django_assert_num_queries
):
    _review(case, coordinator_x, 1)
    client.force_login(coordinator_x)
    params = {"view": "month", "date": timezone.localdate().isoformat()}
    _calendar(client, **params)
    with CaptureQueriesContext(connection) as one:
        _calendar(client, **params)
    for n in range(4):
        other = open_case(
            practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
        )
        _review(other, coordinator_x, n + 2)

    with django_assert_num_queries(len(one.captured_queries)):
        _calendar(client, **params)
    assert len(one.captured_queries) <= 10


def test_a_busy_day_shows_its_first_reviews_with_how_many_more_and_the_day_shows_them_all(
    client, coordinator_x, case, practice_a, referrer_a, team_x
):
    from coordinators.selectors.calendar import SHOWN_PER_DAY

    busiest = SHOWN_PER_DAY["month"] + 2
    for n in range(busiest):
        other = open_case(
            practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
        )
        _review(other, coordinator_x, 3, hour=9 + n)
    client.force_login(coordinator_x)
    day = in_days(3).date()

    month = _calendar(client, view="month", date=day.isoformat())
    whole_day = _calendar(client, view="day", date=day.isoformat())

    assert month.count("Add to calendar") == SHOWN_PER_DAY["month"]
    assert f'data-testid="more-{day.isoformat()}"' in month
    assert "2 more reviews<span" in month
    assert f"({busiest} in all)" in month
    assert f"view=day&amp;date={day.isoformat()}" in month
    assert whole_day.count("Add to calendar") == busiest
    assert "more review" not in whole_day
    assert day.strftime("%A %-d %B %Y") in whole_day


def test_the_month_view_audits_only_the_reviews_it_shows(
    client, coordinator_x, case, practice_a, referrer_a, team_x
):
    from coordinators.selectors.calendar import SHOWN_PER_DAY

    for n in range(SHOWN_PER_DAY["month"] + 3):
        other = open_case(
            practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
        )
        _review(other, coordinator_x, 3, hour=8 + n)
    client.force_login(coordinator_x)
    before = AuditEvent.objects.filter(action="view_list", object_type="review").count()

    _calendar(client, view="month", date=in_days(3).date().isoformat())

    seen = AuditEvent.objects.filter(action="view_list", object_type="review").count() - before
    assert seen == SHOWN_PER_DAY["month"]
