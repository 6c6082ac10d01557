"""The self-referral page's form: plain words, one question at a time where it matters."""

from typing import cast

from django import forms

from accounts.models import Organisation
from common.forms import NHSForm
from common.input_limits import ADDRESS_MAX_LENGTH, NARRATIVE_MAX_LENGTH, NOTE_MAX_LENGTH
from common.nhs_dates import NHSDateField
from community_services.need_domains import NeedDomain

from .models import ContactMethod, ReferralSource
from .nhs_number import normalise, validate_nhs_number
from .public_form_guard import HONEYPOT_FIELD

NOT_LISTED = "not-listed"
PRACTICE_NOT_COVERED = (
    "We can only take referrals for people registered with one of the GP practices listed. "
    "If yours is not listed, ask your GP practice about social prescribing in your area."
)

PERSON_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "nhs_number",
    "address",
    "postcode",
    "phone",
    "email",
    "preferred_contact_method",
    "interpreter_needed",
    "language",
    "accessible_formats",
    "consent_to_referral",
    "consent_to_share",
    "consent_to_sms",
    "consent_to_email",
)
REFERRAL_FIELDS = (
    "source",
    "referrer_name",
    "referrer_relationship",
    "referrer_contact",
    "reasons",
    "help_wanted",
    "access_needs",
)


def _textarea(rows: int = 3):
    return forms.Textarea(attrs={"rows": rows})


class PracticeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class SelfReferralForm(NHSForm):
    """Who is asking (the public only), about whom, what would help, and agreement. Signed-in
    community and council workers are not asked who they are: their organisation says."""

    source = forms.ChoiceField(
        label="Who is filling in this form?",
        choices=[
            (ReferralSource.SELF, "I am asking for help for myself"),
            (
                ReferralSource.FAMILY_OR_CARER,
                "I am a family member, carer or friend asking for someone else, and they agree",
            ),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you are asking for yourself or someone else."},
    )
    referrer_name = forms.CharField(
        label="Your name",
        max_length=100,
        required=False,
        help_text="Only if you are asking for someone else.",
    )
    referrer_relationship = forms.CharField(
        label="How do you know the person?",
        max_length=100,
        required=False,
        help_text="For example daughter, neighbour, carer.",
    )
    referrer_contact = forms.CharField(
        label="Your phone number or email address",
        max_length=200,
        required=False,
        help_text="So we can reach you if we cannot reach them.",
    )
    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100)
    date_of_birth = NHSDateField(label="Date of birth", help_text="For example, 15 3 1948")
    practice = forms.ChoiceField(
        label="GP practice",
        help_text="The GP surgery the person is registered with.",
        error_messages={"required": "Choose the GP practice the person is registered with."},
    )
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        max_length=14,
        required=False,
        help_text="10 digits, for example 999 123 4567. Leave it blank if you do not know it.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label="Address (optional)",
        max_length=ADDRESS_MAX_LENGTH,
        required=False,
        widget=_textarea(3),
    )
    postcode = forms.CharField(label="Postcode", max_length=10)
    phone = forms.CharField(label="Phone number", max_length=30, required=False)
    email = forms.EmailField(label="Email address", required=False)
    preferred_contact_method = forms.ChoiceField(
        label="How would the person like us to get in touch?",
        choices=ContactMethod.choices,
        initial=ContactMethod.PHONE,
        widget=forms.RadioSelect,
    )
    interpreter_needed = forms.BooleanField(label="They need an interpreter", required=False)
    language = forms.CharField(label="Which language?", max_length=60, required=False)
    accessible_formats = forms.CharField(
        label="Any other needs for how we talk or write to them (optional)",
        max_length=200,
        required=False,
        help_text="For example large print, easy read, British Sign Language.",
    )
    reasons = forms.MultipleChoiceField(
        label="What would they like help with?",
        help_text="Select all that apply.",
        choices=NeedDomain.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one thing they would like help with."},
    )
    help_wanted = forms.CharField(
        label="In your own words, what would help?",
        max_length=NARRATIVE_MAX_LENGTH,
        widget=_textarea(5),
        error_messages={"required": "Tell us in your own words what would help."},
    )
    access_needs = forms.CharField(
        label="Anything that makes getting out or taking part difficult (optional)",
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=_textarea(2),
    )
    consent_to_referral = forms.BooleanField(
        label="The person agrees to be referred to a social prescribing link worker, who will "
        "contact them",
        error_messages={"required": "The person must agree to be referred."},
    )
    consent_to_share = forms.BooleanField(
        label="The person agrees their details can be shared with community services they choose",
        required=False,
    )
    consent_to_sms = forms.BooleanField(label="We may send them text messages", required=False)
    consent_to_email = forms.BooleanField(label="We may email them", required=False)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args, signed_in_source: str | None = None, signed_in_name: str = "", **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.signed_in_source = signed_in_source
        self.signed_in_name = signed_in_name
        practices = Organisation.objects.filter(coverage__isnull=False).order_by("name")
        self.practices = {str(p.pk): p for p in practices}
        cast(forms.ChoiceField, self.fields["practice"]).choices = [
            ("", "Choose a practice"),
            *((pk, p.name) for pk, p in self.practices.items()),
            (NOT_LISTED, "My practice is not listed"),
        ]
        if signed_in_source:
            del self.fields["source"]
            self.fields["referrer_name"].help_text = ""
            self.fields["referrer_relationship"].label = "Your role or team"
            self.fields["referrer_relationship"].help_text = ""
        # The honeypot: a text box people never see (hidden by CSS, skipped by keyboard and
        # screen readers); a bot that fills every field fills it in.
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            label="Leave this box empty",
            required=False,
            max_length=200,
            widget=forms.TextInput(
                attrs={"tabindex": "-1", "autocomplete": "off", "class": "app-honeypot"}
            ),
        )

    def clean_practice(self):
        value = self.cleaned_data["practice"]
        if value == NOT_LISTED:
            raise forms.ValidationError(PRACTICE_NOT_COVERED)
        practice = self.practices.get(value)
        if practice is None:
            raise forms.ValidationError("Choose the GP practice the person is registered with.")
        return practice

    def clean_nhs_number(self):
        number = normalise(self.cleaned_data["nhs_number"])
        if number:
            validate_nhs_number(number)
        return number

    def clean(self):
        data = super().clean()
        if self.signed_in_source and not data.get("referrer_name", "").strip():
            data["referrer_name"] = self.signed_in_name  # who is signed in, unless they say
        referring_for_someone = self.signed_in_source or (
            data.get("source") == ReferralSource.FAMILY_OR_CARER
        )
        if referring_for_someone and not data.get("referrer_name", "").strip():
            self.add_error("referrer_name", "Give your name, as you are asking for someone else.")
        if not (data.get("phone") or data.get("email") or data.get("address")):
            self.add_error(
                "phone", "Give a phone number, an email address or an address so we can reply."
            )
        if data.get("interpreter_needed") and not data.get("language", "").strip():
            self.add_error("language", "Say which language the interpreter is for.")
        return data

    def person_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in PERSON_FIELDS}

    def referral_data(self) -> dict:
        data = {
            name: self.cleaned_data[name] for name in REFERRAL_FIELDS if name in self.cleaned_data
        }
        data["reasons"] = sorted(data["reasons"])
        if self.signed_in_source:
            data["source"] = self.signed_in_source
        return data

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD))
