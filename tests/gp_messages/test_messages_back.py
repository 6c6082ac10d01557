"""The message back: made at its three moments, once each, coded once per episode, and read by
the practice as a page, a PDF letter and a FHIR document; the practice marks it filed."""

import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from accounts.models import AuditEvent
from coordinators import services as casework
from coordinators.models import GoalStatus
from gp_messages.codes import REFERRAL_TO_SOCIAL_PRESCRIBING, SOCIAL_PRESCRIBING_DECLINED
from gp_messages.content import SECTION_TITLES
from gp_messages.fhir_document import message_document
from gp_messages.letters import message_letter_pdf
from gp_messages.models import MessageBack, MessageMoment, PracticeMessageSetting
from gp_messages.services import codes_for, produce_message_back
from referrals.models import ClosureOutcome
from tests.coordinators.conftest import in_days

pytestmark = pytest.mark.django_db


def _converse(case, by):
    casework.record_conversation(
        case=case, by=by, held_on=timezone.localdate(), what_matters="Getting back to the choir."
    )


def _close(case, by):
    goal = casework.add_goal(case=case, by=by, statement="Sing again", need_domain="loneliness")
    casework.close_case(
        case=case,
        by=by,
        outcome=ClosureOutcome.GOALS_MET,
        summary="Carry on with the Thursday choir.",
        goal_statuses={goal.pk: GoalStatus.ACHIEVED},
    )


def _all_codes(case) -> list[str]:
    return [e["code"] for m in MessageBack.objects.filter(referral=case) for e in m.codes]


def test_the_first_conversation_sends_a_first_seen_message_with_the_referral_code_dated(
    case, coordinator_x, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _converse(case, coordinator_x)
        _converse(case, coordinator_x)  # a second conversation is not "first seen"
    (message,) = MessageBack.objects.filter(referral=case)
    assert message.moment == MessageMoment.FIRST_SEEN
    sections = {s["key"]: s["lines"] for s in message.sections}
    assert "Getting back to the choir." in sections["what_matters"]
    assert f"First seen: {case.first_contact_at:%d %B %Y}" in sections["outcomes"]
    assert message.codes == [
        {
            "code": REFERRAL_TO_SOCIAL_PRESCRIBING,
            "display": "Referral to social prescribing service",
            "on": timezone.localdate(case.first_contact_at).isoformat(),
        }
    ]


def test_closing_sends_a_closure_message_and_the_referral_code_appears_once_per_episode(
    case, coordinator_x, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _converse(case, coordinator_x)
    with django_capture_on_commit_callbacks(execute=True):
        _close(case, coordinator_x)
    closure = MessageBack.objects.get(referral=case, moment=MessageMoment.CLOSURE)
    sections = {s["key"]: s["lines"] for s in closure.sections}
    assert any(line.startswith("Case closed on ") for line in sections["outcomes"])
    assert "Goal: Sing again: achieved" in sections["outcomes"]
    assert sections["plan"] == ["Carry on with the Thursday choir."]
    assert closure.codes == []
    assert _all_codes(case) == [REFERRAL_TO_SOCIAL_PRESCRIBING]


def test_a_retried_task_does_not_send_the_message_twice(case, coordinator_x):
    first = produce_message_back(case_id=case.pk, moment=MessageMoment.FIRST_SEEN)
    again = produce_message_back(case_id=case.pk, moment=MessageMoment.FIRST_SEEN)
    assert first == again and MessageBack.objects.count() == 1


@pytest.mark.parametrize("wants_updates", [True, False])
def test_a_review_sends_a_progress_update_only_to_a_practice_that_asked(
    wants_updates, case, coordinator_x, practice_a, eager_celery, django_capture_on_commit_callbacks
):
    PracticeMessageSetting.objects.create(practice=practice_a, progress_updates=wants_updates)
    review = casework.schedule_review(
        case=case, by=coordinator_x, scheduled_for=in_days(1), mode="phone"
    )
    with django_capture_on_commit_callbacks(execute=True):
        casework.record_review(
            review=review, by=coordinator_x, notes="Going well.", ratings=[], continue_case=True
        )
    updates = MessageBack.objects.filter(referral=case, moment=MessageMoment.REVIEW)
    assert updates.count() == (1 if wants_updates else 0)
    if wants_updates:
        plan = next(s["lines"] for s in updates.get().sections if s["key"] == "plan")
        assert any(line.startswith("Next review: ") for line in plan)


def test_a_patient_who_declined_gets_the_declined_code_once_and_not_the_referral_code(case):
    case.status, case.first_contact_at = "patient_declined", None
    case.closed_at = timezone.now()
    assert [c.code for c in codes_for(case, [])] == [SOCIAL_PRESCRIBING_DECLINED]
    sent = MessageBack(codes=[{"code": SOCIAL_PRESCRIBING_DECLINED}])
    assert codes_for(case, [sent]) == []


def test_the_pdf_letter_renders_the_sections_and_the_codes(case, coordinator_x):
    _converse(case, coordinator_x)
    message = produce_message_back(case_id=case.pk, moment=MessageMoment.FIRST_SEEN)
    pdf = message_letter_pdf(message)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    for _, title in SECTION_TITLES:
        assert title in text
    assert "Getting back to the choir." in text
    assert REFERRAL_TO_SOCIAL_PRESCRIBING in text and case.reference in text


def test_the_fhir_document_parses_and_its_composition_has_the_listed_sections(case, coordinator_x):
    message = produce_message_back(case_id=case.pk, moment=MessageMoment.FIRST_SEEN)
    bundle = Bundle.model_validate(json.loads(json.dumps(message_document(message))))
    assert bundle.type == "document"
    composition = bundle.entry[0].resource
    assert composition.__resource_type__ == "Composition"
    assert [s.title for s in composition.section] == [title for _, title in SECTION_TITLES]
    procedure = bundle.entry[3].resource
    assert procedure.code.coding[0].code == REFERRAL_TO_SOCIAL_PRESCRIBING


def test_the_practice_lists_opens_downloads_and_files_its_message_audited(
    as_user, case, referrer_a, django_assert_num_queries
):
    message = produce_message_back(case_id=case.pk, moment=MessageMoment.FIRST_SEEN)
    client = as_user(referrer_a)
    client.get(reverse("gp_messages:list"))
    with django_assert_num_queries(8):
        listed = client.get(reverse("gp_messages:list")).content.decode()
    assert case.reference in listed and "Not filed" in listed
    detail_url = reverse("gp_messages:detail", args=[message.public_id])
    with django_assert_num_queries(8):
        assert client.get(detail_url).status_code == 200
    pdf = client.get(reverse("gp_messages:pdf", args=[message.public_id]))
    assert pdf["Content-Disposition"] == f'attachment; filename="{message.file_name}"'
    client.post(reverse("gp_messages:filed", args=[message.public_id]))
    client.post(reverse("gp_messages:filed", args=[message.public_id]))
    message.refresh_from_db()
    assert message.filed_by == referrer_a and message.filed_at
    filed = AuditEvent.objects.filter(object_type="message_back", action="file")
    assert filed.count() == 1


def test_another_practice_cannot_see_the_message(as_user, case, referrer_b):
    message = produce_message_back(case_id=case.pk, moment=MessageMoment.FIRST_SEEN)
    client = as_user(referrer_b)
    assert client.get(reverse("gp_messages:detail", args=[message.public_id])).status_code == 404
    assert case.reference not in client.get(reverse("gp_messages:list")).content.decode()
