import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Organisation, OrganisationKind
from common.input_limits import (
    ADDRESS_MAX_LENGTH,
    NARRATIVE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    validate_date_of_birth,
    validate_event_date,
)
from community_services.need_domains import NeedDomain

from .models import (
    PRACTICE_SOURCES,
    ContactMethod,
    ContactOutcome,
    DeclineReason,
    Patient,
    ReferralSource,
    ServiceDeclineReason,
    Urgency,
)
from .nhs_number import normalise, validate_nhs_number


class NHSDateInput(forms.MultiWidget):
    """The NHS.UK date input: day, month and year boxes."""

    template_name = "forms/widgets/nhs_date_input.html"

    def __init__(self, attrs=None):
        super().__init__(
            widgets={"day": forms.TextInput, "month": forms.TextInput, "year": forms.TextInput},
            attrs=attrs,
        )

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class NHSDateField(forms.Field):
    widget = NHSDateInput
    default_error_messages = {
        "invalid": "Enter a real date, for example 27 3 2007.",
        "incomplete": "Enter a day, month and year.",
    }

    def __init__(self, *, template_name: str = "forms/nhs_date_field.html", **kwargs):
        # Field.__init__ sets template_name on the instance (None unless given), which hid a
        # class attribute: the date rendered as one label, not a fieldset with a legend.
        super().__init__(template_name=template_name, **kwargs)

    def to_python(self, value):
        parts = [str(part or "").strip() for part in (value or ["", "", ""])]
        if not any(parts):
            return None
        if not all(parts):
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        try:
            day, month, year = (int(part) for part in parts)
            return datetime.date(year, month, day)
        except ValueError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc


class FindPatientForm(forms.Form):
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


class ReferralForm(forms.Form):
    """Everything a referrer tells the team. The patient part is kept on the referral (and
    creates the record of a patient the service does not know yet); it never changes a record."""

    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)

    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100)
    date_of_birth = NHSDateField(
        label="Date of birth",
        help_text="For example, 15 3 1984",
        validators=[validate_date_of_birth],
    )
    sex_or_gender = forms.CharField(
        label="Sex or gender (as recorded)", max_length=50, required=False
    )
    address = forms.CharField(
        max_length=ADDRESS_MAX_LENGTH, label="Address", widget=_textarea(), required=False
    )
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    phone = forms.CharField(label="Phone number", max_length=30, required=False)
    email = forms.EmailField(label="Email address", required=False)
    preferred_contact_method = forms.ChoiceField(
        label="How does the patient prefer to be contacted?",
        choices=ContactMethod.choices,
        initial=ContactMethod.PHONE,
        widget=forms.RadioSelect,
    )
    interpreter_needed = forms.BooleanField(label="Needs an interpreter", required=False)
    language = forms.CharField(label="Preferred language", max_length=60, required=False)
    accessible_formats = forms.CharField(
        label="Accessible formats",
        max_length=200,
        required=False,
        help_text="For example large print, easy read, braille, audio.",
    )
    reasons = forms.MultipleChoiceField(
        label="Reasons for referral",
        help_text="Select all that apply.",
        choices=NeedDomain.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one reason for the referral."},
    )
    help_wanted = forms.CharField(
        max_length=NARRATIVE_MAX_LENGTH,
        label="What would the patient like help with?",
        widget=_textarea(4),
        error_messages={"required": "Say what the patient would like help with."},
    )
    urgency = forms.ChoiceField(
        label="Urgency", choices=Urgency.choices, initial=Urgency.ROUTINE, widget=forms.RadioSelect
    )
    source = forms.ChoiceField(
        label="Who is making this referral?",
        choices=[(value, ReferralSource(value).label) for value in PRACTICE_SOURCES],
        initial=ReferralSource.GP,
        widget=forms.RadioSelect,
        required=False,
    )
    risk_flag = forms.BooleanField(label="There is a risk or safeguarding concern", required=False)
    risk_notes = forms.CharField(
        max_length=NARRATIVE_MAX_LENGTH,
        label="Risk and safeguarding notes",
        widget=_textarea(),
        required=False,
    )
    access_needs = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label="Known access needs",
        widget=_textarea(2),
        required=False,
        help_text="For example wheelchair user, hearing loss, needs a home visit.",
    )
    consent_to_referral = forms.BooleanField(
        label="The patient consents to be referred to social prescribing",
        error_messages={"required": "The patient must consent to be referred."},
    )
    consent_to_share = forms.BooleanField(
        label="The patient consents to their details being shared with community services",
        required=False,
    )
    consent_to_sms = forms.BooleanField(
        label="The patient agrees to be contacted by text message", required=False
    )
    consent_to_email = forms.BooleanField(
        label="The patient agrees to be contacted by email", required=False
    )

    # The patient's part of the form: the record's fields and the consents.
    PATIENT_FIELDS = (*Patient.RECORD_FIELDS, *Patient.CONSENTS)

    def clean(self):
        data = super().clean()
        if data.get("risk_flag") and not data.get("risk_notes", "").strip():
            self.add_error("risk_notes", "Describe the risk or safeguarding concern.")
        if data.get("interpreter_needed") and not data.get("language", "").strip():
            self.add_error("language", "Say which language the interpreter is for.")
        return data

    def clean_source(self):
        """The radio starts on GP, so a browser always sends one; a post without it (a page
        from before the question) counts as GP, the model's default."""
        return self.cleaned_data["source"] or ReferralSource.GP

    def patient_data(self, nhs_number: str) -> dict:
        return {"nhs_number": nhs_number} | {
            name: self.cleaned_data[name] for name in self.PATIENT_FIELDS
        }

    def referral_data(self) -> dict:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in self.PATIENT_FIELDS and name != "submission_token"
        } | {"reasons": sorted(self.cleaned_data["reasons"])}


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label="Search for a patient",
        max_length=200,
        required=False,
        help_text="Name, NHS number, referral reference (SP-…), date of birth (for example "
        "15/3/1948) or postcode. Words can be combined: smith 15/3/1948.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class TriageFilterForm(forms.Form):
    source = forms.ChoiceField(
        label="Referral source",
        choices=[("", "All sources"), *ReferralSource.choices],
        required=False,
    )


class DetailsDifferenceForm(forms.Form):
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


class RegisteredPracticeForm(forms.Form):
    practice = forms.ModelChoiceField(
        label="Registered practice",
        queryset=Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE).order_by("name"),
        empty_label=None,
        help_text="Only change this when the patient has moved to another GP practice.",
    )


class AcceptForm(forms.Form):
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


class DeclineForm(forms.Form):
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


class FirstContactForm(forms.Form):
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


class UnableToContactForm(forms.Form):
    """The closure cites the attempts recorded one by one: nothing to count here."""

    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label="Note (optional)", widget=_textarea(), required=False
    )


class ContactAttemptForm(forms.Form):
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


class ConfirmIdentityForm(forms.Form):
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


class PatientDeclinedForm(forms.Form):
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label="Note (optional)", widget=_textarea(), required=False
    )


class ConsentToShareForm(forms.Form):
    consent_to_share = forms.BooleanField(
        label="The patient consents to their details being shared with community services",
        required=False,
        help_text="Untick to record that the patient has withdrawn their consent.",
    )


class ServiceDeclineForm(forms.Form):
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


class ServiceReferralNoteForm(forms.Form):
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label="Note (optional)", widget=_textarea(2), required=False
    )
