"""The minimum dataset export: one record per episode received in the period, in the PRSB
groups, with exactly one GP-record code for each episode that reached a first interaction or a
decline; scoped to the manager's teams, a practice or a team; every download audited."""

import csv
import io
import json

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from gp_messages.codes import REFERRAL_TO_SOCIAL_PRESCRIBING, SOCIAL_PRESCRIBING_DECLINED
from reports.selectors.minimum_dataset import CSV_COLUMNS

pytestmark = pytest.mark.django_db

APRIL = {"from": "2025-04-01", "to": "2025-04-30"}


def _csv(client, **params) -> list[dict]:
    response = client.get(reverse("reports:minimum-dataset-csv"), {**APRIL, **params})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def _json(client, **params) -> list[dict]:
    response = client.get(reverse("reports:minimum-dataset-json"), {**APRIL, **params})
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def test_the_csv_has_one_row_per_episode_in_the_period_and_the_minimum_dataset_columns(
    april, client, manager
):
    client.force_login(manager)
    response = client.get(reverse("reports:minimum-dataset-csv"), APRIL)
    header = b"".join(response.streaming_content).decode().splitlines()[0]
    assert header.split(",") == list(CSV_COLUMNS)
    rows = _csv(client)
    assert [row["episode"] for row in rows] == [
        r.reference for r in (april.r1, april.r7, april.r4, april.r6, april.r3)
    ]
    r1 = next(row for row in rows if row["episode"] == april.r1.reference)
    assert r1["need_domains"] == "loneliness;money_and_debt"
    assert r1["services_referred"].endswith("|attended|attended")
    assert (r1["status"], r1["outcome"], r1["goals_total"], r1["goals_achieved"]) == (
        "closed",
        "goals_met",
        "1",
        "1",
    )
    for column in ("family_name", "nhs_number", "given_name", "address"):
        assert column not in rows[0]


def test_exactly_one_code_per_episode_that_reached_a_first_interaction_or_a_decline(
    april, client, manager
):
    client.force_login(manager)
    codes = {row["episode"]: (row["snomed_code"], row["snomed_date"]) for row in _csv(client)}
    assert codes == {
        april.r1.reference: (REFERRAL_TO_SOCIAL_PRESCRIBING, "2025-04-04"),
        april.r7.reference: (REFERRAL_TO_SOCIAL_PRESCRIBING, "2025-04-12"),
        april.r6.reference: (SOCIAL_PRESCRIBING_DECLINED, "2025-04-23"),
        april.r3.reference: ("", ""),  # declined by the team: never seen, never declined by them
        april.r4.reference: ("", ""),  # still waiting for first contact
    }


def test_the_json_has_the_four_groups_and_the_code(april, client, manager):
    client.force_login(manager)
    records = {record["episode"]: record for record in _json(client)}
    r1 = records[april.r1.reference]
    assert set(r1) == {
        "episode",
        "demographics",
        "needs_and_concerns",
        "support_offered",
        "outcomes",
        "gp_record_code",
    }
    assert r1["support_offered"][0]["attended"] is True
    assert r1["gp_record_code"]["code"] == REFERRAL_TO_SOCIAL_PRESCRIBING
    assert records[april.r4.reference]["gp_record_code"] is None


def test_scoped_to_a_practice_or_a_team_and_never_beyond_the_managers_teams(
    april, client, manager, practice_b, team_y, superuser
):
    client.force_login(manager)
    assert {row["episode"] for row in _csv(client, practice=practice_b.pk)} == {
        april.r3.reference,
        april.r6.reference,
    }
    refused = client.get(reverse("reports:minimum-dataset-json"), {**APRIL, "team": team_y.pk})
    assert refused.status_code == 400 and "team" in refused.json()["errors"]
    client.force_login(superuser)
    assert april.r5.reference in {row["episode"] for row in _csv(client)}
    assert {row["episode"] for row in _csv(client, team=team_y.pk)} == {april.r5.reference}


def test_bad_dates_are_a_400_naming_the_parameter_and_write_nothing(april, client, manager):
    client.force_login(manager)
    before = AuditEvent.objects.count()
    response = client.get(reverse("reports:minimum-dataset-json"), {"from": "April", "to": "x"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"from", "to"}
    backwards = client.get(
        reverse("reports:minimum-dataset-csv"), {"from": "2025-04-30", "to": "2025-04-01"}
    )
    assert backwards.status_code == 400 and "to:" in backwards.content.decode()
    assert AuditEvent.objects.count() == before


def test_each_download_is_audited_with_every_episodes_patient_and_commissioners_are_refused(
    april, client, manager, commissioner
):
    client.force_login(manager)
    _csv(client)
    exported = AuditEvent.objects.filter(action="export", object_type="referral")
    assert {event.patient_id for event in exported} == {
        str(r.patient_id) for r in (april.r1, april.r3, april.r4, april.r6, april.r7)
    }
    client.force_login(commissioner)
    assert client.get(reverse("reports:minimum-dataset-csv"), APRIL).status_code == 403


def test_the_download_reads_a_fixed_number_of_queries(
    april, client, manager, django_assert_max_num_queries
):
    client.force_login(manager)
    _json(client)
    with django_assert_max_num_queries(12):
        _json(client)
