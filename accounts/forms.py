"""Forms of the accounts pages."""

from typing import cast

from django import forms
from django.utils.text import capfirst

from common.forms import NHSForm


def _label_of(value: str) -> str:
    return capfirst(value.replace("_", " "))


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(NHSForm):
    """The audit page's filters: people search by what they know (an NHS number or a
    referral reference, lists of actions and record types, dates), not by internal ids."""

    patient = forms.CharField(
        label="NHS number or referral reference",
        required=False,
        max_length=40,
        help_text="For example, 999 123 4567 or SP-ABCD2345",
    )
    action = forms.ChoiceField(label="Action", required=False)
    object_type = forms.ChoiceField(label="Record type", required=False)
    actor = forms.CharField(label="User email contains", required=False, max_length=254)
    occurred_from = forms.DateField(label="From", required=False, widget=DateInput)
    occurred_to = forms.DateField(label="To", required=False, widget=DateInput)
    patient_id = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)

    def __init__(self, *args, actions: list[str], object_types: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for name, anything, values in (
            ("action", "Any action", actions),
            ("object_type", "Any record type", object_types),
        ):
            field = cast(forms.ChoiceField, self.fields[name])
            field.choices = [("", anything)] + [(value, _label_of(value)) for value in values]

    def clean_patient_id(self) -> str:
        value = self.cleaned_data["patient_id"].strip()
        if value and not value.isdigit():
            raise forms.ValidationError("Enter the patient id as a number.")
        return value

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("occurred_from"), cleaned.get("occurred_to")
        if start and end and end < start:
            self.add_error("occurred_to", "The 'To' date must be the same as or after 'From'.")
        return cleaned
