"""The case page: its timeline, measure comparisons, the case file and what is printed."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Prefetch

from referrals.models import (
    Referral,
    ReferralEvent,
    ReferralStatus,
    ServiceReferral,
    ServiceReferralEvent,
    ServiceReferralStatus,
)
from referrals.selectors import service_referrals_of_case

from .. import measures
from ..models import (
    CaseEvent,
    Goal,
    GoalProgress,
    GoalStatus,
    MeasureOccasion,
    PlanAction,
    Review,
    ReviewStatus,
    WellbeingMeasure,
    WhatMattersConversation,
)


@dataclass(frozen=True)
class TimelineEntry:
    occurred_at: datetime.datetime
    source: str
    text: str
    actor: str = ""
    note: str = ""


def _label(choices: type[models.TextChoices], value: str) -> str:
    """A status's name in lower case: an enum lookup (get_FOO_display flattens the choices on
    every call, and a long timeline makes hundreds)."""
    return choices(value).label.lower()


def _referral_event_entries(case: Referral) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            occurred_at=event.occurred_at,
            source="referral",
            text=(
                f"Referral {_label(ReferralStatus, event.from_status)} → "
                f"{_label(ReferralStatus, event.to_status)}"
                if event.from_status
                else f"Referral {_label(ReferralStatus, event.to_status)}"
            ),
            actor=event.actor.display_name if event.actor else "",
            note=event.note,
        )
        for event in ReferralEvent.objects.filter(referral=case).select_related("actor")
    ]


def _case_event_entries(case: Referral) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            occurred_at=event.occurred_at,
            source="casework",
            text=event.summary,
            actor=event.actor.display_name if event.actor else "",
        )
        for event in CaseEvent.objects.filter(referral=case).select_related("actor")
    ]


def _service_referral_event_entries(case: Referral) -> list[TimelineEntry]:
    entries = []
    for event in ServiceReferralEvent.objects.filter(
        service_referral__referral=case
    ).select_related("service_referral__service", "actor", "link"):
        service = event.service_referral.service.name
        to_status = _label(ServiceReferralStatus, event.to_status)
        if event.from_status:
            from_status = _label(ServiceReferralStatus, event.from_status)
            text = f"Onward referral to {service} {from_status} → {to_status}"
        else:
            text = f"Onward referral to {service} {to_status}"
        entries.append(
            TimelineEntry(
                occurred_at=event.occurred_at,
                source="onward_referral",
                text=text,
                actor=event.by_label,
                note=event.note,
            )
        )
    return entries


# Each source is one query.
TIMELINE_SOURCES: list[Callable[[Referral], list[TimelineEntry]]] = [
    _referral_event_entries,
    _case_event_entries,
    _service_referral_event_entries,
]


def case_timeline(case: Referral) -> list[TimelineEntry]:
    """Everything that happened to the case, from every source, newest first."""
    entries = [entry for source in TIMELINE_SOURCES for entry in source(case)]
    return sorted(entries, key=lambda entry: entry.occurred_at, reverse=True)


@dataclass
class MeasureComparison:
    instrument: measures.Instrument
    baseline: WellbeingMeasure | None
    latest: WellbeingMeasure | None
    history: list[WellbeingMeasure] = field(default_factory=list)

    @property
    def metric_change(self) -> Decimal | None:
        baseline = self.baseline.metric_score if self.baseline else None
        latest = self.latest.metric_score if self.latest else None
        if baseline is not None and latest is not None:
            return latest - baseline
        return None

    @property
    def item_changes(self) -> list[dict[str, Any]]:
        """ONS4 (and any per-item instrument): each item's baseline, latest and change."""
        if not self.baseline:
            return []
        latest = self.latest or self.baseline
        return [
            {
                "text": item.text,
                "baseline": self.baseline.answers.get(item.key),
                "latest": latest.answers.get(item.key),
                "change": latest.answers.get(item.key, 0) - self.baseline.answers.get(item.key, 0),
                "band": latest.bands.get(item.key, ""),
            }
            for item in self.instrument.items
        ]


