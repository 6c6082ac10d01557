"""Following the referral: Task reads and searches scoped to the caller's organisation, paged
with a `next` link, and the requester's cancellation through the withdraw service."""

import datetime
import json

import pytest
from django.utils import timezone

from referrals import services as referral_services
from referrals.models import ContactMethod, Referral, ReferralStatus
from tests.interop.conftest import FHIR
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def referral_a(practice_a, referrer_a, team_x):
    return ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)


@pytest.fixture
def referral_b(practice_b, referrer_b, team_x):
    return ReferralFactory(referring_practice=practice_b, referred_by=referrer_b, team=team_x)


def test_a_practice_reads_its_task_as_requested(
    practice_a_api, referral_a, django_assert_num_queries
):
    with django_assert_num_queries(11):  # with the messages back, the Task's outputs
        response = practice_a_api.get(f"/fhir/R4/Task/{referral_a.reference}")
    assert response.status_code == 200
    task = response.json()
    assert task["status"] == "requested"
    assert task["focus"] == {"reference": f"ServiceRequest/{referral_a.reference}"}
    assert task["for"] == {"reference": f"Patient/{referral_a.patient_id}"}
    assert "statusReason" not in task


def test_another_practices_task_is_not_found(practice_b_api, referral_a):
    response = practice_b_api.get(f"/fhir/R4/Task/{referral_a.reference}")
    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"


def test_the_receiving_teams_client_reads_the_task_too(team_x_api, referral_a):
    assert team_x_api.get(f"/fhir/R4/Task/{referral_a.reference}").status_code == 200


def test_the_task_follows_the_referral_to_accepted_in_progress_and_completed(
    practice_a_api, referral_a, coordinator_x
):
    url = f"/fhir/R4/Task/{referral_a.reference}"
    referral_services.accept_referral(referral=referral_a, by=coordinator_x)
    assert practice_a_api.get(url).json()["status"] == "accepted"
    referral_services.record_first_contact(
        referral=referral_a,
        by=coordinator_x,
        contacted_on=timezone.localdate(),
        method=ContactMethod.PHONE,
    )
    assert practice_a_api.get(url).json()["status"] == "in-progress"
    referral_services.close_referral(
        referral=referral_a,
        by=coordinator_x,
        outcome="goals_met",
        summary="Joined a walking group.",
    )
    task = practice_a_api.get(url).json()
    assert task["status"] == "completed"
    summary = task["output"][0]["valueReference"]["reference"]
    assert summary == f"DocumentReference/{referral_a.reference}"
    assert task["output"][1]["valueCodeableConcept"]["coding"][0]["code"] == "goals_met"
    document = practice_a_api.get(f"/fhir/R4/{summary}").json()
    assert (
        "Joined a walking group."
        in __import__("base64").b64decode(document["content"][0]["attachment"]["data"]).decode()
    )


def test_a_declined_referral_reads_rejected_with_its_reason(
    practice_a_api, referral_a, coordinator_x
):
    referral_services.decline_referral(
        referral=referral_a, by=coordinator_x, reason="out_of_area", note="Moved to another county."
    )
    task = practice_a_api.get(f"/fhir/R4/Task/{referral_a.reference}").json()
    assert task["status"] == "rejected"
    assert "Outside the area" in task["statusReason"]["text"]
    assert "Moved to another county." in task["statusReason"]["text"]


def test_unable_to_contact_reads_failed_with_its_reason(practice_a_api, referral_a, coordinator_x):
    referral_services.accept_referral(referral=referral_a, by=coordinator_x)
    referral_services.record_unable_to_contact(referral=referral_a, by=coordinator_x, attempts=3)
    task = practice_a_api.get(f"/fhir/R4/Task/{referral_a.reference}").json()
    assert task["status"] == "failed"
    assert task["statusReason"]["text"] == "Unable to contact after 3 attempts."


def test_a_search_sees_only_the_practices_own_tasks(
    practice_a_api, referral_a, referral_b, django_assert_num_queries
):
    with django_assert_num_queries(11):  # one query for the whole page's messages back
        response = practice_a_api.get("/fhir/R4/Task")
    bundle = response.json()
    assert bundle["type"] == "searchset"
    assert [e["resource"]["id"] for e in bundle["entry"]] == [referral_a.reference]


def test_a_search_pages_with_a_next_link_until_every_task_is_seen(
    practice_a, referrer_a, team_x, practice_a_api
):
    made = {
        ReferralFactory(
            referring_practice=practice_a, referred_by=referrer_a, team=team_x
        ).reference
        for _ in range(5)
    }
    seen, url, pages = (
        [],
        f"/fhir/R4/Task?requester=Organization/{practice_a.public_id}&_count=2",
        0,
    )
    while url:
        bundle = practice_a_api.get(url).json()
        seen += [e["resource"]["id"] for e in bundle["entry"]]
        following = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        url = following[0].split("/fhir/R4", 1)[1].join(["/fhir/R4", ""]) if following else None
        pages += 1
    assert sorted(seen) == sorted(made)
    assert pages == 3


