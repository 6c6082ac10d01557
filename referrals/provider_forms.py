"""The provider's list filters."""

from django import forms

from common.forms import NHSForm

from .models import ServiceReferralStatus


class DateInput(forms.DateInput):
    input_type = "date"


class ProviderReferralFilterForm(NHSForm):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), ("waiting", "Waiting for your answer")]
        + list(ServiceReferralStatus.choices),
    )
    sent_from = forms.DateField(label="Sent from", required=False, widget=DateInput)
    sent_to = forms.DateField(label="Sent to", required=False, widget=DateInput)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("sent_from"), cleaned.get("sent_to")
        if start and end and end < start:
            self.add_error("sent_to", "'Sent to' must be the same as or after 'Sent from'.")
        return cleaned
