"""The message back to the GP as the Task's output: a DocumentReference carrying the PDF letter
the practice downloads and the structured FHIR document, read by the practice (and the team)
only, each read audited; a corrected message replaces its earlier version."""

import base64
import json
from urllib.parse import quote

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from gp_messages.models import MessageMoment
from gp_messages.services import correct_message_back, produce_message_back
from interop.resources.common import instant
from referrals import services as referral_services
from referrals.models import ContactMethod
from tests.interop.fhir_validity import assert_valid
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def case(practice_a, referrer_a, team_x, coordinator_x):
    referral = ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    referral_services.accept_referral(referral=referral, by=coordinator_x)
    referral_services.record_first_contact(
        referral=referral,
        by=coordinator_x,
        contacted_on=timezone.localdate(),
        method=ContactMethod.PHONE,
    )
    referral.refresh_from_db()
    return referral


def test_a_task_has_no_message_back_output_before_one_is_sent(practice_a_api, case):
    task = practice_a_api.get(f"/fhir/R4/Task/{case.reference}").json()
    assert "output" not in task


def test_the_message_back_is_the_tasks_output_with_its_letter_and_its_document(
    practice_a_api, case, django_assert_max_num_queries
):
    message = produce_message_back(case_id=case.pk, moment=MessageMoment.FIRST_SEEN)
    with django_assert_max_num_queries(11):
        task = practice_a_api.get(f"/fhir/R4/Task/{case.reference}").json()
    (output,) = task["output"]
    assert output["type"]["coding"][0]["code"] == "message-back"
    reference = output["valueReference"]["reference"]
    assert reference == f"DocumentReference/message-{message.public_id}"
    assert task["meta"]["lastUpdated"] >= case.updated_at.isoformat()[:19]
    document = practice_a_api.get(f"/fhir/R4/{reference}").json()
    letter, structured = (c["attachment"] for c in document["content"])
    assert letter["contentType"] == "application/pdf"
    assert base64.b64decode(letter["data"]).startswith(b"%PDF")
    bundle = json.loads(base64.b64decode(structured["data"]))
    assert bundle["type"] == "document"
    assert bundle["entry"][0]["resource"]["resourceType"] == "Composition"
    assert document["subject"] == {"reference": f"Patient/{case.patient_id}"}
    assert AuditEvent.objects.filter(
        action="view", object_type="referral", object_id=str(case.pk), detail__contains="message"
    ).exists()
    assert_valid(task)
    assert_valid(document)


def test_the_task_search_carries_the_outputs_in_one_query_for_the_page(
    practice_a_api, case, practice_a, referrer_a, team_x, django_assert_max_num_queries
):
    produce_message_back(case_id=case.pk, moment=MessageMoment.FIRST_SEEN)
    ReferralFactory(referring_practice=practice_a, referred_by=referrer_a, team=team_x)
    with django_assert_max_num_queries(11):
        bundle = practice_a_api.get("/fhir/R4/Task").json()
    outputs = {e["resource"]["id"]: e["resource"].get("output", []) for e in bundle["entry"]}
    assert len(outputs[case.reference]) == 1


def test_another_practice_cannot_read_the_message_back(practice_b_api, case):
    message = produce_message_back(case_id=case.pk, moment=MessageMoment.FIRST_SEEN)
    response = practice_b_api.get(f"/fhir/R4/DocumentReference/message-{message.public_id}")
    assert response.status_code == 404
    assert practice_b_api.get("/fhir/R4/DocumentReference/message-nonsense").status_code == 404


def test_a_practice_polling_by_last_updated_sees_the_task_again_once_a_message_back_is_sent(
    practice_a_api, case
):
    """The message back is a new output of the Task: the practice's system, asking what changed
    since it last looked, gets the Task again, its lastUpdated the message's time."""
    since = quote(case.updated_at.isoformat())
    query = f"/fhir/R4/Task?requester=Organization/{case.referring_practice.public_id}"
    assert practice_a_api.get(f"{query}&_lastUpdated=gt{since}").json()["entry"] == []
    message = produce_message_back(case_id=case.pk, moment=MessageMoment.FIRST_SEEN)
    (entry,) = practice_a_api.get(f"{query}&_lastUpdated=gt{since}").json()["entry"]
    assert entry["resource"]["id"] == case.reference
    assert entry["resource"]["meta"]["lastUpdated"] == instant(message.sent_at)
    assert (
        practice_a_api.get(f"{query}&_lastUpdated=gt{quote(message.sent_at.isoformat())}").json()[
            "entry"
        ]
        == []
    )


def test_a_corrected_message_back_moves_the_tasks_last_updated_again(
    practice_a_api, case, coordinator_x
):
    message = produce_message_back(case_id=case.pk, moment=MessageMoment.FIRST_SEEN)
    corrected = correct_message_back(
        message=message,
        by=coordinator_x,
        sections={message.sections[-1]["key"]: "Corrected line."},
        reason="The wrong group was named.",
    )
    task = practice_a_api.get(f"/fhir/R4/Task/{case.reference}").json()
    assert task["meta"]["lastUpdated"] == instant(corrected.sent_at)
    (output,) = task["output"]
    assert output["valueReference"]["reference"].endswith(str(corrected.public_id))
