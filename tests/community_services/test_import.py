import json

import pytest
from django.core.management import call_command

from community_services.models import Provider, Service, ServiceStatus
from community_services.services import approve_service

from .conftest import FULL_CHECKLIST
from .factories import ApprovedServiceFactory

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
            actor=second_vetter,
            service=service,
            checklist=FULL_CHECKLIST,
            insurance_expires_on=insurance_expiry,
        )
    after = _export(client, Service.objects.filter(public_id__in=[d["id"] for d in before]))
    assert sorted(after, key=lambda d: d["id"]) == sorted(before, key=lambda d: d["id"])
