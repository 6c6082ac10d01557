import datetime
import re

from django import forms
from django.utils import timezone

from common.forms import NHSForm, NHSModelForm
from common.input_limits import NOTE_MAX_LENGTH
from common.nhs_dates import NHSDateField

from .geography import BadPostcode, normalise_postcode
from .models import (
    Capacity,
    DeliveryMode,
    Location,
    Postcode,
    Provider,
    ScheduleFrequency,
    Service,
    ServiceSchedule,
    VettingDecision,
    VettingReview,
    Weekday,
)
from .need_domains import NeedDomain
from .schedules import DAY_CODES, DAY_NAMES, WEEK_OF_MONTH, byday_parts, validate_byday
from .selectors import postcode_centre, postcode_directory_loaded
from .services import LOCATION_FIELDS, SERVICE_FIELDS

_DAYS = {day.label.lower(): day.value for day in Weekday}
_OPENING_LINE = re.compile(
    r"^(?P<day>[a-z]+)\s+(?P<opens>\d{1,2}:\d{2})\s*(?:-|–|to)\s*(?P<closes>\d{1,2}:\d{2})$",
    re.IGNORECASE,
)


class ProviderForm(NHSModelForm):
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Provider
        fields = [
            "name",
            "description",
            "charity_number",
            "company_number",
            "website",
            "email",
            "phone",
            "organisation",
        ]


class ServiceForm(NHSModelForm):
    need_domains = forms.MultipleChoiceField(
        choices=NeedDomain.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose every need this service helps with.",
        error_messages={"required": "Choose at least one need domain."},
    )
    delivery_modes = forms.MultipleChoiceField(
        choices=DeliveryMode.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose how the service is delivered."},
    )
    capacity = forms.ChoiceField(choices=Capacity.choices, widget=forms.RadioSelect)
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Service
        fields = ["provider", *SERVICE_FIELDS]
        labels = {
            "minimum_age": "Minimum age",
            "maximum_age": "Maximum age",
            "eligibility_criteria": "Who is eligible",
            "is_free": "The service is free",
            "fees_description": "Fees",
            "expected_wait_weeks": "Expected wait in weeks",
        }
        help_texts = {"fees_description": "Leave empty if the service is free."}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "eligibility_criteria": forms.Textarea(attrs={"rows": 3}),
            "fees_description": forms.Textarea(attrs={"rows": 2}),
            "how_to_access": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].empty_label = "Select a provider"
        if self.instance.pk:
            self.initial.setdefault("need_domains", self.instance.need_domain_codes)
            self.initial.setdefault("delivery_modes", self.instance.delivery_modes)

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("minimum_age"), cleaned.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error("maximum_age", "Maximum age must be the same as or above minimum age.")
        if cleaned.get("is_free") is False and not cleaned.get("fees_description"):
            self.add_error("fees_description", "Describe the fees, or tick that it is free.")
        if (
            cleaned.get("capacity") == Capacity.WAITING_LIST
            and cleaned.get("expected_wait_weeks") is None
        ):
            self.add_error("expected_wait_weeks", "Enter the expected wait for the waiting list.")
        return cleaned

    def content(self) -> dict:
        """Keyword arguments for create_service/update_service."""
        data = self.cleaned_data
        return {
            "fields": {name: data[name] for name in SERVICE_FIELDS},
            "need_domains": data["need_domains"],
            "delivery_modes": data["delivery_modes"],
        }


