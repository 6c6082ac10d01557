"""Casework on an accepted referral (the "case"): conversation, goals, measures, plan, reviews.

There is no separate case table: the case is a `referrals.Referral` that a team has accepted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from common.input_limits import (
    NARRATIVE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    bounded_text,
    validate_event_date,
)
from common.state_machine import Party, StateMachine, Transition
from community_services.need_domains import NeedDomain
from referrals.models import Referral, ServiceReferral, ServiceReferralStatus

from .measures import INSTRUMENTS

_USER = settings.AUTH_USER_MODEL


class CaseEventKind(models.TextChoices):
    CONVERSATION = "conversation", "What matters conversation"
    GOAL_ADDED = "goal_added", "Goal added"
    GOAL_CHANGED = "goal_changed", "Goal changed"
    GOAL_STATUS = "goal_status", "Goal status"
    MEASURE = "measure", "Wellbeing measure"
    PLAN_ACTION_ADDED = "plan_action_added", "Plan action added"
    PLAN_ACTION_CHANGED = "plan_action_changed", "Plan action changed"
    REVIEW_SCHEDULED = "review_scheduled", "Review scheduled"
    REVIEW_RESCHEDULED = "review_rescheduled", "Review rescheduled"
    REVIEW_CANCELLED = "review_cancelled", "Review cancelled"
    REVIEW_RECORDED = "review_recorded", "Review recorded"
    REVIEW_MISSED = "review_missed", "Review missed"
    REASSIGNED = "reassigned", "Case reassigned"
    CLOSED = "closed", "Case closed"
    DISCUSSION_FLAGGED = "discussion_flagged", "Flagged for the practice meeting"
    PRACTICE_REVIEW = "practice_review", "Reviewed with the practice"


class CaseEvent(models.Model):
    """One row per piece of casework, for the case timeline (status changes are ReferralEvents)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="case_events")
    actor = models.ForeignKey(_USER, null=True, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=30, choices=CaseEventKind.choices)
    summary = models.CharField(max_length=300)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["referral", "occurred_at"], name="case_event_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.referral}: {self.summary}"


class WhatMattersConversation(models.Model):
    """The guided "what matters to me" conversation, in the patient's own words."""

    PROMPTS = {
        "what_matters": "What matters to you?",
        "what_is_hard": "What is hard for you at the moment?",
        "enjoys_and_good_at": "What do you enjoy, and what are you good at?",
        "who_is_there": "Who is there for you?",
        "three_months": "What would you like to be different in three months?",
    }

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="conversations")
    held_on = models.DateField(validators=[validate_event_date])
    what_matters = models.TextField(PROMPTS["what_matters"], **bounded_text(NARRATIVE_MAX_LENGTH))
    what_is_hard = models.TextField(
        PROMPTS["what_is_hard"], blank=True, **bounded_text(NARRATIVE_MAX_LENGTH)
    )
    enjoys_and_good_at = models.TextField(
        PROMPTS["enjoys_and_good_at"], blank=True, **bounded_text(NARRATIVE_MAX_LENGTH)
    )
    who_is_there = models.TextField(
        PROMPTS["who_is_there"], blank=True, **bounded_text(NARRATIVE_MAX_LENGTH)
    )
    three_months = models.TextField(
        PROMPTS["three_months"], blank=True, **bounded_text(NARRATIVE_MAX_LENGTH)
    )
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.referral} conversation on {self.held_on}"

    def answers(self) -> list[tuple[str, str]]:
        return [(prompt, getattr(self, name)) for name, prompt in self.PROMPTS.items()]


class GoalStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    PARTLY_ACHIEVED = "partly_achieved", "Partly achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"
    NO_LONGER_RELEVANT = "no_longer_relevant", "No longer relevant"


class GoalAction(models.TextChoices):
    """What can be done to a goal's status: the names services and tests use."""

    CHANGE = "change", "Change the goal"
    REOPEN = "reopen", "Reopen"
    ACHIEVED = "achieved", "Achieved"
    PARTLY_ACHIEVED = "partly_achieved", "Partly achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"
    NO_LONGER_RELEVANT = "no_longer_relevant", "No longer relevant"


def _goal_status_set(to_state: GoalStatus, event: str = "update") -> Transition[GoalStatus]:
    """Setting a goal's status: from any other status (an end status may be corrected)."""
    others = tuple(status for status in GoalStatus if status != to_state)
    return Transition(others, to_state, (Party.TEAM,), event)


