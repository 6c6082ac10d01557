"""The case page's summary: where the case stands and the one step that fits its stage, so
the page's primary button is what the coordinator should do next (never "close" on a new case)."""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from common.state_machine import Party
from referrals.models import REFERRAL_MACHINE, ReferralAction

from ..models import PlanActionStatus
from .case_page import CaseFile

FINISHED_ACTIONS = (PlanActionStatus.DONE, PlanActionStatus.CANCELLED)


@dataclass(frozen=True)
class NextStep:
    label: str
    url: str
    why: str


@dataclass(frozen=True)
class CaseSummary:
    open_actions: int
    next_step: NextStep | None
    can_close: bool


def case_summary(file: CaseFile, *, now: datetime.datetime) -> CaseSummary:
    case = file.case
    open_actions = sum(
        1 for action in file.plan_actions if action.current_status not in FINISHED_ACTIONS
    )
    can_close = REFERRAL_MACHINE.allows(ReferralAction.CLOSE, case.status)
    return CaseSummary(
        open_actions=open_actions,
        next_step=_next_step(file, can_close=can_close, now=now),
        can_close=can_close,
    )


def _next_step(file: CaseFile, *, can_close: bool, now: datetime.datetime) -> NextStep | None:
    """The first thing the case still lacks, in the order casework goes."""
    case, ref = file.case, file.case.reference
    if ReferralAction.FIRST_CONTACT in REFERRAL_MACHINE.actions_from(case.status, by=Party.TEAM):
        return NextStep(
            "Record first contact",
            reverse("referrals:first-contact", args=[ref]),
            "Nobody has spoken to the patient yet.",
        )
    if not case.is_open_case:
        return None
    review = file.next_review
    if not file.conversations:
        return NextStep(
            "Record a what matters conversation",
            reverse("coordinators:conversation-new", args=[ref]),
            "No what matters conversation is recorded yet.",
        )
    if not file.goals:
        return NextStep(
            "Add a goal",
            reverse("coordinators:goal-new", args=[ref]),
            "The patient has no goals yet.",
        )
    if not file.active_goals and can_close:
        return NextStep(
            "Close the case",
            reverse("coordinators:case-close", args=[ref]),
            "None of the patient's goals is still active.",
        )
    if not file.plan_actions:
        return NextStep(
            "Add to the plan",
            reverse("coordinators:plan-action-new", args=[ref]),
            "Nothing is planned for the active goals yet.",
        )
    if review is None:
        return NextStep(
            "Schedule a review",
            reverse("coordinators:review-schedule", args=[ref]),
            "No review is scheduled.",
        )
    if review.scheduled_for <= now:
        why = "The review is due."
    else:
        when = timezone.localtime(review.scheduled_for)
        why = f"The next review is on {when:%A} {when.day} {when:%B %Y}."
    return NextStep(
        "Record the review", reverse("coordinators:review-record", args=[ref, review.pk]), why
    )