def measure_comparisons(measure_rows: list[WellbeingMeasure]) -> list[MeasureComparison]:
    """Per instrument in use: the baseline, the latest repeat and the change from baseline."""
    comparisons = []
    for instrument in measures.enabled_instruments():
        rows = [row for row in measure_rows if row.instrument == instrument.code]
        baseline = next((r for r in rows if r.occasion == MeasureOccasion.BASELINE), None)
        repeats = [r for r in rows if r.occasion != MeasureOccasion.BASELINE]
        comparisons.append(
            MeasureComparison(
                instrument=instrument,
                baseline=baseline,
                latest=repeats[-1] if repeats else None,
                history=rows,
            )
        )
    return comparisons


@dataclass
class CaseFile:
    case: Referral
    timeline: list[TimelineEntry]
    conversations: list[WhatMattersConversation]
    goals: list[Goal]
    plan_actions: list[PlanAction]
    reviews: list[Review]
    measures: list[MeasureComparison]
    service_referrals: list[ServiceReferral] = field(default_factory=list)

    @property
    def next_review(self) -> Review | None:
        return next((r for r in self.reviews if r.status == ReviewStatus.SCHEDULED), None)

    @property
    def active_goals(self) -> list[Goal]:
        return [goal for goal in self.goals if goal.status == GoalStatus.ACTIVE]


def case_file(case: Referral) -> CaseFile:
    """Everything on the case page in a fixed number of queries, however long the case.

    The onward referrals are read once and handed to the goals they serve (as
    `goal.onward_referrals`) and to the plan actions that are them, instead of being joined
    again for each.
    """
    service_referrals = service_referrals_of_case(case)
    onward = {service_referral.pk: service_referral for service_referral in service_referrals}
    goals = list(
        Goal.objects.filter(referral=case).prefetch_related(
            Prefetch("progress", queryset=GoalProgress.objects.order_by("recorded_at", "id"))
        )
    )
    served: dict[int, list[ServiceReferral]] = {goal.pk: [] for goal in goals}
    for goal_id, service_referral_id in Goal.service_referrals.through.objects.filter(
        goal__referral=case
    ).values_list("goal_id", "servicereferral_id"):
        served[goal_id].append(onward[service_referral_id])
    for goal in goals:
        goal.onward_referrals = sorted(served[goal.pk], key=lambda sr: (sr.sent_at, sr.pk))
    goals_by_id = {goal.pk: goal for goal in goals}
    plan_actions = list(PlanAction.objects.filter(referral=case))
    for action in plan_actions:
        action.goal = goals_by_id[action.goal_id]
        if action.service_referral_id is not None:
            action.service_referral = onward[action.service_referral_id]
    return CaseFile(
        case=case,
        timeline=case_timeline(case),
        conversations=list(WhatMattersConversation.objects.filter(referral=case)),
        goals=goals,
        plan_actions=plan_actions,
        reviews=list(Review.objects.filter(referral=case).order_by("-scheduled_for", "-id")),
        measures=measure_comparisons(list(WellbeingMeasure.objects.filter(referral=case))),
        service_referrals=service_referrals,
    )


def plan_for_print(case: Referral) -> list[tuple[Goal, list[PlanAction]]]:
    goals = Goal.objects.filter(referral=case).exclude(status=GoalStatus.NO_LONGER_RELEVANT)
    actions = (
        PlanAction.objects.filter(referral=case)
        .select_related("service_referral__service")
        .prefetch_related("service_referral__service__locations__opening_times")
    )
    by_goal: dict[int, list[PlanAction]] = {}
    for action in actions:
        if action.current_status != "cancelled":
            by_goal.setdefault(action.goal_id, []).append(action)
    return [(goal, by_goal.get(goal.pk, [])) for goal in goals]
