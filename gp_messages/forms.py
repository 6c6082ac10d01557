from django import forms

from .models import MessageBack
from .services.corrections import MAX_REASON_LENGTH


class CorrectMessageForm(forms.Form):
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
            self.fields[section["key"]] = forms.CharField(
                label=section["title"],
                required=False,
                initial="\n".join(section["lines"]),
                widget=forms.Textarea(attrs={"rows": max(2, len(section["lines"]) + 1)}),
            )
        self.section_keys = [section["key"] for section in message.sections]
        self.order_fields([*self.section_keys, "reason"])
