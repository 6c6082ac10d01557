"""NHS numbers: ten digits, the last a modulus-11 check digit. The one place that knows the rule."""

import re

from django.core.exceptions import ValidationError

_SEPARATORS = re.compile(r"[\s-]")
_WEIGHTS = range(10, 1, -1)  # 10, 9, ..., 2 for the first nine digits

INVALID_MESSAGE = "Enter a valid NHS number (10 digits, like 999 123 4567)."
CHECK_DIGIT_MESSAGE = "This is not a valid NHS number: the check digit does not match."


def normalise(value: str) -> str:
    """Accept the number with or without spaces (or hyphens), as people type it."""
    return _SEPARATORS.sub("", value or "")


def check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no check digit exists (remainder gives 10)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, _WEIGHTS, strict=True))
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid(value: str) -> bool:
    number = normalise(value)
    if len(number) != 10 or not number.isdigit():
        return False
    return check_digit(number[:9]) == int(number[9])


def validate_nhs_number(value: str) -> None:
    """Django validator: a clear message for the wrong shape and for a bad check digit."""
    number = normalise(value)
    if len(number) != 10 or not number.isdigit():
        raise ValidationError(INVALID_MESSAGE, code="invalid_nhs_number")
    if check_digit(number[:9]) != int(number[9]):
        raise ValidationError(CHECK_DIGIT_MESSAGE, code="invalid_nhs_number_check_digit")


def formatted(value: str) -> str:
    """3-3-4 grouping, the way NHS numbers are shown to people."""
    number = normalise(value)
    if len(number) != 10:
        return value
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def synthetic_numbers(start: int = 999_000_000):
    """Valid NHS numbers from the 999 000 0000 – 999 999 9999 test range, for demo and test data."""
    for prefix in range(start, 1_000_000_000):
        first_nine = f"{prefix:09d}"
        digit = check_digit(first_nine)
        if digit is not None:
            yield f"{first_nine}{digit}"
