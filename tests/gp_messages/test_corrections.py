"""A message sent is never edited: a correction is a new version that supersedes it, the old one
kept and marked, the practice told; a correction that makes no sense is refused."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle

from accounts.models import AuditEvent, Reminder
from accounts.services import render_reminder
from coordinators.errors import NotInCaseTeam
from gp_messages.errors import MessageAlreadyCorrected
from gp_messages.fhir_document import message_document
from gp_messages.models import MessageBack, MessageMoment
from gp_messages.services import (
    correct_message_back,
    mark_message_filed,
    produce_message_back,
    sweep_unfiled_messages,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(case):
    return produce_message_back(case_id=case.pk, moment=MessageMoment.FIRST_SEEN)


def _correct(message, by, **overrides):
    return correct_message_back(
        message=message,
        by=by,
        sections=overrides.pop("sections", {"what_matters": "Singing with the Thursday choir."}),
        reason=overrides.pop("reason", "What matters was copied from another patient's notes."),
    )


def _lines(message, key):
    return next(s["lines"] for s in message.sections if s["key"] == key)


def test_a_correction_is_a_new_version_and_the_one_sent_is_kept_unchanged_and_marked(
    message, coordinator_x
):
    sent_sections = message.sections
    corrected = _correct(message, coordinator_x)
    message.refresh_from_db()
    assert corrected.version == 2 and corrected.supersedes == message
    assert _lines(corrected, "what_matters") == ["Singing with the Thursday choir."]
    assert corrected.codes == message.codes
    assert corrected.corrected_by == coordinator_x
    assert message.sections == sent_sections and message.superseded_at is not None
    assert corrected.superseded_at is None


def test_a_correction_is_audited_and_the_practice_is_told_without_patient_details(
    message, case, coordinator_x, referrer_a, referrer_b
):
    corrected = _correct(message, coordinator_x)
    assert AuditEvent.objects.filter(
        action="correct", object_type="message_back", object_id=str(corrected.pk)
    ).exists()
    reminders = Reminder.objects.filter(kind="message_back_corrected")
    assert {r.recipient for r in reminders} == {referrer_a}
    email = reminders.get(channel="email")
    body = render_reminder(email, "body.txt") + render_reminder(email, "subject.txt")
    assert "corrected" in body
    assert case.patient.family_name not in body and case.reference not in body


def test_an_older_version_cannot_be_corrected_again(message, coordinator_x):
    _correct(message, coordinator_x)
    with pytest.raises(MessageAlreadyCorrected, match="version 2"):
        _correct(message, coordinator_x, sections={"what_matters": "Something else."})
    assert MessageBack.objects.count() == 2


def test_a_correction_that_changes_nothing_or_gives_no_reason_is_refused_by_field(
    message, coordinator_x
):
    with pytest.raises(ValidationError) as unchanged:
        _correct(message, coordinator_x, sections={})
    assert "sections" in unchanged.value.message_dict
    with pytest.raises(ValidationError) as no_reason:
        _correct(message, coordinator_x, reason="  ")
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(ValidationError) as no_patient:
        _correct(message, coordinator_x, sections={"patient": ""})
    assert "patient" in no_patient.value.message_dict
    message.refresh_from_db()
    assert MessageBack.objects.count() == 1 and message.superseded_at is None


def test_only_the_cases_team_can_correct_its_message(message, coordinator_y):
    with pytest.raises(NotInCaseTeam):
        _correct(message, coordinator_y)


def test_the_superseded_version_cannot_be_filed_nor_is_reminded(message, coordinator_x, referrer_a):
    corrected = _correct(message, coordinator_x)
    with pytest.raises(MessageAlreadyCorrected):
        mark_message_filed(message=message, by=referrer_a)
    later = corrected.sent_at.replace(year=corrected.sent_at.year + 1)
    reminded = {r.target_id for r in sweep_unfiled_messages(later)}
    assert reminded == {str(corrected.pk)}


def test_the_corrected_fhir_document_says_which_document_it_replaces(message, coordinator_x):
    corrected = _correct(message, coordinator_x)
    bundle = Bundle.model_validate(json.loads(json.dumps(message_document(corrected))))
    composition = bundle.entry[0].resource
    assert composition.status == "amended"
    assert composition.relatesTo[0].targetIdentifier.value == str(message.public_id)


def test_the_team_corrects_on_a_page_and_the_practice_sees_both_versions(
    as_user, message, case, coordinator_x, referrer_a, django_assert_max_num_queries
):
    url = reverse("gp_messages:correct", args=[message.public_id])
    team = as_user(coordinator_x)
    assert case.patient.full_name in team.get(url).content.decode()  # the sent lines, to edit
    refused = team.post(url, {"reason": ""})
    assert "Say what was wrong in the message sent." in refused.content.decode()
    fields = {f"section_{s['key']}": "\n".join(s["lines"]) for s in message.sections}
    fields.update(
        section_what_matters="Singing with the Thursday choir.", reason="Wrong patient's notes."
    )
    done = team.post(url, fields)
    assert done.status_code == 302 and done["Location"].endswith(f"/{case.reference}/")
    corrected = MessageBack.objects.get(version=2)
    case_page = team.get(reverse("coordinators:case", args=[case.reference])).content.decode()
    assert "corrected, version 2" in case_page
    again = team.post(url, fields, follow=True).content.decode()
    assert "already corrected" in again

    practice = as_user(referrer_a)
    with django_assert_max_num_queries(10):
        old_page = practice.get(reverse("gp_messages:detail", args=[message.public_id]))
    assert "Read and file the corrected version" in old_page.content.decode()
    new_page = practice.get(reverse("gp_messages:detail", args=[corrected.public_id]))
    assert "Wrong patient&#x27;s notes." in new_page.content.decode()
    listed = practice.get(reverse("gp_messages:list")).content.decode()
    assert "Replaced by a correction" in listed and "corrected, version 2" in listed
