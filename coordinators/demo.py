"""Casework on the demo referrals, at every stage from first conversation to closed. Safe to run
again: it does nothing once the demo team's cases have goals."""

import datetime
import itertools

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from community_services.need_domains import NeedDomain
from referrals.models import ClosureOutcome, Referral, ReferralStatus

from . import services
from .models import ActionOwner, Goal, MeasureOccasion, Review, ReviewMode

TEAM = "Northfield Social Prescribing Team"
STAGES = [
    "conversation",
    "goals",
    "plan",
    "reviewed",
    "overdue",
    "ready_to_close",
    "closed",
]
GOALS = [
    ("I want to get out of the house twice a week.", NeedDomain.LONELINESS),
    ("I'd like to walk to the park without getting out of breath.", NeedDomain.PHYSICAL_ACTIVITY),
    ("I want to sort out the letters about my rent.", NeedDomain.HOUSING),
]
SWEMWBS_BASELINE = {
    "optimistic": 2,
    "useful": 2,
    "relaxed": 2,
    "dealing_with_problems": 3,
    "thinking_clearly": 3,
    "close_to_others": 1,
    "own_mind": 3,
}
SWEMWBS_LATER = {key: min(5, value + 1) for key, value in SWEMWBS_BASELINE.items()}


@transaction.atomic
def seed(log) -> None:
    team = Organisation.objects.filter(name=TEAM, kind="coordinator_team").first()
    if team is None:
        log("no demo team: skipped")
        return
    if Goal.objects.filter(referral__team=team).exists():
        log("demo casework already present")
        return
    cases = list(
        Referral.objects.filter(team=team, status=ReferralStatus.IN_PROGRESS)
        .select_related("assigned_to")
        .order_by("id")
    )
    for case, stage in zip(cases, itertools.cycle(STAGES), strict=False):
        _work(case, stage)
    log(f"casework on {len(cases)} open cases, from first conversation to closed")


def _work(case: Referral, stage: str) -> None:
    by: User = case.assigned_to  # type: ignore[assignment]  # an open case has a coordinator
    today = timezone.localdate()
    conversation = services.record_conversation(
        case=case,
        by=by,
        held_on=today,
        what_matters="Seeing people again, and feeling fitter.",
        what_is_hard="Since my wife died I hardly go out.",
        enjoys_and_good_at="Gardening, and I used to sing in a choir.",
        who_is_there="My daughter phones on Sundays.",
        three_months="Going somewhere every week where people know my name.",
    )
    if stage == "conversation":
        return
    goals = [
        services.add_goal(
            case=case, by=by, statement=text, need_domain=domain, conversation=conversation
        )
        for text, domain in GOALS[:2]
    ]
    services.record_measure(
        case=case,
        by=by,
        instrument="swemwbs",
        occasion=MeasureOccasion.BASELINE,
        answers=SWEMWBS_BASELINE,
    )
    if stage == "goals":
        return
    services.add_plan_action(
        case=case,
        by=by,
        goal=goals[0],
        description="Try the Tuesday lunch club at the community centre.",
        owner=ActionOwner.PATIENT,
        due_date=today + datetime.timedelta(days=14),
    )
    services.add_plan_action(
        case=case,
        by=by,
        goal=goals[1],
        description="Join the beginners' walking group.",
        owner=ActionOwner.COMMUNITY_SERVICE,
        owner_detail="Northfield Walking for Health",
        due_date=today + datetime.timedelta(days=21),
    )
    review = services.schedule_review(
        case=case,
        by=by,
        scheduled_for=timezone.now() + datetime.timedelta(days=7, hours=2),
        mode=ReviewMode.PHONE,
    )
    if stage == "plan":
        return
    if stage == "overdue":
        # Demo only: pretend the review fell due three days ago and nobody recorded it.
        Review.objects.filter(pk=review.pk).update(
            scheduled_for=timezone.now() - datetime.timedelta(days=3)
        )
        services.refresh_next_reviews(cases=Referral.objects.filter(pk=case.pk))
        return
    services.record_review(
        review=review,
        by=by,
        notes="Went to the lunch club twice; walking is harder than expected.",
        ratings=[services.GoalRating(goals[0].pk, 6), services.GoalRating(goals[1].pk, 3)],
        measure={"instrument": "swemwbs", "answers": SWEMWBS_LATER},
        continue_case=stage != "ready_to_close",
    )
    if stage in ("reviewed", "ready_to_close"):
        return
    services.close_case(
        case=case,
        by=by,
        outcome=ClosureOutcome.GOALS_PARTLY_MET,
        summary="He now goes to a lunch club every week and has started short walks. "
        "He would like to keep walking with the group on his own.",
        goal_statuses={goals[0].pk: "achieved", goals[1].pk: "partly_achieved"},
        closing_measures=[{"instrument": "swemwbs", "answers": SWEMWBS_LATER}],
    )
