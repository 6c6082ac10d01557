"""The rules of a session time (HSDS 3.0 `schedule`, an RFC 5545 recurrence): which `byday`
values a weekly or a monthly schedule may carry, and a reading of it for people."""

import re

from django.core.exceptions import ValidationError

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = dict(zip(DAY_CODES, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                 "Saturday", "Sunday"), strict=True))  # fmt: skip
# Which occurrence in the month (RFC 5545 allows -5..5 without 0; a month has at most five).
WEEK_OF_MONTH = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
_PART = re.compile(r"^(?P<week>-?[1-5])?(?P<day>MO|TU|WE|TH|FR|SA|SU)$")


def byday_parts(byday: str) -> list[tuple[int | None, str]]:
    return [
        (int(m["week"]) if m["week"] else None, m["day"])
        for m in (_PART.match(part.strip()) for part in byday.split(","))
        if m
    ]


def validate_byday(*, freq: str, byday: str) -> None:
    """Comma-separated days; only a monthly schedule may say which week ("2TU", "-1FR")."""
    parts = [part.strip() for part in byday.split(",") if part.strip()]
    if not parts:
        raise ValidationError({"byday": "Choose at least one day."})
    for part in parts:
        match = _PART.match(part)
        if not match:
            raise ValidationError({"byday": f"“{part}” is not a day such as TU or 2TU."})
        if match["week"] and freq != "MONTHLY":
            raise ValidationError(
                {"byday": "Only a monthly schedule can say which week of the month."}
            )
        if match["week"] and int(match["week"]) not in WEEK_OF_MONTH:
            raise ValidationError({"byday": "The week of the month must be 1 to 4, or -1 (last)."})
    if len(set(parts)) != len(parts):
        raise ValidationError({"byday": "A day is given twice."})


def describe(*, freq: str, interval: int, byday: str) -> str:
    """'Every Tuesday', 'Every other Monday and Thursday', 'The first Wednesday of the month'."""
    parts = byday_parts(byday)
    if freq == "MONTHLY":
        days = " and ".join(
            f"the {WEEK_OF_MONTH.get(week or 1, str(week))} {DAY_NAMES[day]}" for week, day in parts
        )
        every = "month" if interval == 1 else f"{interval} months"
        return f"{days[0].upper()}{days[1:]} of every {every}"
    days = " and ".join(DAY_NAMES[day] for _, day in parts)
    if interval == 1:
        return f"Every {days}"
    if interval == 2:
        return f"Every other {days}"
    return f"Every {interval} weeks on {days}"
