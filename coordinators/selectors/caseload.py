"""Caseloads and the cases a user may see, scoped to the user's team(s): another team's
case is a 404. The API's querysets are scoped the same way."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from referrals.models import OPEN_CASE_STATUSES, Referral, ReferralQuerySet
from referrals.selectors import onward_referrals_awaiting_answer, team_ids_of

from ..models import (
    Goal,
    GoalProgress,
    PlanAction,
    Review,
    ReviewStatus,
    WellbeingMeasure,
    WhatMattersConversation,
)


def cases_for(user: User) -> ReferralQuerySet:
    """Accepted referrals (open or closed) of the user's team(s)."""
    return (
        Referral.objects.cases()
        .filter(team_id__in=team_ids_of(user))
        .select_related("patient", "assigned_to", "team", "referring_practice", "referred_by")
    )


def get_case(user: User, reference: str) -> Referral:
    case = cases_for(user).filter(reference=reference).first()
    if case is None:
        raise Http404("No such case.")
    return case


def caseload_of(user: User) -> ReferralQuerySet:
    """My open cases, the next review first (cases without one after), in the order of
    referral_caseload_idx."""
    return (
        cases_for(user)
        .open_cases()
        .filter(assigned_to=user)
        .order_by("next_review_at", "accepted_at", "id")
    )


def team_caseload(user: User) -> ReferralQuerySet:
    return (
        cases_for(user)
        .open_cases()
        .order_by("assigned_to__first_name", "assigned_to__email", "next_review_at", "id")
    )


@dataclass(frozen=True)
class CaseloadRow:
    case: Referral
    next_review_at: datetime.datetime | None
    overdue_review: bool
    no_first_contact: bool
    provider_waiting_since: datetime.datetime | None = None

    @property
    def provider_not_answered(self) -> bool:
        return self.provider_waiting_since is not None


def caseload_rows(cases) -> list[CaseloadRow]:
    """Flags for the caseload table; onward referrals still waiting for a provider's answer
    (the oldest, for how long) come in one query for the whole list."""
    now = timezone.now()
    cases = list(cases)
    waiting = onward_referrals_awaiting_answer(case.pk for case in cases) if cases else {}
    return [
        CaseloadRow(
            case=case,
            next_review_at=case.next_review_at,
            overdue_review=bool(case.next_review_at and case.next_review_at < now),
            no_first_contact=case.first_contact_at is None,
            provider_waiting_since=waiting.get(case.pk),
        )
        for case in cases
    ]


def upcoming_reviews(user: User, *, days: int = 28) -> QuerySet[Review]:
    """Scheduled reviews of my open cases: overdue ones first, then the next `days` days."""
    until = timezone.now() + datetime.timedelta(days=days)
    return (
        Review.objects.filter(
            status=ReviewStatus.SCHEDULED,
            referral__assigned_to=user,
            referral__team_id__in=team_ids_of(user),
            referral__status__in=OPEN_CASE_STATUSES,
            scheduled_for__lte=until,
        )
        .select_related("referral__patient")
        .order_by("scheduled_for", "id")
    )


# --- API querysets, scoped like the pages


def goals_for(user: User) -> QuerySet[Goal]:
    return Goal.objects.filter(referral__in=cases_for(user).values("pk")).prefetch_related(
        Prefetch("progress", queryset=GoalProgress.objects.order_by("recorded_at", "id"))
    )


def measures_for(user: User) -> QuerySet[WellbeingMeasure]:
    return WellbeingMeasure.objects.filter(referral__in=cases_for(user).values("pk"))


def plan_actions_for(user: User) -> QuerySet[PlanAction]:
    return PlanAction.objects.filter(referral__in=cases_for(user).values("pk")).select_related(
        "service_referral"
    )


def reviews_for(user: User) -> QuerySet[Review]:
    return Review.objects.filter(referral__in=cases_for(user).values("pk"))


def conversations_for(user: User) -> QuerySet[WhatMattersConversation]:
    return WhatMattersConversation.objects.filter(referral__in=cases_for(user).values("pk"))
