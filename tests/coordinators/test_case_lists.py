"""The "closed cases" and "all my cases" beside the open caseload."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals import services
from tests.coordinators.conftest import open_case

pytestmark = pytest.mark.postgres


def _closed(practice_a, referrer_a, team_x, coordinator_x):
    case = open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )
    services.close_referral(referral=case, by=coordinator_x, outcome="goals_met", summary="Done.")
    return case


def test_closed_cases_lists_only_my_ended_cases_and_all_lists_every_one(
    as_user, practice_a, referrer_a, team_x, coordinator_x, manager
):
    still_open = open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )
    closed = _closed(practice_a, referrer_a, team_x, coordinator_x)
    someone_elses = _closed(practice_a, referrer_a, team_x, manager)
    client = as_user(coordinator_x)
    closed_page = client.get(reverse("coordinators:closed-cases")).content.decode()
    assert closed.reference in closed_page
    assert still_open.reference not in closed_page
    assert someone_elses.reference not in closed_page
    everything = client.get(reverse("coordinators:all-cases")).content.decode()
    assert closed.reference in everything and still_open.reference in everything
    assert someone_elses.reference not in everything


def test_another_team_sees_none_of_my_cases(
    as_user, practice_a, referrer_a, team_x, coordinator_x, coordinator_y
):
    closed = _closed(practice_a, referrer_a, team_x, coordinator_x)
    page = as_user(coordinator_y).get(reverse("coordinators:closed-cases")).content.decode()
    assert closed.reference not in page


@pytest.mark.parametrize("url_name", ["coordinators:closed-cases", "coordinators:all-cases"])
def test_the_case_lists_use_the_same_number_of_queries_for_1_or_20_cases(
    as_user, practice_a, referrer_a, team_x, coordinator_x, url_name, django_assert_num_queries
):
    client = as_user(coordinator_x)
    url = reverse(url_name)
    _closed(practice_a, referrer_a, team_x, coordinator_x)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(19):
        _closed(practice_a, referrer_a, team_x, coordinator_x)
    with django_assert_num_queries(len(one)):
        page = client.get(url).content.decode()
    assert page.count('data-testid="case-row"') == 20
