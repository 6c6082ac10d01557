from django import forms

from common.forms import NHSForm

from .models import MessageBack
from .services.corrections import MAX_REASON_LENGTH


class CorrectMessageForm(NHSForm):
    """One box per section of the message as sent, one line per line, and why."""

    reason = forms.CharField(
        label="What was wrong in the message sent",
        help_text="The practice sees this with the corrected version.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_REASON_LENGTH,
        error_messages={"required": "Say what was wrong in the message sent."},
    )

    def __init__(self, *args, message: MessageBack, **kwargs):
        super().__init__(*args, **kwargs)
        for section in message.sections:
            # Prefixed: a section's key ("reason" among them) never clashes with the form's own.
            self.fields[f"section_{section['key']}"] = forms.CharField(
                label=section["title"],
                required=False,
                initial="\n".join(section["lines"]),
                widget=forms.Textarea(attrs={"rows": max(2, len(section["lines"]) + 1)}),
            )
        self.section_keys = [section["key"] for section in message.sections]
        self.order_fields([*(f"section_{key}" for key in self.section_keys), "reason"])


class DiscussionFlagForm(NHSForm):
    reason = forms.CharField(
        label="What should the practice discuss",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what the practice should discuss."},
    )


class PracticeReviewForm(NHSForm):
    held_on = forms.DateField(
        label="Date of the meeting",
        help_text="For example, 27 3 2026 or 2026-03-27.",
        input_formats=["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y"],
        error_messages={
            "required": "Enter the date of the meeting.",
            "invalid": "Enter the date of the meeting as a real date, for example 2026-03-27.",
        },
    )
    attendees = forms.CharField(
        label="Who attended",
        max_length=300,
        error_messages={"required": "Say who attended."},
    )
    notes = forms.CharField(
        label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    agreed_actions = forms.CharField(
        label="What was agreed",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what was agreed."},
    )


class CasesToDiscussFilter(NHSForm):
    practice = forms.TypedChoiceField(label="Practice", coerce=int, required=False)
    reason = forms.ChoiceField(label="Why listed", required=False)

    def __init__(self, *args, practices, **kwargs):
        from .discussion import DiscussReason

        super().__init__(*args, **kwargs)
        self.fields["practice"].choices = [(p.pk, p.name) for p in practices]
        self.fields["reason"].choices = [("", "Any reason"), *DiscussReason.choices]