class LocationForm(NHSModelForm):
    opening_times = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, for example: Tuesday 10:00-12:00",
    )

    class Meta:
        model = Location
        # The place on the map comes from the postcode (the postcode lookup), never typed.
        fields = [name for name in LOCATION_FIELDS if name not in ("latitude", "longitude")]
        labels = {"name": "Venue name"}
        help_texts = {
            "postcode": "Searches by distance find the location from its postcode.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["opening_times"] = "\n".join(
                f"{slot.get_weekday_display()} {slot.opens_at:%H:%M}-{slot.closes_at:%H:%M}"
                for slot in self.instance.opening_times.all()
            )

    def clean_opening_times(self) -> list[dict]:
        slots = []
        for line in self.cleaned_data["opening_times"].splitlines():
            line = line.strip()
            if not line:
                continue
            match = _OPENING_LINE.match(line)
            if not match or match["day"].lower() not in _DAYS:
                raise forms.ValidationError(
                    f"“{line}” is not like Tuesday 10:00-12:00: a day of the week and two times."
                )
            try:
                opens = datetime.time.fromisoformat(match["opens"].zfill(5))
                closes = datetime.time.fromisoformat(match["closes"].zfill(5))
            except ValueError:
                raise forms.ValidationError(f"“{line}” has a time that does not exist.") from None
            if opens >= closes:
                raise forms.ValidationError(f"“{line}” closes before it opens.")
            slots.append(
                {"weekday": _DAYS[match["day"].lower()], "opens_at": opens, "closes_at": closes}
            )
        return slots

    # Set when the postcode is saved with no place because no postcode lookup is loaded.
    unplaced_postcode = ""
    _centre: Postcode | None = None

    def clean_postcode(self) -> str:
        raw = self.cleaned_data["postcode"]
        try:
            postcode = normalise_postcode(raw)
        except BadPostcode:
            raise forms.ValidationError("Enter a UK postcode, such as LS1 4AP.") from None
        self._centre = postcode_centre(postcode)
        kept = bool(self.instance.pk) and self.instance.postcode == postcode
        if self._centre is None and not kept:
            # A loaded lookup that lacks it: most likely a typing slip, so refuse it. With no
            # lookup at all (a fresh install) it is saved unplaced, and the view says so.
            if postcode_directory_loaded():
                raise forms.ValidationError(
                    f"We could not find postcode {postcode}. Check it and enter it again"
                )
            self.unplaced_postcode = postcode
        return postcode

    def location_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        data = {name: "" if value is None else value for name, value in data.items()}
        data.update(self._coordinates(str(data["postcode"])))
        if self.instance.pk:
            data["public_id"] = self.instance.public_id
        data["opening_times"] = self.cleaned_data["opening_times"]
        return data

    def _coordinates(self, postcode: str) -> dict:
        """The postcode's centre from the lookup; one it does not have keeps what the location
        had if unchanged, else no place (not found by distance: see clean_postcode)."""
        centre = self._centre or postcode_centre(postcode)
        if centre is not None:
            return {"latitude": centre.latitude, "longitude": centre.longitude}
        if self.instance.pk and self.instance.postcode == postcode:
            return {"latitude": self.instance.latitude, "longitude": self.instance.longitude}
        return {"latitude": None, "longitude": None}


# A new location or session has nothing to delete: only saved ones get the "Delete" box.
LocationFormSet = forms.inlineformset_factory(
    Service,
    Location,
    form=LocationForm,
    extra=1,
    can_delete=True,
    can_delete_extra=False,
    min_num=0,
)


