"""The evaluation extract (superuser only, pseudonymised, audited) and the list exports
(scoped like their pages, streamed, audited with each patient)."""

import csv
import hashlib
import hmac
import io

import pytest
from django.urls import reverse

from accounts.models import AuditEvent

from .factories import ons4, swemwbs

pytestmark = pytest.mark.postgres

KEY = "test-only-pseudonym-key-0123456789-abcdefghijklmnop"


def rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def extract(client, start="2025-04-01", end="2025-04-30"):
    return client.get(reverse("reports:extract-csv") + f"?start={start}&end={end}")


def test_the_extract_has_a_keyed_pseudonym_and_no_identifier(april, client, superuser):
    swemwbs(april.r1, superuser, occasion="baseline", raw=18, on=april.r1.received_at.date())
    swemwbs(april.r1, superuser, occasion="closing", raw=26, on=april.r1.closed_at.date())
    ons4(
        april.r1,
        superuser,
        occasion="baseline",
        on=april.r1.received_at.date(),
        life_satisfaction=4,
        anxiety=7,
    )
    client.force_login(superuser)
    response = extract(client)
    assert response.streaming
    lines = rows(response)
    # Cases (accepted, open or closed) received in April, all teams: R1, R4, R7 (R3 was
    # declined; R6 accepted, then the patient declined: never a case; R5 was never accepted).
    assert len(lines) == 3
    first = lines[0]
    patient = april.r1.patient
    expected = hmac.new(KEY.encode(), patient.nhs_number.encode(), hashlib.sha256).hexdigest()
    assert first["pseudonym"] == expected
    assert first["year_of_birth"] == "1958"
    assert first["referral_date"] == "2025-04-01"  # the UK date, not 31 March in UTC
    assert first["need_domains"] == "loneliness;money_and_debt"
    assert first["services_attended"] == first["services_referred"]
    assert first["swemwbs_baseline"] == "17.43"
    assert first["swemwbs_follow_up"] == "23.21"
    assert (
        "ons4|baseline|2025-04-01|anxiety=7,happiness=5,life_satisfaction=4,worthwhile=5"
        in (first["measures"])
    )
    text = str(lines)
    for referral in (april.r1, april.r4, april.r7):
        assert referral.patient.nhs_number not in text
        assert referral.patient.family_name not in text
        assert referral.reference not in text


def test_the_same_patient_gets_the_same_pseudonym_and_another_key_another(
    april, client, superuser, settings
):
    client.force_login(superuser)
    first = rows(extract(client))[0]["pseudonym"]
    assert rows(extract(client))[0]["pseudonym"] == first
    settings.EVALUATION_PSEUDONYM_KEY = "another-key-held-by-another-evaluator-0123456789"
    assert rows(extract(client))[0]["pseudonym"] != first


def test_no_extract_without_a_key(client, superuser, settings):
    settings.EVALUATION_PSEUDONYM_KEY = ""
    client.force_login(superuser)
    assert extract(client).status_code == 503
    assert "No pseudonym key" in client.get(reverse("reports:extract")).content.decode()


def test_the_extract_is_audited_with_every_patient_in_it(april, client, superuser):
    client.force_login(superuser)
    rows(extract(client))
    exported = AuditEvent.objects.filter(actor=superuser, action="export")
    assert sorted(int(e.patient_id) for e in exported) == sorted(
        r.patient_id for r in (april.r1, april.r4, april.r7)
    )


@pytest.mark.parametrize("who", ["manager", "commissioner", "coordinator_x"])
def test_only_a_superuser_may_take_the_extract(who, april, client, request):
    client.force_login(request.getfixturevalue(who))
    assert extract(client).status_code == 403


def test_a_bad_extract_period_is_a_field_error(client, superuser):
    client.force_login(superuser)
    response = extract(client, start="2025-05-01", end="2025-04-01")
    assert response.status_code == 400
    assert "The last day must not be before the first." in response.content.decode()


def test_the_caseload_export_holds_the_coordinators_own_open_cases(
    april, client, coordinator_x, django_assert_num_queries
):
    client.force_login(coordinator_x)
    # Session, user, memberships, the ids for the audit, the audit append (lock, last hash,
    # insert), then the rows in one query as they stream.
    with django_assert_num_queries(8):
        response = client.get(reverse("reports:export", args=["caseload"]))
        lines = rows(response)
    assert [line["Reference"] for line in lines] == [april.r4.reference]  # R1, R7 are closed
    assert lines[0]["Patient"] == april.r4.patient.full_name
    event = AuditEvent.objects.get(actor=coordinator_x, action="export")
    assert event.patient_id == str(april.r4.patient_id)


def test_the_team_caseload_export_is_for_managers(april, client, manager, coordinator_x):
    client.force_login(coordinator_x)
    assert client.get(reverse("reports:export", args=["team-caseload"])).status_code == 403
    client.force_login(manager)
    lines = rows(client.get(reverse("reports:export", args=["team-caseload"])))
    assert [line["Reference"] for line in lines] == [april.r4.reference]


def test_our_referrals_export_holds_only_the_practices_own(april, client, referrer_b):
    client.force_login(referrer_b)
    lines = rows(client.get(reverse("reports:export", args=["our-referrals"])))
    assert sorted(line["Reference"] for line in lines) == sorted(
        [april.r3.reference, april.r6.reference]
    )


def test_the_onward_referrals_export_is_scoped_to_the_team(april, client, coordinator_y):
    client.force_login(coordinator_y)
    assert rows(client.get(reverse("reports:export", args=["onward-referrals"]))) == []


def test_a_cell_a_spreadsheet_would_run_is_quoted(april, client, referrer_a):
    patient = april.r4.patient
    patient.given_name = "=HYPERLINK(1)"
    patient.save(update_fields=["given_name"])
    client.force_login(referrer_a)
    lines = rows(client.get(reverse("reports:export", args=["our-referrals"])))
    assert any(line["Patient"].startswith("'=HYPERLINK(1)") for line in lines)


def test_the_directory_export_lists_referable_services(client, coordinator_x):
    from tests.community_services.factories import ApprovedServiceFactory

    ApprovedServiceFactory.create(name="Walking Group")
    client.force_login(coordinator_x)
    lines = rows(client.get(reverse("reports:export", args=["directory"])))
    assert [line["Service"] for line in lines] == ["Walking Group"]
