from typing import Any

from django import forms

from accounts.models import Organisation, OrganisationKind
from common.forms import NHSForm
from common.input_limits import (
    NOTE_MAX_LENGTH,
    validate_event_date,
)
from common.nhs_dates import NHSDateField

from .models import (
    ContactMethod,
    ContactOutcome,
    DeclineReason,
    ReferralSource,
    ReferralStatus,
    ServiceDeclineReason,
)
from .nhs_number import normalise, validate_nhs_number


class FindPatientForm(NHSForm):
    nhs_number = forms.CharField(
        label="NHS number",
        max_length=14,
        help_text="10 digits, for example 999 123 4567. Spaces are fine.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_nhs_number(self):
        number = normalise(self.cleaned_data["nhs_number"])
        validate_nhs_number(number)
        return number


def _textarea(rows: int = 3):
    return forms.Textarea(attrs={"rows": rows})


class PatientSearchForm(NHSForm):
    q = forms.CharField(
        label="Search for a patient",
        max_length=200,
        required=False,
        help_text="Name, NHS number, referral reference (SP-…), date of birth (for example "
        "15/3/1948) or postcode. Words can be combined: smith 15/3/1948.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class OurReferralsFilterForm(NHSForm):
    """Search and filters on 'Our referrals' (GET): every field optional."""

    q = forms.CharField(
        label="Search by name, NHS number or reference",
        max_length=100,
        required=False,
        help_text="For example Smith, 999 123 4567 or SP-2026-000123.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *ReferralStatus.choices], required=False
    )
    received_from = NHSDateField(label="Received on or after", required=False)
    received_to = NHSDateField(label="Received on or before", required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", "Received on or before must be on or after the start.")
        return data


class TriageFilterForm(NHSForm):
    source = forms.ChoiceField(
        label="Referral source",
        choices=[("", "All sources"), *ReferralSource.choices],
        required=False,
    )


class DetailsDifferenceForm(NHSForm):
    """The receiving team's decision on a referral whose details differ from the record."""

    KEEP, SELECTED, ALL = "keep", "selected", "all"

    decision = forms.ChoiceField(
        label="What should happen to the patient's record?",
        choices=[
            (KEEP, "Keep our record as it is"),
            (SELECTED, "Copy the ticked details from the referral into our record"),
            (ALL, "Copy all of the referral's details into our record"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what should happen to the patient's record."},
    )
    fields_to_copy = forms.MultipleChoiceField(
        label="Details to copy from the referral",
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, differences, **kwargs):
        super().__init__(*args, **kwargs)
        self.differing = [difference.field for difference in differences]
        self.fields["fields_to_copy"].choices = [
            (
                difference.field,
                f"{difference.label}: {difference.on_referral_shown} "
                f"(our record: {difference.on_record_shown})",
            )
            for difference in differences
        ]

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.SELECTED and not data.get("fields_to_copy"):
            self.add_error("fields_to_copy", "Tick the details to copy into the record.")
        return data

    def accepted_fields(self) -> list[str]:
        decision = self.cleaned_data["decision"]
        if decision == self.ALL:
            return list(self.differing)
        if decision == self.SELECTED:
            return list(self.cleaned_data["fields_to_copy"])
        return []


class RegisteredPracticeForm(NHSForm):
    practice = forms.ModelChoiceField(
        label="Registered practice",
        queryset=Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE).order_by("name"),
        empty_label=None,
        help_text="Only change this when the patient has moved to another GP practice.",
    )


class AcceptForm(NHSForm):
    assign_to: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label="Assign to", queryset=None, widget=forms.RadioSelect, empty_label=None
    )
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label="Note (optional)", widget=_textarea(2), required=False
    )

    def __init__(self, *args, colleagues, me, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assign_to"].queryset = colleagues
        self.fields["assign_to"].initial = me.pk
        self.fields["assign_to"].label_from_instance = lambda user: (
            f"Me ({user.display_name})" if user.pk == me.pk else user.display_name
        )


class DeclineForm(NHSForm):
    reason = forms.ChoiceField(
        label="Why is the referral declined?",
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label="Note for the referrer",
        widget=_textarea(),
        required=False,
    )


class FirstContactForm(NHSForm):
    contacted_on = NHSDateField(
        validators=[validate_event_date],
        label="Date of first contact",
        help_text="For example, 3 2 2026",
    )
    method = forms.ChoiceField(
        label="How was the patient contacted?",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label="Note (optional)", widget=_textarea(), required=False
    )


class UnableToContactForm(NHSForm):
    """The closure cites the attempts recorded one by one: nothing to count here."""

    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label="Note (optional)", widget=_textarea(), required=False
    )


class ContactAttemptForm(NHSForm):
    attempted_on = NHSDateField(
        validators=[validate_event_date],
        label="Date of the attempt",
        help_text="For example, 3 2 2026",
    )
    method = forms.ChoiceField(
        label="How did you try to contact the person?",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        label="What happened?", choices=ContactOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label="Note (optional)", widget=_textarea(2), required=False
    )


class ConfirmIdentityForm(NHSForm):
    checked = forms.BooleanField(
        label="I have spoken to the person and checked their name, date of birth and address",
        error_messages={"required": "Confirm that you have checked who the person is."},
    )
    nhs_number = forms.CharField(
        label="NHS number (if known)",
        max_length=14,
        required=False,
        help_text="If a patient we know has this NHS number, the referral moves to their record.",
    )

    def clean_nhs_number(self):
        number = normalise(self.cleaned_data["nhs_number"])
        if number:
            validate_nhs_number(number)
        return number


class PatientDeclinedForm(NHSForm):
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label="Note (optional)", widget=_textarea(), required=False
    )


class ConsentToShareForm(NHSForm):
    consent_to_share = forms.BooleanField(
        label="The patient consents to their details being shared with community services",
        required=False,
        help_text="Untick to record that the patient has withdrawn their consent.",
    )


class ServiceDeclineForm(NHSForm):
    reason = forms.ChoiceField(
        label="Why can you not take the referral?",
        choices=ServiceDeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why you cannot take the referral."},
    )
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label="Anything to add", widget=_textarea(2), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == ServiceDeclineReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", "Say why you cannot take the referral.")
        return data


class ServiceReferralNoteForm(NHSForm):
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label="Note (optional)", widget=_textarea(2), required=False
    )


class AddInformationForm(NHSForm):
    text = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label="What should the team know?",
        help_text="For example a new phone number, or a change in the patient's circumstances. "
        "The team sees this on the referral.",
        widget=_textarea(4),
        error_messages={"required": "Enter the information to add to the referral."},
    )