class ScheduleForm(NHSModelForm):
    """One session time, asked in words (days, how often, which week) and kept as the HSDS
    schedule's RRULE parts."""

    days = forms.MultipleChoiceField(
        label="Days",
        choices=[(code, DAY_NAMES[code]) for code in DAY_CODES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the day or days the session runs."},
    )
    week_of_month = forms.TypedChoiceField(
        label="Week of the month",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", "Every week"),
            *((str(n), f"The {name}") for n, name in WEEK_OF_MONTH.items()),
        ],
        help_text="Only for a monthly session, for example the first Wednesday.",
    )
    valid_from = NHSDateField(
        label="First date (optional)", required=False, help_text="For example, 5 1 2027"
    )
    valid_to = NHSDateField(
        label="Last date (optional)", required=False, help_text="For example, 16 7 2027"
    )
    freq = forms.ChoiceField(
        label="How often",
        choices=ScheduleFrequency.choices,
        initial=ScheduleFrequency.WEEKLY,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = ServiceSchedule
        fields = [
            "freq",
            "interval",
            "opens_at",
            "closes_at",
            "valid_from",
            "valid_to",
            "description",
        ]
        labels = {
            "interval": "Every how many weeks or months",
            "description": "Notes (optional)",
        }
        help_texts = {
            "interval": "1 for every week or month, 2 for every other (fortnightly).",
            "opens_at": "For example, 10:00",
            "closes_at": "For example, 12:30",
            "description": "For example, term time only.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            parts = byday_parts(self.instance.byday)
            self.initial["days"] = [day for _, day in parts]
            self.initial["week_of_month"] = next((week for week, _ in parts if week), None)

    def clean(self):
        cleaned = super().clean()
        days, week = cleaned.get("days"), cleaned.get("week_of_month")
        if week and cleaned.get("freq") != ScheduleFrequency.MONTHLY:
            self.add_error("week_of_month", "Choose monthly to run in one week of the month.")
        elif days:
            byday = ",".join(f"{week or ''}{day}" for day in DAY_CODES if day in days)
            try:
                validate_byday(freq=cleaned.get("freq") or "WEEKLY", byday=byday)
            except forms.ValidationError as exc:
                self.add_error("days", exc.message_dict["byday"])
            else:
                self.instance.byday = byday
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and opens >= closes:
            self.add_error("closes_at", "The session must end after it starts.")
        first, last = cleaned.get("valid_from"), cleaned.get("valid_to")
        if first and last and first > last:
            self.add_error("valid_to", "The last date must be on or after the first date.")
        return cleaned

    def schedule_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        data["byday"] = self.instance.byday
        data["description"] = data["description"] or ""
        if self.instance.pk:
            data["public_id"] = self.instance.public_id
        return data


ScheduleFormSet = forms.inlineformset_factory(
    Service,
    ServiceSchedule,
    form=ScheduleForm,
    extra=1,
    can_delete=True,
    can_delete_extra=False,
    min_num=0,
)


class ReviewForm(NHSModelForm):
    decision = forms.ChoiceField(choices=VettingDecision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when rejecting: the provider will be told.",
    )

    class Meta:
        model = VettingReview
        fields = [
            *VettingReview.CHECKLIST,
            "insurance_expires_on",
            "vetted_until",
            "notes",
        ]
        labels = {
            "insurance_expires_on": "Insurance expiry date",
            "vetted_until": "Vetted until",
        }
        help_texts = {
            "insurance_expires_on": "For example, 31/3/2027",
            "vetted_until": "Leave empty for 12 months (never past the insurance expiry).",
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == VettingDecision.REJECTED and not cleaned.get("reason"):
            self.add_error("reason", "Give a reason for rejecting the service.")
        if cleaned.get("decision") == VettingDecision.APPROVED:
            expiry = cleaned.get("insurance_expires_on")
            if expiry is None:
                self.add_error("insurance_expires_on", "Enter the insurance expiry date.")
            elif expiry <= timezone.localdate():
                self.add_error("insurance_expires_on", "The insurance must not have expired.")
            for name in VettingReview.CHECKLIST:
                if not cleaned.get(name):
                    self.add_error(name, "Confirm this check before approving.")
        return cleaned

    def checklist(self) -> dict[str, bool]:
        return {name: bool(self.cleaned_data.get(name)) for name in VettingReview.CHECKLIST}


class RenewalForm(ReviewForm):
    """Renewal is an approval again: the same checklist and dates, no decision to choose."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["decision"], self.fields["reason"]

    def clean(self):
        self.cleaned_data["decision"] = VettingDecision.APPROVED
        return super().clean()


class ReasonForm(NHSForm):
    reason = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason."},
    )


class ListingForm(NHSModelForm):
    """What the provider keeps current itself (community_services.services.provider_listing)."""

    class Meta:
        model = Service
        fields = ["capacity", "expected_wait_weeks", "contact_name", "email", "phone"]
        widgets = {"capacity": forms.RadioSelect}
        labels = {
            "capacity": "Is the service taking referrals?",
            "expected_wait_weeks": "Expected wait, in weeks",
            "contact_name": "Who receives referrals",
            "email": "Email address for referrals",
            "phone": "Phone number for referrals",
        }
        help_texts = {
            "expected_wait_weeks": "Only if there is a waiting list. For example, 6",
            "contact_name": "A name or a role, for example: Volunteer coordinator",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capacity"].choices = Capacity.choices
