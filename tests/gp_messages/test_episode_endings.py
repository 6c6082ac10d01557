"""The practice hears, in a message back for the GP record, of every episode's end: a patient
who could not be contacted (a closure) and a patient who declined (with the declined code)."""

import pytest
from django.utils import timezone

from gp_messages.codes import SOCIAL_PRESCRIBING_DECLINED
from gp_messages.models import MessageBack, MessageMoment
from referrals import services as referrals
from referrals.models import ContactMethod, ContactOutcome
from tests.coordinators.conftest import open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(practice_a, referrer_a, team_x, coordinator_x):
    return open_case(
        practice=practice_a,
        referrer=referrer_a,
        team=team_x,
        coordinator=coordinator_x,
        contacted=False,
    )


def _sections(message):
    return {s["key"]: s["lines"] for s in message.sections}


def test_closing_as_unable_to_contact_sends_a_closure_message_citing_the_attempts_uncoded(
    accepted, coordinator_x, eager_celery, django_capture_on_commit_callbacks
):
    referrals.record_contact_attempt(
        referral=accepted,
        by=coordinator_x,
        attempted_on=timezone.localdate(),
        method=ContactMethod.PHONE,
        outcome=ContactOutcome.NO_ANSWER,
    )
    with django_capture_on_commit_callbacks(execute=True):
        referrals.record_unable_to_contact(referral=accepted, by=coordinator_x)
    (message,) = MessageBack.objects.filter(referral=accepted)
    assert message.moment == MessageMoment.CLOSURE
    outcomes = _sections(message)["outcomes"]
    assert any(line.endswith(": Unable to contact") for line in outcomes)
    assert any(line.startswith("Unable to contact after 1 attempt") for line in outcomes)
    assert "refer the patient again" in _sections(message)["plan"][0]
    assert message.codes == []  # no first interaction, no decline: nothing to code


@pytest.mark.parametrize("by", ["coordinator_x", "referrer_a"])
def test_a_patient_who_declines_sends_a_declined_message_with_the_declined_code_once(
    by, accepted, request, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referrals.record_patient_declined(
            referral=accepted, by=request.getfixturevalue(by), note="Not for now."
        )
    (message,) = MessageBack.objects.filter(referral=accepted)
    accepted.refresh_from_db()
    assert message.moment == MessageMoment.DECLINED
    assert [entry["code"] for entry in message.codes] == [SOCIAL_PRESCRIBING_DECLINED]
    assert message.codes[0]["on"] == timezone.localdate(accepted.closed_at).isoformat()
    assert any("declined social prescribing" in line for line in _sections(message)["outcomes"])