# The goal's machine, one row per action: from-states → to-state, who may, the audit event.
# Every action is the team's, on a case still open; only an active goal's words, need, priority
# or date may change.
GOAL_MACHINE = StateMachine(
    initial=GoalStatus.ACTIVE,
    transitions={
        GoalAction.CHANGE: Transition(
            (GoalStatus.ACTIVE,), GoalStatus.ACTIVE, (Party.TEAM,), "update"
        ),
        GoalAction.REOPEN: _goal_status_set(GoalStatus.ACTIVE),
        GoalAction.ACHIEVED: _goal_status_set(GoalStatus.ACHIEVED),
        GoalAction.PARTLY_ACHIEVED: _goal_status_set(GoalStatus.PARTLY_ACHIEVED),
        GoalAction.NOT_ACHIEVED: _goal_status_set(GoalStatus.NOT_ACHIEVED),
        GoalAction.NO_LONGER_RELEVANT: _goal_status_set(GoalStatus.NO_LONGER_RELEVANT),
    },
)
# The action that sets a goal to each status (pages and the API name the status).
GOAL_STATUS_ACTIONS = {
    transition.to_state: action
    for action, transition in GOAL_MACHINE.transitions.items()
    if action != GoalAction.CHANGE
}


class GoalPriority(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class GoalQuerySet(models.QuerySet["Goal"]):
    def active(self) -> "GoalQuerySet":
        """Goals still being worked on: the ones a plan, an onward referral or a review is for."""
        return self.filter(status=GoalStatus.ACTIVE)


class Goal(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="goals")
    conversation = models.ForeignKey(
        WhatMattersConversation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="goals",
    )
    statement = models.TextField(
        help_text="In the patient's own words.", **bounded_text(NOTE_MAX_LENGTH)
    )
    need_domain = models.CharField(max_length=40, choices=NeedDomain.choices)
    priority = models.CharField(
        max_length=10, choices=GoalPriority.choices, default=GoalPriority.MEDIUM
    )
    target_date = models.DateField(null=True, blank=True, validators=[validate_event_date])
    status = models.CharField(max_length=20, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    status_changed_at = models.DateTimeField(null=True, blank=True)
    service_referrals = models.ManyToManyField(
        ServiceReferral,
        blank=True,
        related_name="goals",
        help_text="Onward referrals to community services that serve this goal.",
    )

    objects = GoalQuerySet.as_manager()
    # Set by the case page's read (coordinators.selectors.case_page), from one query for the case.
    onward_referrals: list[ServiceReferral]

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.statement[:60]

    @property
    def is_active(self) -> bool:
        return self.status == GoalStatus.ACTIVE


class ReviewMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"


class ReviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


class ReviewAction(models.TextChoices):
    """What can be done to a scheduled review: the names services and tests use. Scheduling
    creates a review (the machine's initial state), so it is not a row of the table."""

    RESCHEDULE = "reschedule", "Reschedule"
    CANCEL = "cancel", "Cancel"
    MISSED = "missed", "Mark as missed"
    RECORD = "record", "Record"


def _from_scheduled(to_state: ReviewStatus, event: str) -> Transition[ReviewStatus]:
    return Transition((ReviewStatus.SCHEDULED,), to_state, (Party.TEAM,), event)


# The review's machine, one row per action: from-states → to-state, who may, the audit event.
# Every action is the team's, on a case still open, and only on the one scheduled review.
REVIEW_MACHINE = StateMachine(
    initial=ReviewStatus.SCHEDULED,
    transitions={
        ReviewAction.RESCHEDULE: _from_scheduled(ReviewStatus.SCHEDULED, event="update"),
        ReviewAction.CANCEL: _from_scheduled(ReviewStatus.CANCELLED, event="cancel"),
        ReviewAction.MISSED: _from_scheduled(ReviewStatus.MISSED, event="update"),
        ReviewAction.RECORD: _from_scheduled(ReviewStatus.COMPLETED, event="update"),
    },
)


class Review(models.Model):
    """A follow-up review: scheduled → completed, missed or cancelled. One scheduled at a time."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="reviews")
    scheduled_for = models.DateTimeField(db_index=True, validators=[validate_event_date])
    mode = models.CharField(max_length=10, choices=ReviewMode.choices)
    with_whom = models.CharField(
        max_length=200, blank=True, help_text="Who will be there besides the patient."
    )
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.SCHEDULED
    )
    notes = models.TextField(blank=True, **bounded_text(NARRATIVE_MAX_LENGTH))
    continue_case = models.BooleanField(null=True, blank=True)
    scheduled_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the review really happened, as the coordinator recorded it (it may be "
        "before or after the time it was scheduled for).",
    )

    class Meta:
        ordering = ["scheduled_for", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(status="scheduled"),
                name="review_one_scheduled_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral} review {self.scheduled_for:%Y-%m-%d %H:%M}"


class GoalProgress(models.Model):
    """A 0–10 rating of a goal, with a note, recorded at a review."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="progress")
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="progress"
    )
    rating = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True, **bounded_text(NOTE_MAX_LENGTH))
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name_plural = "goal progress"
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=0, rating__lte=10), name="goal_progress_rating_0_to_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.rating}/10"


