"""The printable plan as a patient reads it: who to phone, the next review, where and when each
service meets, a print button, each step once."""

import datetime

import pytest
from django.urls import reverse

from coordinators import services
from tests.community_services.factories import (
    ApprovedServiceFactory,
    LocationFactory,
    OpeningTimeFactory,
)
from tests.coordinators.conftest import in_days

pytestmark = pytest.mark.django_db


def test_the_printable_plan_has_the_phone_numbers_next_review_venue_and_time_and_a_print_button(
    as_user, case, coordinator_x, team_x, django_assert_num_queries
):
    coordinator_x.phone, team_x.phone = "07700 900123", "0113 496 0000"
    coordinator_x.save()
    team_x.save()
    case.patient.consent_to_share = True
    case.patient.save()
    goal = services.add_goal(
        case=case, by=coordinator_x, statement="Eat with others", need_domain="loneliness"
    )
    service = ApprovedServiceFactory(name="Tuesday Lunch Club", domains=["loneliness"])
    location = LocationFactory(service=service, name="St Mary's Hall")
    OpeningTimeFactory(
        location=location, weekday=1, opens_at=datetime.time(12), closes_at=datetime.time(14)
    )
    services.refer_case_on(
        case=case, by=coordinator_x, service=service, goals=[goal], provider_needs_to_know="x"
    )
    services.schedule_review(case=case, by=coordinator_x, scheduled_for=in_days(7), mode="phone")
    client = as_user(coordinator_x)
    url = reverse("coordinators:plan-print", args=[case.reference])
    client.get(url)
    with django_assert_num_queries(12):
        page = client.get(url).content.decode()
    assert "07700 900123" in page and "0113 496 0000" in page
    assert 'data-testid="next-review"' in page
    assert "Where: St Mary&#x27;s Hall" in page and "When: Tuesday 12:00–14:00" in page
    assert "data-print-button" in page and "js/print-button.mjs" in page
    assert page.count("Tuesday Lunch Club") == 1
