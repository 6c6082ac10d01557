"""The NHS.UK date input (day, month and year boxes in a fieldset with a legend), for every
app's forms: a date is never one text box."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


class NHSDateInput(forms.MultiWidget):
    """The NHS.UK date input: day, month and year boxes."""

    template_name = "forms/widgets/nhs_date_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            widgets={"day": forms.TextInput, "month": forms.TextInput, "year": forms.TextInput},
            attrs=attrs,
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class NHSDateField(forms.Field):
    """A date as day, month and year boxes, in a fieldset whose legend is the label."""

    widget = NHSDateInput
    is_date_input = True  # named as a date by common.forms
    default_error_messages = {
        "invalid": "Enter a real date, for example 27 3 2007.",
        "incomplete": "Enter a day, month and year.",
    }

    def to_python(self, value: Any) -> datetime.date | None:
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

    def __init__(self, **kwargs: Any) -> None:
        # Field.__init__ sets template_name from its argument: a class attribute would be lost.
        kwargs.setdefault("template_name", "forms/nhs_date_field.html")
        super().__init__(**kwargs)