class MeasureOccasion(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    REVIEW = "review", "Review"
    CLOSING = "closing", "Closing"


class WellbeingMeasure(models.Model):
    """Answers to one instrument, scored by `coordinators.measures` when recorded."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="measures")
    instrument = models.CharField(
        max_length=20, choices=[(code, i.name) for code, i in INSTRUMENTS.items()]
    )
    occasion = models.CharField(max_length=10, choices=MeasureOccasion.choices)
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="measures"
    )
    answers = models.JSONField()
    raw_total = models.PositiveSmallIntegerField(null=True, blank=True)
    metric_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    bands = models.JSONField(default=dict, blank=True)
    taken_on = models.DateField(validators=[validate_event_date])
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["taken_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "instrument", "occasion"],
                condition=Q(occasion__in=["baseline", "closing"]),
                name="measure_one_baseline_and_closing_per_instrument",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral} {self.instrument} {self.occasion}"

    @property
    def instrument_definition(self):
        return INSTRUMENTS[self.instrument]


class ActionOwner(models.TextChoices):
    PATIENT = "patient", "The patient"
    COORDINATOR = "coordinator", "The coordinator"
    COMMUNITY_SERVICE = "community_service", "A community service"
    OTHER = "other", "Someone else"


class PlanActionStatus(models.TextChoices):
    TO_DO = "to_do", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


# A plan action linked to an onward referral follows the referral: its own status is not used.
ONWARD_REFERRAL_PLAN_STATUS: dict[str, str] = {
    ServiceReferralStatus.SENT: PlanActionStatus.IN_PROGRESS,
    ServiceReferralStatus.ACCEPTED: PlanActionStatus.IN_PROGRESS,
    ServiceReferralStatus.ATTENDED: PlanActionStatus.DONE,
    ServiceReferralStatus.COMPLETED: PlanActionStatus.DONE,
    ServiceReferralStatus.DECLINED: PlanActionStatus.CANCELLED,
    ServiceReferralStatus.DID_NOT_ATTEND: PlanActionStatus.CANCELLED,
    ServiceReferralStatus.WITHDRAWN: PlanActionStatus.CANCELLED,
    ServiceReferralStatus.NO_RESPONSE: PlanActionStatus.CANCELLED,
}


class PlanAction(models.Model):
    """One step of the plan, towards one goal; an onward referral is a step that follows the
    provider's answers."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="plan_actions")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="plan_actions")
    description = models.TextField("what will happen", **bounded_text(NOTE_MAX_LENGTH))
    owner = models.CharField("who does it", max_length=20, choices=ActionOwner.choices)
    owner_detail = models.CharField(
        "who, in a few words",
        max_length=200,
        blank=True,
        help_text="For example the name of the community service or the person.",
    )
    due_date = models.DateField(null=True, blank=True, validators=[validate_event_date])
    status = models.CharField(
        max_length=20, choices=PlanActionStatus.choices, default=PlanActionStatus.TO_DO
    )
    service_referral = models.ForeignKey(
        ServiceReferral,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_actions",
        help_text="The onward referral this action is; its status then comes from the referral.",
    )
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def current_status(self) -> str:
        """The status to show and count: an onward referral's own, mapped, else the stored one.
        Needs `service_referral` loaded (select_related) to stay one query per list."""
        if self.service_referral is None:
            return self.status
        return ONWARD_REFERRAL_PLAN_STATUS[self.service_referral.status]

    @property
    def current_status_display(self) -> str:
        label = PlanActionStatus(self.current_status).label
        if self.service_referral is None:
            return label
        answer = self.service_referral.get_status_display().lower()
        if self.current_status == PlanActionStatus.CANCELLED:
            return f"Needs a new plan (referral {answer})"
        return f"{label} (referral {answer})"

    @property
    def follows_onward_referral(self) -> bool:
        return self.service_referral_id is not None
