"""Test set-up shared by every app: service markers, the N+1 guard, and the fixed cast.

The settings the tests run with are config/test_settings.py."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from zeal.constants import initialize_app_registry
from zeal.patch import patch as patch_models_for_zeal

from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    enrol_totp,
)

IN_CI = os.environ.get("CI", "").lower() == "true"

# The settings the tests need are config/test_settings.py. The N+1 guard (django-zeal) is not
# an installed app (it patches every model), so the patching its AppConfig.ready would do
# happens here, once the app registry is ready.
initialize_app_registry()
patch_models_for_zeal()


@pytest.fixture(autouse=True, scope="session")
def _subprocesses_use_the_real_settings():
    """pytest-django exports the test settings module; a manage.py or Celery worker a test
    starts runs config.settings, as it would in production."""
    saved = os.environ.get("DJANGO_SETTINGS_MODULE")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    yield
    if saved is None:
        os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    else:
        os.environ["DJANGO_SETTINGS_MODULE"] = saved


def _missing_service(marker: str) -> str | None:
    if marker == "postgres" and settings.DATABASES["default"]["ENGINE"] != (
        "django.db.backends.postgresql"
    ):
        return "needs PostgreSQL (set DATABASE_URL or run PostgreSQL on 127.0.0.1:5432)"
    if marker == "redis" and not settings.REDIS_URL:
        return "needs Redis (set REDIS_URL or run Redis on 127.0.0.1:6379)"
    return None


def pytest_configure(config):
    if IN_CI:
        missing = [reason for m in ("postgres", "redis") if (reason := _missing_service(m))]
        if missing:
            pytest.exit("CI=true and a required service is missing: " + "; ".join(missing), 3)


def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker in ("postgres", "redis"):
            if item.get_closest_marker(marker) and (reason := _missing_service(marker)):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def audit_checkpoint_file(settings, tmp_path):
    """Each test has its own audit checkpoint file, never the developer's under var/."""
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"
    return settings.AUDIT_CHECKPOINT_FILE


@pytest.fixture
def password() -> str:
    return PASSWORD


# --- The fixed cast: two practices, two coordinator teams, a provider, the directory team.


@pytest.fixture
def practice_a(db):
    return OrganisationFactory(name="Practice A", kind="gp_practice", ods_code="Y00001")


@pytest.fixture
def practice_b(db):
    return OrganisationFactory(name="Practice B", kind="gp_practice", ods_code="Y00002")


@pytest.fixture
def team_x(db):
    return OrganisationFactory(name="Team X", kind="coordinator_team")


@pytest.fixture
def team_y(db):
    return OrganisationFactory(name="Team Y", kind="coordinator_team")


@pytest.fixture
def provider_org(db):
    return OrganisationFactory(name="Provider Org", kind="service_provider")


@pytest.fixture
def directory_team(db):
    return OrganisationFactory(name="Directory Team", kind="directory_team")


def _member(email: str, organisation, role: str, *, is_practice_lead=False, **names):
    user = UserFactory(email=email, **names)
    MembershipFactory(
        user=user, organisation=organisation, role=role, is_practice_lead=is_practice_lead
    )
    return user


@pytest.fixture
def referrer_a(practice_a):
    """Practice A's lead: may upload its case-finding lists (referrer B may not)."""
    return _member(
        "referrer.a@test.example", practice_a, "referrer", first_name="Rita", is_practice_lead=True
    )


@pytest.fixture
def referrer_b(practice_b):
    return _member("referrer.b@test.example", practice_b, "referrer", first_name="Rob")


@pytest.fixture
def coordinator_x(team_x):
    return _member("coordinator.x@test.example", team_x, "coordinator", first_name="Cass")


@pytest.fixture
def coordinator_y(team_y):
    return _member("coordinator.y@test.example", team_y, "coordinator", first_name="Cleo")


@pytest.fixture
def manager(team_x):
    return _member("manager.x@test.example", team_x, "manager", first_name="Mina")


@pytest.fixture
def vetter(directory_team):
    return _member("vetter@test.example", directory_team, "vetter", first_name="Vic")


@pytest.fixture
def provider(provider_org):
    return _member("provider@test.example", provider_org, "provider", first_name="Pat")


@pytest.fixture
def commissioning_org(team_x):
    """An integrated care board that commissions team X (and only team X)."""
    organisation = OrganisationFactory(name="Commissioner X ICB", kind="commissioner")
    organisation.commissioned_teams.add(team_x)
    return organisation


@pytest.fixture
def commissioner(commissioning_org):
    return _member(
        "commissioner.x@test.example", commissioning_org, "commissioner", first_name="Cyd"
    )


@pytest.fixture
def superuser(db):
    user = UserFactory(email="super@test.example", is_superuser=True, is_staff=True)
    enrol_totp(user)
    return user


@pytest.fixture
def cast(
    referrer_a, referrer_b, coordinator_x, coordinator_y, manager, vetter, provider, commissioner
):
    """Every named user, by role label, for tests that walk the whole cast."""
    return {
        "referrer": referrer_a,
        "referrer_b": referrer_b,
        "coordinator": coordinator_x,
        "coordinator_y": coordinator_y,
        "manager": manager,
        "vetter": vetter,
        "provider": provider,
        "commissioner": commissioner,
    }
