"""What the service accepts as free text and as dates, named once for every app.

Text: each kind has a maximum that models (max_length plus a validator, so full_clean enforces
it), forms and serializers share. Names, codes and single lines are CharFields with their own
max_length already.

Dates: a date of birth is not in the future and at most DATE_OF_BIRTH_MAX_AGE_YEARS ago; an
event of casework or vetting (a contact, a conversation, a measure, a review, a target or due
date, an insurance expiry) lies within EVENT_WINDOW_YEARS of today, either way. Business rules
narrow these further (a review is in the future, a measure is not).
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone

# A postal address, all its lines.
ADDRESS_MAX_LENGTH = 500
# A note: a reason, a status note, a need, a goal, a plan action, a criterion.
NOTE_MAX_LENGTH = 2_000
# A long narrative: what the patient wants help with, their own words, review notes.
NARRATIVE_MAX_LENGTH = 10_000

DATE_OF_BIRTH_MAX_AGE_YEARS = 125
EVENT_WINDOW_YEARS = 10


def bounded_text(limit: int) -> dict[str, Any]:
    """Keyword arguments for a TextField: max_length (ModelForms and ModelSerializers pick it
    up) and the validator that makes full_clean enforce it (TextField adds none)."""
    return {"max_length": limit, "validators": [MaxLengthValidator(limit)]}


def _years_from(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def event_window(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    today = today or timezone.localdate()
    return _years_from(today, -EVENT_WINDOW_YEARS), _years_from(today, EVENT_WINDOW_YEARS)


def validate_date_of_birth(value: datetime.date, *, today: datetime.date | None = None) -> None:
    """`today` once for a whole file of dates (finding it is most of the cost)."""
    today = today or timezone.localdate()
    if value > today:
        raise ValidationError("Date of birth must be in the past.", code="future_date_of_birth")
    if value < _years_from(today, -DATE_OF_BIRTH_MAX_AGE_YEARS):
        raise ValidationError(
            f"Date of birth must be within the last {DATE_OF_BIRTH_MAX_AGE_YEARS} years.",
            code="implausible_date_of_birth",
        )


def validate_event_date(value: datetime.date | datetime.datetime) -> None:
    """A date (or the local date of a time) of casework or vetting, within the event window."""
    earliest, latest = event_window()
    if isinstance(value, datetime.datetime):
        try:
            value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        except OverflowError:  # the very edge of the calendar: far outside any window
            value = datetime.date.max
    if not earliest <= value <= latest:
        raise ValidationError(
            f"Enter a date between {earliest:%-d %B %Y} and {latest:%-d %B %Y} "
            f"(within {EVENT_WINDOW_YEARS} years of today).",
            code="date_out_of_window",
        )


def check_event_dates(**dates: datetime.date | datetime.datetime | None) -> None:
    """For services: every given date within the window, or one ValidationError naming each
    field that is not."""
    errors = {}
    for field, value in dates.items():
        if value is None:
            continue
        try:
            validate_event_date(value)
        except ValidationError as exc:
            errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)
