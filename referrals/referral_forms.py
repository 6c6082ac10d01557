"""The new-referral form, asked in short steps (patient; contact and needs; risk; consent) and
checked as a whole before sending. Each step is a form of its own; `ReferralForm` is all of
them together, the one the answers are checked against when the referral is sent."""

from dataclasses import dataclass

from django import forms

from common.forms import NHSForm
from common.input_limits import (
    ADDRESS_MAX_LENGTH,
    NARRATIVE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    validate_date_of_birth,
)
from common.nhs_dates import NHSDateField
from community_services.need_domains import NeedDomain

from .models import (
    PRACTICE_SOURCES,
    ContactMethod,
    EthnicCategory,
    Patient,
    ReferralSource,
    Urgency,
)


def _textarea(rows: int = 3):
    return forms.Textarea(attrs={"rows": rows})


class _ReferralStep(NHSForm):
    error_owner = "the patient's "


class PatientStepForm(_ReferralStep):
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
    ethnic_category = forms.ChoiceField(
        label="Ethnic group (optional)",
        help_text="Only if the patient has told you. Choose “Not stated” if they chose not to say.",
        choices=[("", "Not asked"), *EthnicCategory.choices],
        required=False,
    )
    address = forms.CharField(
        max_length=ADDRESS_MAX_LENGTH, label="Address", widget=_textarea(), required=False
    )
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)


class ContactStepForm(_ReferralStep):
    phone = forms.CharField(label="Phone number", max_length=30, required=False)
    email = forms.EmailField(label="Email address", required=False)
    preferred_contact_method = forms.ChoiceField(
        label="How does the patient prefer to be contacted?",
        choices=ContactMethod.choices,
        initial=ContactMethod.PHONE,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the patient prefers to be contacted"},
    )
    interpreter_needed = forms.BooleanField(label="Needs an interpreter", required=False)
    language = forms.CharField(label="Preferred language", max_length=60, required=False)
    accessible_formats = forms.CharField(
        label="Accessible formats",
        max_length=200,
        required=False,
        help_text="For example large print, easy read, braille, audio.",
    )
    access_needs = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label="Known access needs",
        widget=_textarea(2),
        required=False,
        help_text="For example wheelchair user, hearing loss, needs a home visit.",
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
        label="Urgency",
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how urgent the referral is"},
    )
    source = forms.ChoiceField(
        label="Who is making this referral?",
        choices=[(value, ReferralSource(value).label) for value in PRACTICE_SOURCES],
        initial=ReferralSource.GP,
        widget=forms.RadioSelect,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("interpreter_needed") and not data.get("language", "").strip():
            self.add_error("language", "Say which language the interpreter is for.")
        return data

    def clean_source(self):
        """The radio starts on GP, so a browser always sends one; a post without it (a page
        from before the question) counts as GP, the model's default."""
        return self.cleaned_data["source"] or ReferralSource.GP


class RiskStepForm(_ReferralStep):
    risk_flag = forms.BooleanField(label="There is a risk or safeguarding concern", required=False)
    risk_notes = forms.CharField(
        max_length=NARRATIVE_MAX_LENGTH,
        label="Risk and safeguarding notes",
        widget=_textarea(),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("risk_flag") and not data.get("risk_notes", "").strip():
            self.add_error("risk_notes", "Describe the risk or safeguarding concern.")
        if not data.get("risk_flag"):
            data["risk_notes"] = ""  # notes typed and then unticked are not sent
        return data


class ConsentStepForm(_ReferralStep):
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


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type[_ReferralStep]


STEPS = (
    Step("patient", "About the patient", PatientStepForm),
    Step("contact", "Contact and needs", ContactStepForm),
    Step("risk", "Risk and safeguarding", RiskStepForm),
    Step("consent", "Consent", ConsentStepForm),
)
STEP_BY_SLUG = {step.slug: step for step in STEPS}


class ReferralForm(ConsentStepForm, RiskStepForm, ContactStepForm, PatientStepForm):
    """Every step's answers together: what is checked, once more, when the referral is sent.
    The patient part is kept on the referral (and creates the record of a patient the service
    does not know yet); it never changes a record."""

    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)

    # The patient's part of the form: the record's fields, the consents, and (for a patient
    # the service does not know yet) the ethnic category.
    PATIENT_FIELDS = (*Patient.RECORD_FIELDS, *Patient.CONSENTS, "ethnic_category")

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
