import datetime

import pytest
from django.utils import timezone

from referrals import services as referral_services
from referrals.models import ContactMethod
from tests.referrals.conftest import token_client  # noqa: F401 - shared helper
from tests.referrals.factories import ReferralFactory, TeamCoverageFactory


@pytest.fixture(autouse=True)
def coverage(practice_a, team_x):
    TeamCoverageFactory(practice=practice_a, team=team_x)


def open_case(*, practice, referrer, team, coordinator, contacted: bool = True):
    """A referral accepted by `coordinator` (and first contact made): an open case."""
    referral = ReferralFactory.create(
        referring_practice=practice,
        referred_by=referrer,
        team=team,
        received_at=timezone.now() - datetime.timedelta(days=3),
        access_needs="Uses a wheelchair.",
    )
    referral_services.accept_referral(referral=referral, by=coordinator)
    if contacted:
        referral_services.record_first_contact(
            referral=referral,
            by=coordinator,
            contacted_on=timezone.localdate(),
            method=ContactMethod.PHONE,
        )
    referral.refresh_from_db()
    return referral


@pytest.fixture
def case(practice_a, referrer_a, team_x, coordinator_x):
    return open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )


@pytest.fixture
def other_team_case(practice_b, referrer_b, team_y, coordinator_y):
    TeamCoverageFactory(practice=practice_b, team=team_y)
    return open_case(
        practice=practice_b, referrer=referrer_b, team=team_y, coordinator=coordinator_y
    )


@pytest.fixture
def as_user(client, password):
    def _as(user):
        client.login(email=user.email, password=password)
        return client

    return _as


SWEMWBS_ANSWERS = {
    "optimistic": 2,
    "useful": 2,
    "relaxed": 3,
    "dealing_with_problems": 3,
    "thinking_clearly": 3,
    "close_to_others": 2,
    "own_mind": 3,
}  # raw 18 → 17.43

ONS4_ANSWERS = {"life_satisfaction": 4, "worthwhile": 6, "happiness": 5, "anxiety": 7}


def in_days(days: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def held_now(**overrides) -> dict:
    """The record-a-review form's "when it happened" fields, set to now."""
    now = timezone.localtime()
    return {
        "held_on_day": str(now.day),
        "held_on_month": str(now.month),
        "held_on_year": str(now.year),
        "held_time": now.strftime("%H:%M"),
        **overrides,
    }
