import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from config.celery import app as celery_app
from referrals import provider_links, services
from tests.community_services.factories import ApprovedServiceFactory, ProviderFactory
from tests.conftest import _member
from tests.factories import OrganisationFactory, api_token_for
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
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
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


# --- Onward referrals: a case held by team X, and services of the provider organisation


@pytest.fixture
def case_a(referrer_a, practice_a, team_x, coordinator_x):
    """An in-progress case of team X whose patient consented to sharing with services."""
    return ReferralFactory(
        referring_practice=practice_a,
        referred_by=referrer_a,
        team=team_x,
        status="in_progress",
        assigned_to=coordinator_x,
        accepted_at=timezone.now(),
        access_needs="Uses a wheelchair.",
        risk_notes="Confidential risk note.",
        patient__consent_to_share=True,
        patient__email="patient@test.example",
    )


@pytest.fixture
def provider_service(provider_org):
    return ApprovedServiceFactory(
        name="Tuesday Lunch Club",
        provider=ProviderFactory(name="Provider Org", organisation=provider_org),
        email="referrals@lunch.example",
    )


@pytest.fixture
def other_provider():
    """A second provider organisation with its own user and service."""
    organisation = OrganisationFactory(name="Other Provider", kind="service_provider")
    user = _member("provider.other@test.example", organisation, "provider", first_name="Olu")
    service = ApprovedServiceFactory(
        name="Other Walks", provider=ProviderFactory(name="Other", organisation=organisation)
    )
    return user, service


@pytest.fixture
def service_referral(case_a, provider_service, coordinator_x):
    return services.create_service_referral(
        referral=case_a,
        service=provider_service,
        by=coordinator_x,
        provider_needs_to_know="Would love company at lunch; a little anxious in big groups.",
    )


@pytest.fixture
def link_token(service_referral):
    return provider_links.token_for(service_referral.links.get())
