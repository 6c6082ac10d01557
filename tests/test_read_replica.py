"""Reads that tolerate lag go to the read replica; writes and everything else stay on the primary.

Two aliases on two databases (config.test_settings adds "replica"), with no replication between
them: what a read returns shows which database it came from.
"""

import pytest
from django.contrib.auth import get_user_model

from common.db_routing import on_replica, read_replica_alias, replica_reads
from community_services.models import ServiceNeedDomain
from tests.community_services.factories import ApprovedServiceFactory

pytestmark = pytest.mark.django_db(databases=["default", "replica"])

User = get_user_model()


@pytest.fixture(autouse=True)
def _replica_configured(settings):
    """As DATABASE_REPLICA_URL does in production; the alias itself is in the test settings."""
    settings.DATABASE_REPLICA_URL = "postgres://replica.invalid/set-by-the-test-settings"


def test_a_queryset_asked_to_read_the_replica_sees_only_the_replica():
    User.objects.create_user(email="primary-only@test.example")
    assert read_replica_alias() == "replica"
    assert not on_replica(User.objects.filter(email="primary-only@test.example")).exists()
    User.objects.db_manager("replica").create_user(email="primary-only@test.example")
    assert on_replica(User.objects.filter(email="primary-only@test.example")).exists()


def test_reads_stay_on_the_primary_unless_asked():
    User.objects.db_manager("replica").create_user(email="replica-only@test.example")
    assert not User.objects.filter(email="replica-only@test.example").exists()


def test_inside_replica_reads_every_read_goes_to_the_replica_and_every_write_to_the_primary():
    person = User.objects.create_user(email="person@test.example", first_name="Before")
    person.save(using="replica", force_insert=True)  # replicated
    User.objects.filter(pk=person.pk).update(first_name="Primary")  # not replicated yet
    with replica_reads():
        seen = User.objects.get(pk=person.pk)
        assert seen.first_name == "Before"  # the replica's copy
        seen.last_name = "Changed"
        seen.save(update_fields=["last_name"])
        User.objects.create_user(email="new@test.example")
    assert seen._state.db == "default"
    assert User.objects.get(pk=person.pk).last_name == "Changed"
    assert on_replica(User.objects.filter(pk=person.pk)).get().last_name != "Changed"
    assert User.objects.filter(email="new@test.example").exists()
    assert not on_replica(User.objects.filter(email="new@test.example")).exists()


def test_the_public_hsds_feed_reads_the_directory_from_the_replica(client):
    service = ApprovedServiceFactory()
    assert client.get("/hsds/services").json()["total_items"] == 0  # not replicated yet
    assert client.get(f"/hsds/services/{service.public_id}").status_code == 404
    # "Replication": the same rows reach the replica.
    service.provider.save(using="replica", force_insert=True)
    service.save(using="replica", force_insert=True)
    for domain in ServiceNeedDomain.objects.filter(service=service):
        domain.save(using="replica", force_insert=True)
    listed = client.get("/hsds/services").json()
    assert [item["id"] for item in listed["contents"]] == [str(service.public_id)]
    assert client.get(f"/hsds/services/{service.public_id}").status_code == 200


def test_the_report_figures_and_the_list_exports_are_read_from_the_replica(
    client, manager, team_x, practice_a, referrer_a
):
    from tests.reports.factories import at, case

    case(team=team_x, practice=practice_a, referred_by=referrer_a, received=at(2025, 4, 10))
    client.force_login(manager)
    figure = "/reports/referrals/?period=month&month=2025-04&format=csv&table=by_month"
    # The primary has the April referral; the replica has not had it replicated yet.
    assert client.get(figure).getvalue().decode().splitlines() == [
        "Month,Referrals received",
        "Apr 2025,0",
    ]
    assert client.get("/reports/referrals/?period=month&month=2025-04").status_code == 200
    export = client.get("/reports/exports/triage-queue.csv")
    assert len(export.getvalue().decode().splitlines()) == 1  # the header only
    # Each view and download is still audited, on the primary.
    from accounts.models import AuditEvent

    assert AuditEvent.objects.filter(action__in=["export_report", "view_report"]).count() == 2
