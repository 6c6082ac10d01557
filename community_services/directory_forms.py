"""The directory search's form (the directory page and refer-on share it): what the filters
mean is `selectors.DirectoryFilters`; this checks the input and finds the postcode's centre."""

from typing import Any

from django import forms

from common.forms import NHSForm

from .geography import BadPostcode, normalise_postcode
from .models import DeliveryMode
from .need_domains import NeedDomain
from .schedules import DAY_CODES, DAY_NAMES
from .selectors import DirectoryFilters, Nearby, postcode_centre

METRES_PER_MILE = 1609.344  # also in templatetags.directory
DISTANCES_MILES = (1, 3, 5, 10, 20)
DEFAULT_MILES = 5


class DirectorySearchForm(NHSForm):
    q = forms.CharField(label="Search", required=False)
    need_domain = forms.ChoiceField(
        label="Need", required=False, choices=[("", "Any need"), *NeedDomain.choices]
    )
    delivery_mode = forms.ChoiceField(
        label="Delivery", required=False, choices=[("", "Any way"), *DeliveryMode.choices]
    )
    age = forms.IntegerField(label="Patient's age", required=False, min_value=0, max_value=150)
    postcode = forms.CharField(
        label="Near postcode",
        required=False,
        max_length=10,
        help_text="Services with a place within the distance, nearest first.",
        error_messages={"max_length": "Enter a UK postcode, such as LS1 4AP."},
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "autocomplete": "off"}),
    )
    within = forms.TypedChoiceField(
        label="Within",
        required=False,
        coerce=int,
        empty_value=None,
        initial=DEFAULT_MILES,
        choices=[(miles, f"{miles} mile{'s' if miles > 1 else ''}") for miles in DISTANCES_MILES],
    )
    day = forms.ChoiceField(
        label="Day of the week",
        required=False,
        choices=[("", "Any day"), *((code, DAY_NAMES[code]) for code in DAY_CODES)],
    )
    time_of_day = forms.ChoiceField(
        label="Time of day",
        required=False,
        choices=[
            ("", "Any time"),
            ("morning", "Morning (before 12 noon)"),
            ("afternoon", "Afternoon (12 noon to 5pm)"),
            ("evening", "Evening (after 5pm)"),
        ],
    )
    free_only = forms.BooleanField(label="Free only", required=False)
    accepting_only = forms.BooleanField(label="Accepting referrals now", required=False)

    def clean_postcode(self) -> Any:
        raw = self.cleaned_data["postcode"].strip()
        if not raw:
            return None
        try:
            postcode = normalise_postcode(raw)
        except BadPostcode:
            raise forms.ValidationError("Enter a UK postcode, such as LS1 4AP.") from None
        centre = postcode_centre(postcode)
        if centre is None:
            raise forms.ValidationError(
                f"We do not know the postcode {postcode}: check it, or search without one."
            )
        return centre

    def filters(self) -> DirectoryFilters:
        """The search the valid input asks for; everything when the input is not valid."""
        if not self.is_valid():
            return DirectoryFilters()
        data = self.cleaned_data
        centre = data["postcode"]
        near = None
        if centre is not None:
            near = Nearby(
                latitude=float(centre.latitude),
                longitude=float(centre.longitude),
                metres=(data["within"] or DEFAULT_MILES) * METRES_PER_MILE,
            )
        return DirectoryFilters(
            text=data["q"],
            need_domain=data["need_domain"],
            delivery_mode=data["delivery_mode"],
            free_only=data["free_only"],
            age=data["age"],
            accepting_only=data["accepting_only"],
            near=near,
            day=data["day"],
            time_of_day=data["time_of_day"],
        )
