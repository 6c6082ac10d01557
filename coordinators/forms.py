"""Casework forms. They check the shape of input; the services decide what is allowed."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from common.forms import NHSForm
from common.input_limits import NARRATIVE_MAX_LENGTH, NOTE_MAX_LENGTH, validate_event_date
from common.nhs_dates import NHSDateField
from community_services.need_domains import NeedDomain
from referrals.models import ClosureOutcome

from .measure_forms import OptionalMeasureMixin
from .models import (
    ActionOwner,
    GoalPriority,
    GoalStatus,
    PlanActionStatus,
    ReviewMode,
    WhatMattersConversation,
)
from .services import FINAL_GOAL_STATUSES


def _textarea(rows: int = 3):
    return forms.Textarea(attrs={"rows": rows})


def _time_field(label: str, required: bool = True) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        help_text="24-hour clock, for example 14:30",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-5"}),
        error_messages={"invalid": "Enter a time such as 14:30."},
    )


def _aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


class ConversationForm(NHSForm):
    held_on = NHSDateField(
        validators=[validate_event_date],
        label="Date of the conversation",
        help_text="For example, 3 2 2026",
    )
    what_matters = forms.CharField(
        max_length=NARRATIVE_MAX_LENGTH,
        label=WhatMattersConversation.PROMPTS["what_matters"],
        help_text="In the patient's own words.",
        widget=_textarea(4),
        error_messages={"required": "Write down what matters to the patient."},
    )
    what_is_hard = forms.CharField(
        max_length=NARRATIVE_MAX_LENGTH,
        label=WhatMattersConversation.PROMPTS["what_is_hard"],
        widget=_textarea(),
        required=False,
    )
    enjoys_and_good_at = forms.CharField(
        max_length=NARRATIVE_MAX_LENGTH,
        label=WhatMattersConversation.PROMPTS["enjoys_and_good_at"],
        widget=_textarea(),
        required=False,
    )
    who_is_there = forms.CharField(
        max_length=NARRATIVE_MAX_LENGTH,
        label=WhatMattersConversation.PROMPTS["who_is_there"],
        widget=_textarea(),
        required=False,
    )
    three_months = forms.CharField(
        max_length=NARRATIVE_MAX_LENGTH,
        label=WhatMattersConversation.PROMPTS["three_months"],
        widget=_textarea(),
        required=False,
    )


class GoalForm(NHSForm):
    statement = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label="The goal, in the patient's own words",
        widget=_textarea(),
        error_messages={"required": "Write the goal in the patient's own words."},
    )
    need_domain = forms.ChoiceField(
        label="Which need is it about?",
        choices=[("", "Choose a need")] + list(NeedDomain.choices),
        error_messages={"required": "Choose the need this goal is about."},
    )
    priority = forms.ChoiceField(
        label="Priority",
        choices=GoalPriority.choices,
        initial=GoalPriority.MEDIUM,
        widget=forms.RadioSelect,
    )
    target_date = NHSDateField(
        validators=[validate_event_date],
        label="Target date (optional)",
        help_text="For example, 1 6 2026",
        required=False,
    )


class GoalStatusForm(NHSForm):
    status = forms.ChoiceField(
        label="Where is this goal now?", choices=GoalStatus.choices, widget=forms.RadioSelect
    )


class ScheduleReviewForm(NHSForm):
    day = NHSDateField(
        validators=[validate_event_date],
        label="Date of the review",
        help_text="For example, 14 3 2026",
    )
    time = _time_field("Time")
    mode = forms.ChoiceField(
        label="How will it happen?", choices=ReviewMode.choices, widget=forms.RadioSelect
    )
    with_whom = forms.CharField(
        label="With whom (optional)",
        max_length=200,
        required=False,
        help_text="Anyone joining besides the patient, for example their daughter.",
    )

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("time"):
            data["scheduled_for"] = _aware(data["day"], data["time"])
            if data["scheduled_for"] <= timezone.now():
                self.add_error("day", "The review must be in the future.")
        return data


class NoteForm(NHSForm):
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label="Note (optional)", widget=_textarea(2), required=False
    )


class RecordReviewForm(OptionalMeasureMixin, NHSForm):
    held_on = NHSDateField(
        validators=[validate_event_date],
        label="Date the review happened",
        help_text="For example, 14 3 2026",
        error_messages={"required": "Enter the date the review happened."},
    )
    held_time = _time_field("Time the review happened")
    notes = forms.CharField(
        max_length=NARRATIVE_MAX_LENGTH,
        label="Notes from the review",
        widget=_textarea(4),
        error_messages={"required": "Write a few notes about the review."},
    )

    def __init__(self, *args, goals, default_next, instruments=None, **kwargs):
        super().__init__(*args, **kwargs)
        now = timezone.localtime()
        self.fields["held_on"].initial = now.date()
        self.fields["held_time"].initial = now.strftime("%H:%M")
        self.fields["held_time"].error_messages["required"] = "Enter the time the review happened."
        self.goals = list(goals)
        for goal in self.goals:
            self.fields[f"goal_{goal.pk}"] = forms.TypedChoiceField(
                label=f"Progress on “{goal.statement}”",
                choices=[("", "Not rated this time")] + [(str(n), str(n)) for n in range(11)],
                coerce=int,
                empty_value=None,
                required=False,
                help_text="0 = no progress, 10 = goal fully reached",
            )
            self.fields[f"goal_{goal.pk}_note"] = forms.CharField(
                max_length=NOTE_MAX_LENGTH,
                label="Note on this goal (optional)",
                widget=_textarea(2),
                required=False,
            )
        self.add_optional_measure("Take a wellbeing measure at this review?", instruments)
        self.fields["continue_case"] = forms.TypedChoiceField(
            label="Will the support continue?",
            choices=[("yes", "Yes, schedule the next review"), ("no", "No, the case can close")],
            coerce=lambda value: value == "yes",
            widget=forms.RadioSelect,
            error_messages={"required": "Say whether the support continues."},
        )
        local = timezone.localtime(default_next)
        self.fields["next_day"] = NHSDateField(
            validators=[validate_event_date],
            label="Date of the next review",
            required=False,
            help_text=f"Leave blank for {local:%-d %B %Y} ({local:%H:%M}).",
        )
        self.fields["next_time"] = _time_field("Time of the next review", required=False)
        self.fields["next_mode"] = forms.ChoiceField(
            label="How will the next review happen?",
            choices=[("", "The same way as this one"), *ReviewMode.choices],
            required=False,
        )

    def clean(self):
        data = super().clean()
        if data.get("held_on") and data.get("held_time"):
            data["held_at"] = _aware(data["held_on"], data["held_time"])
            if data["held_at"] > timezone.now():
                late = "held_time" if data["held_on"] == timezone.localdate() else "held_on"
                self.add_error(
                    late, "The review cannot have happened in the future: enter when it happened."
                )
        data["ratings"] = [
            (goal.pk, data[f"goal_{goal.pk}"], data.get(f"goal_{goal.pk}_note", ""))
            for goal in self.goals
            if data.get(f"goal_{goal.pk}") is not None
        ]
        data["measure"] = self.optional_measure()
        data["next_review_at"] = None
        if data.get("continue_case") and data.get("next_day"):
            data["next_review_at"] = _aware(
                data["next_day"], data.get("next_time") or datetime.time(10)
            )
        return data


class PlanActionForm(NHSForm):
    goal: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label="Which goal is it for?",
        queryset=None,
        empty_label="Choose a goal",
        error_messages={"required": "Choose the goal this action is for."},
    )
    description = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label="What will happen",
        widget=_textarea(),
        help_text="In plain words the patient would use.",
        error_messages={"required": "Say what will happen."},
    )
    owner = forms.ChoiceField(
        label="Who does it?", choices=ActionOwner.choices, widget=forms.RadioSelect
    )
    owner_detail = forms.CharField(
        label="Who, in a few words (optional)",
        max_length=200,
        required=False,
        help_text="For example the name of the community service or the person.",
    )
    due_date = NHSDateField(
        validators=[validate_event_date],
        label="By when (optional)",
        help_text="For example, 1 5 2026",
        required=False,
    )

    def __init__(self, *args, goals, with_status: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals  # type: ignore[attr-defined]
        self.fields["goal"].label_from_instance = lambda goal: goal.statement[:80]  # type: ignore[attr-defined]
        if with_status:
            self.fields["status"] = forms.ChoiceField(
                label="Status", choices=PlanActionStatus.choices, widget=forms.RadioSelect
            )


class ReassignForm(NHSForm):
    to: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label="Give the case to", queryset=None, widget=forms.RadioSelect, empty_label=None
    )
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label="Note (optional)", widget=_textarea(2), required=False
    )

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = colleagues
        self.fields["to"].label_from_instance = lambda user: user.display_name


class CloseCaseForm(OptionalMeasureMixin, NHSForm):
    outcome = forms.ChoiceField(
        label="Outcome", choices=ClosureOutcome.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        final = [(s, GoalStatus(s).label) for s in FINAL_GOAL_STATUSES]
        for goal in self.goals:
            self.fields[f"goal_{goal.pk}"] = forms.ChoiceField(
                label=f"How did “{goal.statement}” go?",
                choices=[("", "Choose")] + final,
                initial=None if goal.is_active else goal.status,
                error_messages={"required": "Say how this goal went."},
            )
        self.add_optional_measure("Closing wellbeing measure")
        self.fields["outcome_reason"] = forms.CharField(
            max_length=NOTE_MAX_LENGTH,
            required=False,
            label="If the outcome does not match how the goals went, say why (optional)",
            help_text="For example “goals met” with a goal only partly achieved.",
            widget=_textarea(3),
        )
        self.fields["summary"] = forms.CharField(
            max_length=NARRATIVE_MAX_LENGTH,
            label="Next steps for the referring practice",
            help_text="Plain language. The rest of the summary (what mattered, the goals as set "
            "above, the support offered, the wellbeing change, your contact details) is drafted "
            "when you close the case.",
            widget=_textarea(5),
            error_messages={"required": "Write the next steps for the referring practice."},
        )

    def clean(self):
        data = super().clean()
        data["goal_statuses"] = {
            goal.pk: data[f"goal_{goal.pk}"] for goal in self.goals if data.get(f"goal_{goal.pk}")
        }
        measure = self.optional_measure()
        data["closing_measures"] = [measure] if measure else []
        return data


class ReferCaseOnForm(NHSForm):
    """The confirm step of referring on: which goals it serves and what the provider needs."""

    goals: "forms.ModelMultipleChoiceField[Any]" = forms.ModelMultipleChoiceField(
        label="Which goals is this referral for?",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one goal this referral is for."},
    )
    provider_needs_to_know = forms.CharField(
        max_length=NARRATIVE_MAX_LENGTH,
        label="What does the provider need to know?",
        help_text="What the patient would like from the service, and anything that helps the "
        "provider welcome them. The provider also sees the patient's name, contact details and "
        "access needs, and your contact details.",
        widget=_textarea(5),
        error_messages={"required": "Say what the provider needs to know about the patient."},
    )
    due_date = NHSDateField(
        validators=[validate_event_date],
        label="When should it have started by? (optional)",
        help_text="The plan action's date, for example 1 5 2026",
        required=False,
    )

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goals"].queryset = goals
        self.fields["goals"].label_from_instance = lambda goal: (
            f"“{goal.statement[:80]}” ({goal.get_need_domain_display()})"
        )
