"""FHIR searches tolerate a few seconds' lag, so they read the replica when one is configured;
reads of one resource stay on the primary (a client reads what it has just written).

Two aliases on two databases (config.test_settings adds "replica"), with no replication between
them: what a search returns shows which database it came from."""

import pytest

from community_services.models import ServiceNeedDomain
from tests.community_services.factories import ApprovedServiceFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(databases=["default", "replica"])]


@pytest.fixture(autouse=True)
def _replica_configured(settings):
    """As DATABASE_REPLICA_URL does in production; the alias itself is in the test settings."""
    settings.DATABASE_REPLICA_URL = "postgres://replica.invalid/set-by-the-test-settings"


def _replicate(service):
    service.provider.save(using="replica", force_insert=True)
    service.save(using="replica", force_insert=True)
    for domain in ServiceNeedDomain.objects.filter(service=service):
        domain.save(using="replica", force_insert=True)


def test_a_practice_systems_directory_search_reads_the_replica_and_a_read_the_primary(
    practice_a_api,
):
    service = ApprovedServiceFactory(name="Riverside Walking Group", domains=["loneliness"])
    assert practice_a_api.get("/fhir/R4/HealthcareService").json()["total"] == 0
    read = practice_a_api.get(f"/fhir/R4/HealthcareService/{service.public_id}")
    assert read.status_code == 200

    _replicate(service)

    bundle = practice_a_api.get("/fhir/R4/HealthcareService").json()
    assert bundle["total"] == 1
    assert bundle["entry"][0]["resource"]["name"] == "Riverside Walking Group"
