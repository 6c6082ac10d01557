from typing import Any

from django import forms

from accounts.models import Organisation
from common.forms import NHSForm
from common.input_limits import NARRATIVE_MAX_LENGTH, NOTE_MAX_LENGTH, validate_event_date
from common.nhs_dates import NHSDateField
from community_services.need_domains import NeedDomain
from referrals.models import ContactMethod, ContactOutcome

from .models import EfiCategory, OutreachStatus


class UploadForm(NHSForm):
    practice: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label="Practice", queryset=None, empty_label=None, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label="Case-finding list (CSV)",
        help_text="A CSV file with the columns described in the guidance below.",
    )

    def __init__(self, *args, practices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practice"].queryset = Organisation.objects.filter(
            pk__in=[p.pk for p in practices]
        )
        self.fields["practice"].initial = practices[0].pk if practices else None
        self.only_practice = practices[0] if len(practices) == 1 else None
        if self.only_practice:
            self.fields["practice"].widget = forms.HiddenInput()
            self.fields["practice"].required = False

    def clean_practice(self):
        return self.cleaned_data["practice"] or self.only_practice


class WorklistFilterForm(NHSForm):
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Open (not yet ended)"), *OutreachStatus.choices],
        required=False,
    )
    efi_category = forms.ChoiceField(
        label="Frailty (eFI)", choices=[("", "Any"), *EfiCategory.choices], required=False
    )
    practice: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label="Practice", queryset=None, required=False, empty_label="All practices"
    )
    mine = forms.BooleanField(label="Only the people I have taken", required=False)

    def __init__(self, *args, team_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practice"].queryset = Organisation.objects.filter(
            coverage__team_id__in=team_ids
        ).order_by("name")


class OutreachAttemptForm(NHSForm):
    attempted_on = NHSDateField(
        validators=[validate_event_date],
        label="Date of the attempt",
        help_text="For example, 3 2 2026",
    )
    method = forms.ChoiceField(
        label="How?", choices=ContactMethod.choices, widget=forms.RadioSelect
    )
    outcome = forms.ChoiceField(
        label="What happened?", choices=ContactOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label="Note (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class AcceptOutreachForm(NHSForm):
    reasons = forms.MultipleChoiceField(
        label="What would they like help with?",
        choices=NeedDomain.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one thing they would like help with."},
    )
    help_wanted = forms.CharField(
        label="In their words, what would help?",
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent_to_referral = forms.BooleanField(
        label="They agree to be referred to social prescribing",
        error_messages={"required": "They must agree to be referred."},
    )


class DeclineOutreachForm(NHSForm):
    declined_on = NHSDateField(
        validators=[validate_event_date],
        label="Date they declined",
        help_text="For example, 3 2 2026",
    )
