"""Reviewing progress with the primary care team: the practice's list of cases to discuss, the
coordinator's flag and the review recorded at the meeting, on the timeline and in the next
message back."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from coordinators import services as casework
from coordinators.errors import CaseNotOpen, NotInCaseTeam
from coordinators.models import CaseEvent, CaseEventKind
from gp_messages.discussion import DiscussReason, cases_to_discuss
from gp_messages.errors import AlreadyFlagged
from gp_messages.models import DiscussionFlag, MessageBack, MessageMoment
from gp_messages.services import (
    flag_for_practice_discussion,
    produce_message_back,
    record_practice_review,
)
from referrals.models import Referral
from tests.coordinators.conftest import open_case
from tests.coordinators.test_measures import _swemwbs_answers_totalling

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_case(practice_a, referrer_a, team_x, coordinator_x):
    return open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )


def _listed(user, practice, reason=""):
    return {case.reference for case in cases_to_discuss(user, practice.pk, reason)}


def _review(case, by, **overrides):
    fields = {
        "held_on": timezone.localdate(),
        "attendees": "Dr Patel (GP), Sam (practice nurse)",
        "agreed_actions": "GP to review medication; coordinator to find a walking group.",
        "notes": "Low mood since the winter.",
    }
    return record_practice_review(case=case, by=by, **{**fields, **overrides})


def _swemwbs(case, by, raw, occasion):
    casework.record_measure(
        case=case,
        by=by,
        instrument="swemwbs",
        occasion=occasion,
        answers=_swemwbs_answers_totalling(raw),
        taken_on=timezone.localdate(),
    )


def test_the_list_has_flagged_overdue_and_worsening_cases_each_filterable(
    case, second_case, practice_a, coordinator_x, referrer_a, team_x, referrer_b
):
    quiet = open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )
    flag_for_practice_discussion(case=case, by=coordinator_x, reason="Housing worries.")
    Referral.objects.filter(pk=second_case.pk).update(
        next_review_at=timezone.now() - datetime.timedelta(days=2)
    )
    _swemwbs(quiet, coordinator_x, 30, "baseline")
    _swemwbs(quiet, coordinator_x, 25, "review")  # worse than at the start
    improving = open_case(
        practice=practice_a, referrer=referrer_a, team=team_x, coordinator=coordinator_x
    )
    _swemwbs(improving, coordinator_x, 20, "baseline")
    _swemwbs(improving, coordinator_x, 15, "review")
    _swemwbs(improving, coordinator_x, 28, "review")  # worse once, better at the latest

    everything = {case.reference, second_case.reference, quiet.reference}
    assert _listed(coordinator_x, practice_a) == everything
    assert _listed(referrer_a, practice_a) == everything
    assert _listed(coordinator_x, practice_a, DiscussReason.FLAGGED) == {case.reference}
    assert _listed(coordinator_x, practice_a, DiscussReason.OVERDUE) == {second_case.reference}
    assert _listed(coordinator_x, practice_a, DiscussReason.WORSENING) == {quiet.reference}
    assert _listed(referrer_b, practice_a) == set()


def test_another_team_sees_none_of_the_practices_cases(
    case, coordinator_x, coordinator_y, practice_a
):
    flag_for_practice_discussion(case=case, by=coordinator_x, reason="Housing worries.")
    assert _listed(coordinator_y, practice_a) == set()


def test_a_case_is_flagged_once_until_the_practice_review_discusses_it(case, coordinator_x):
    flag_for_practice_discussion(case=case, by=coordinator_x, reason="Housing worries.")
    with pytest.raises(AlreadyFlagged):
        flag_for_practice_discussion(case=case, by=coordinator_x, reason="Again.")
    review = _review(case, coordinator_x)
    assert DiscussionFlag.objects.get().discussed_in == review
    flag_for_practice_discussion(case=case, by=coordinator_x, reason="Still worried.")
    assert DiscussionFlag.objects.filter(discussed_in=None).count() == 1


def test_the_practice_review_is_on_the_timeline_and_audited(case, coordinator_x):
    review = _review(case, coordinator_x)
    event = CaseEvent.objects.get(referral=case, kind=CaseEventKind.PRACTICE_REVIEW)
    assert "Dr Patel (GP)" in event.summary and "walking group" in event.summary
    assert AuditEvent.objects.filter(
        action=CaseEventKind.PRACTICE_REVIEW,
        object_id=str(review.pk),
        patient_id=str(case.patient_id),
    ).exists()


def test_a_practice_review_needs_who_what_and_a_real_date_and_leaves_nothing_half_written(
    case, coordinator_x
):
    with pytest.raises(ValidationError) as refused:
        _review(
            case,
            coordinator_x,
            attendees=" ",
            agreed_actions="",
            held_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {"attendees", "agreed_actions", "held_on"}
    assert not CaseEvent.objects.filter(kind=CaseEventKind.PRACTICE_REVIEW).exists()


def test_only_the_team_and_only_on_an_open_case(case, coordinator_x, coordinator_y):
    with pytest.raises(NotInCaseTeam):
        _review(case, coordinator_y)
    Referral.objects.filter(pk=case.pk).update(status="closed")
    with pytest.raises(CaseNotOpen):
        flag_for_practice_discussion(case=case, by=coordinator_x, reason="Too late.")


def test_the_next_message_back_reports_the_practice_reviews_since_the_last_one(case, coordinator_x):
    produce_message_back(case_id=case.pk, moment=MessageMoment.FIRST_SEEN)
    _review(case, coordinator_x)
    casework.close_case(
        case=case, by=coordinator_x, outcome="patient_withdrew", summary="Refer again if wanted."
    )
    closure = produce_message_back(case_id=case.pk, moment=MessageMoment.CLOSURE)
    plan = next(s["lines"] for s in closure.sections if s["key"] == "plan")
    assert plan[0] == (
        f"Reviewed with the practice on {timezone.localdate():%d %B %Y} (Dr Patel (GP), Sam "
        "(practice nurse)). Agreed: GP to review medication; coordinator to find a walking group."
    )
    first = MessageBack.objects.get(moment=MessageMoment.FIRST_SEEN)
    assert not any(
        "Reviewed with the practice" in line for s in first.sections for line in s["lines"]
    )


def test_the_pages_flag_record_and_list_with_pinned_queries(
    as_user, case, coordinator_x, practice_a, referrer_a, django_assert_max_num_queries
):
    team = as_user(coordinator_x)
    flagged = team.post(
        reverse("gp_messages:flag-for-discussion", args=[case.reference]),
        {"reason": "Housing worries."},
    )
    assert flagged.status_code == 302
    url = reverse("gp_messages:cases-to-discuss")
    team.get(url)
    with django_assert_max_num_queries(10):
        listed = team.get(url, {"practice": practice_a.pk, "reason": "flagged"})
    assert (
        case.reference in listed.content.decode() and "Housing worries." in listed.content.decode()
    )
    assert team.get(url, {"practice": 999999}).status_code == 404
    refused = team.post(
        reverse("gp_messages:practice-review-new", args=[case.reference]),
        {"held_on": "", "attendees": "", "agreed_actions": ""},
    )
    assert "Enter the date of the meeting." in refused.content.decode()
    done = team.post(
        reverse("gp_messages:practice-review-new", args=[case.reference]),
        {
            "held_on": timezone.localdate().isoformat(),
            "attendees": "Dr Patel (GP)",
            "agreed_actions": "GP to review medication.",
        },
    )
    assert done.status_code == 302
    case_page = team.get(reverse("coordinators:case", args=[case.reference])).content.decode()
    assert "Reviewed with the practice on" in case_page
    practice = as_user(referrer_a)
    with django_assert_max_num_queries(10):
        page = practice.get(url).content.decode()
    assert "No cases to discuss." in page  # discussed, and nothing overdue or worse
