import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.celery import app as celery_app
from tests.conftest import _member
from tests.factories import OrganisationFactory
from tests.referrals.factories import ReferralFactory, TeamCoverageFactory, next_nhs_number


@pytest.fixture(autouse=True)
def coverage(practice_a, practice_b, team_x):
    """Practices A and B refer to team X."""
    TeamCoverageFactory(practice=practice_a, team=team_x)
    TeamCoverageFactory(practice=practice_b, team=team_x)


@pytest.fixture
def practice_c(team_y):
    """A practice served by team Y, for scoping between teams."""
    practice = OrganisationFactory(name="Practice C", kind="gp_practice")
    TeamCoverageFactory(practice=practice, team=team_y)
    return practice


@pytest.fixture
def referrer_c(practice_c):
    return _member("referrer.c@test.example", practice_c, "referrer", first_name="Cai")


@pytest.fixture
def referral_a(referrer_a, practice_a, team_x):
    """A received referral from practice A, waiting for team X."""
    return ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)


@pytest.fixture
def referral_b(referrer_b, practice_b, team_x):
    return ReferralFactory(referring_practice=practice_b, referred_by=referrer_b, team=team_x)


@pytest.fixture
def eager_celery():
    """Run tasks in-process, as a worker would, when their on_commit callbacks fire."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def patient_payload(**overrides) -> dict:
    return {
        "nhs_number": next_nhs_number(),
        "given_name": "Ianto",
        "family_name": "Testperson",
        "date_of_birth": "1961-05-17",
        "phone": "07700 900456",
        "consent_to_referral": True,
        **overrides,
    }


def referral_payload(patient=None, **overrides) -> dict:
    return {
        "patient": patient or patient_payload(),
        "reasons": ["loneliness", "mental_wellbeing"],
        "help_wanted": "Would like to join a group and feel less alone.",
        "urgency": "routine",
        **overrides,
    }
