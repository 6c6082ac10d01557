import json

import pytest
from django.core.management import call_command

from community_services.models import Provider, Service, ServiceStatus
from community_services.services import approve_service

from .conftest import FULL_CHECKLIST
from .factories import ApprovedServiceFactory, LocationFactory, ServiceScheduleFactory

pytestmark = pytest.mark.django_db


def _export(client, services):
    return [client.get(f"/hsds/services/{s.public_id}").json() for s in services]


def _import(path, capsys):
    call_command("import_hsds", str(path), "--no-progress")
    return capsys.readouterr()


def test_import_loads_services_as_submitted_awaiting_vetting(
    client, published_service, tmp_path, capsys
):
    documents = _export(client, [published_service])
    Service.objects.all().delete()
    Provider.objects.all().delete()
    path = tmp_path / "services.json"
    path.write_text(json.dumps(documents))
    output = _import(path, capsys)
    assert "Imported 1 services (1 new, 0 updated); skipped 0." in output.out
    service = Service.objects.get(public_id=published_service.public_id)
    assert service.status == ServiceStatus.SUBMITTED
    assert service.locations.get().opening_times.count() == 2


def test_reimporting_updates_by_id_rather_than_duplicating(
    client, published_service, tmp_path, capsys
):
    (document,) = _export(client, [published_service])
    document["description"] = "Now with a Sunday roast."
    path = tmp_path / "services.ndjson"
    path.write_text(json.dumps(document) + "\n")
    output = _import(path, capsys)
    assert "(0 new, 1 updated)" in output.out
    assert Service.objects.count() == 1
    service = Service.objects.get()
    assert service.description == "Now with a Sunday roast."
    assert service.status == ServiceStatus.APPROVED
    assert service.versions.get().changes["description"][1] == "Now with a Sunday roast."


def test_bad_records_are_reported_by_id_and_skipped_while_the_rest_load(
    client, published_service, tmp_path, capsys
):
    (good,) = _export(client, [published_service])
    Service.objects.all().delete()
    no_name = {**good, "id": "11111111-1111-4111-8111-111111111111", "name": ""}
    bad_age = {
        **good,
        "id": "22222222-2222-4222-8222-222222222222",
        "minimum_age": 80,
        "maximum_age": 20,
    }
    bad_id = {**good, "id": "not-a-uuid"}
    path = tmp_path / "services.ndjson"
    lines = [json.dumps(d) for d in (no_name, good, bad_age, bad_id)] + ["{broken"]
    path.write_text("\n".join(lines))
    output = _import(path, capsys)
    assert "Imported 1 services (1 new, 0 updated); skipped 4." in output.out
    assert "Skipped 11111111-1111-4111-8111-111111111111: name is required" in output.err
    assert "Skipped 22222222-2222-4222-8222-222222222222: minimum_age is greater" in output.err
    assert "Skipped not-a-uuid: id 'not-a-uuid' is not a UUID" in output.err
    assert "line 5 is not valid JSON" in output.err
    assert list(Service.objects.values_list("public_id", flat=True)) == [
        published_service.public_id
    ]


def test_export_import_into_an_empty_database_and_export_again_gives_the_same_documents(
    client, published_service, tmp_path, capsys, second_vetter, insurance_expiry
):
    other = ApprovedServiceFactory(
        is_free=False,
        fees_description="£3 a session",
        capacity="waiting_list",
        expected_wait_weeks=4,
    )
    before = _export(client, [published_service, other])
    Service.objects.all().delete()
    Provider.objects.all().delete()
    path = tmp_path / "services.json"
    path.write_text(json.dumps(before))
    _import(path, capsys)
    for service in Service.objects.all():
        approve_service(
            by=second_vetter,
            service=service,
            checklist=FULL_CHECKLIST,
            insurance_expires_on=insurance_expiry,
        )
    after = _export(client, Service.objects.filter(public_id__in=[d["id"] for d in before]))
    assert sorted(after, key=lambda d: d["id"]) == sorted(before, key=lambda d: d["id"])


def _feed_export(client) -> tuple[list, dict]:
    """Everything the feed publishes, as a consumer would take it: every full service (ndjson)
    and every full service at a location (one page)."""
    response = client.get("/hsds/services", {"full": "true", "format": "ndjson"})
    assert response["Content-Type"] == "application/x-ndjson"
    services = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    locations = client.get("/hsds/service_at_locations", {"full": "true", "per_page": 200}).json()
    return services, locations


def test_the_feeds_export_with_schedules_and_service_at_locations_round_trips_through_import(
    client, published_service, tmp_path, capsys, second_vetter, insurance_expiry
):
    ServiceScheduleFactory(service=published_service, byday="TU,TH", valid_from="2026-01-05")
    monthly = ApprovedServiceFactory(name="Carers' Coffee Morning", domains=["carers_support"])
    ServiceScheduleFactory(
        service=monthly, freq="MONTHLY", byday="1WE", valid_to="2027-07-31", description="Term"
    )
    LocationFactory(service=monthly, postcode="NF4 7QX")
    services_before, locations_before = _feed_export(client)
    assert {len(s["schedules"]) for s in services_before} == {1}
    assert locations_before["total_items"] == 2
    path = tmp_path / "export.ndjson"
    path.write_text("".join(json.dumps(document) + "\n" for document in services_before))
    Service.objects.all().delete()
    Provider.objects.all().delete()
    output = _import(path, capsys)
    assert "Imported 2 services (2 new, 0 updated); skipped 0." in output.out
    for service in Service.objects.all():
        approve_service(
            by=second_vetter,
            service=service,
            checklist=FULL_CHECKLIST,
            insurance_expires_on=insurance_expiry,
        )
    services_after, locations_after = _feed_export(client)
    assert sorted(services_after, key=lambda d: d["id"]) == sorted(
        services_before, key=lambda d: d["id"]
    )
    assert locations_after == locations_before


def test_a_page_of_the_feed_can_be_imported_as_it_is(client, published_service, tmp_path, capsys):
    page = client.get("/hsds/services", {"full": "true"}).json()
    Service.objects.all().delete()
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page))
    assert "Imported 1 services (1 new, 0 updated)" in _import(path, capsys).out


def test_a_schedule_that_cannot_be_read_is_reported_and_the_service_skipped(
    client, published_service, tmp_path, capsys
):
    (document,) = _export(client, [published_service])
    Service.objects.all().delete()
    document["schedules"] = [
        {
            "id": "33333333-3333-4333-8333-333333333333",
            "freq": "WEEKLY",
            "byday": "2TU",
            "opens_at": "10:00",
            "closes_at": "12:00",
        }  # fmt: skip
    ]
    path = tmp_path / "one.json"
    path.write_text(json.dumps([document]))
    output = _import(path, capsys)
    assert "skipped 1" in output.out
    assert "byday: Only a monthly schedule can say which week of the month." in output.err
    assert not Service.objects.exists()