def test_a_search_by_last_updated_finds_only_what_changed_since(
    practice_a_api, referral_a, coordinator_x
):
    old = ReferralFactory(
        referring_practice=referral_a.referring_practice,
        referred_by=referral_a.referred_by,
        team=referral_a.team,
    )
    Referral.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=2)
    )
    since = (timezone.now() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    bundle = practice_a_api.get(f"/fhir/R4/Task?_lastUpdated=gt{since}").json()
    assert [e["resource"]["id"] for e in bundle["entry"]] == [referral_a.reference]


def test_a_search_by_status_uses_the_task_statuses(
    practice_a_api, referral_a, referral_b, coordinator_x
):
    referral_services.accept_referral(referral=referral_a, by=coordinator_x)
    accepted = practice_a_api.get("/fhir/R4/Task?status=accepted").json()
    requested = practice_a_api.get("/fhir/R4/Task?status=requested").json()
    assert [e["resource"]["id"] for e in accepted["entry"]] == [referral_a.reference]
    assert requested["entry"] == []


def test_a_search_by_id_includes_the_focus_service_request(practice_a_api, referral_a):
    bundle = practice_a_api.get(
        f"/fhir/R4/Task?_id={referral_a.reference}&_include=Task:focus"
    ).json()
    modes = {(e["resource"]["resourceType"], e["search"]["mode"]) for e in bundle["entry"]}
    assert modes == {("Task", "match"), ("ServiceRequest", "include")}


def test_an_unknown_search_parameter_is_ignored_unless_the_client_asks_for_strict_handling(
    practice_a_api, referral_a
):
    lenient = practice_a_api.get("/fhir/R4/Task?colour=blue")
    assert len(lenient.json()["entry"]) == 1
    response = practice_a_api.get("/fhir/R4/Task?colour=blue", HTTP_PREFER="handling=strict")
    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"] == ["colour"]


def _cancelled(task: dict, reason: str = "The patient moved away.") -> dict:
    return {**task, "status": "cancelled", "statusReason": {"text": reason}}


def test_the_requester_cancels_its_task_by_put_which_withdraws_the_referral(
    practice_a_api, referral_a
):
    url = f"/fhir/R4/Task/{referral_a.reference}"
    task = practice_a_api.get(url).json()
    response = practice_a_api.put(url, json.dumps(_cancelled(task)), content_type=FHIR)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert response.json()["statusReason"]["text"] == "The patient moved away."
    referral_a.refresh_from_db()
    assert referral_a.status == ReferralStatus.PATIENT_DECLINED


def test_the_requester_cancels_its_task_by_json_patch(practice_a_api, referral_a):
    patch = [
        {"op": "replace", "path": "/status", "value": "cancelled"},
        {"op": "add", "path": "/statusReason", "value": {"text": "No longer wanted."}},
    ]
    response = practice_a_api.patch(
        f"/fhir/R4/Task/{referral_a.reference}",
        json.dumps(patch),
        content_type="application/json-patch+json",
    )
    assert response.status_code == 200, response.content
    referral_a.refresh_from_db()
    assert referral_a.status == ReferralStatus.PATIENT_DECLINED


def test_a_cancellation_without_a_reason_is_a_422(practice_a_api, referral_a):
    url = f"/fhir/R4/Task/{referral_a.reference}"
    task = practice_a_api.get(url).json()
    response = practice_a_api.put(
        url, json.dumps({**task, "status": "cancelled"}), content_type=FHIR
    )
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == ["Task.statusReason"]


def test_any_other_change_by_the_requester_is_a_403_naming_the_element(practice_a_api, referral_a):
    url = f"/fhir/R4/Task/{referral_a.reference}"
    task = practice_a_api.get(url).json()
    response = practice_a_api.put(
        url, json.dumps({**_cancelled(task), "priority": "stat"}), content_type=FHIR
    )
    assert response.status_code == 403
    assert response.json()["issue"][0]["expression"] == ["Task.priority"]
    accepting = practice_a_api.put(
        url, json.dumps({**task, "status": "accepted"}), content_type=FHIR
    )
    assert accepting.status_code == 403
    referral_a.refresh_from_db()
    assert referral_a.status == ReferralStatus.RECEIVED


def test_cancelling_a_closed_referral_is_a_409(practice_a_api, referral_a, coordinator_x):
    referral_services.decline_referral(referral=referral_a, by=coordinator_x, reason="duplicate")
    url = f"/fhir/R4/Task/{referral_a.reference}"
    task = practice_a_api.get(url).json()
    response = practice_a_api.put(url, json.dumps(_cancelled(task)), content_type=FHIR)
    assert response.status_code == 409
    assert response.json()["issue"][0]["code"] == "conflict"


def test_the_receiving_team_cannot_cancel_as_if_it_were_the_requester(team_x_api, referral_a):
    url = f"/fhir/R4/Task/{referral_a.reference}"
    task = team_x_api.get(url).json()
    response = team_x_api.put(url, json.dumps(_cancelled(task)), content_type=FHIR)
    assert response.status_code == 403


def test_a_stale_if_match_is_a_412(practice_a_api, referral_a):
    url = f"/fhir/R4/Task/{referral_a.reference}"
    task = practice_a_api.get(url).json()
    response = practice_a_api.put(
        url,
        json.dumps(_cancelled(task)),
        content_type=FHIR,
        HTTP_IF_MATCH='W/"2000-01-01T00:00:00.000Z"',
    )
    assert response.status_code == 412
