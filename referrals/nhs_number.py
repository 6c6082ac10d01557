"""NHS numbers: ten digits, the last a modulus-11 check digit. The one place that knows the rule.

What we accept, and why:

- Only the ASCII digits 0-9. Python's ``str.isdigit`` and ``int`` also accept other scripts'
  digits (Arabic-Indic, full-width, Devanagari...), which would let one number be typed in
  several ways that look different and match nothing, or match after a later conversion.
- Separators people type are removed first: ASCII spaces and hyphens only (``normalise``).
  Anything else (tabs, thin spaces, dashes) makes the number invalid rather than being guessed at.
- The tenth digit is the modulus-11 check digit of the first nine (weights 10 down to 2; a
  remainder giving 11 is 0, one giving 10 means no valid number exists).
- Numbers the NHS never issues are refused even when their check digit works out: ten identical
  digits (0000000000, 1111111111, ... 9999999999), which are what people type as placeholders.
  We do not refuse by issuing range: the 999 test range must keep working, and Scottish (CHI)
  and Northern Irish numbers share the format.

Every form, serializer and lookup calls ``normalise`` then ``validate_nhs_number`` (or
``is_valid``), so what is stored and matched is always the 10 ASCII digits.
"""

import re

from django.core.exceptions import ValidationError

_SEPARATORS = re.compile(r"[ -]")
_TEN_ASCII_DIGITS = re.compile(r"[0-9]{10}")
_WEIGHTS = range(10, 1, -1)  # 10, 9, ..., 2 for the first nine digits

INVALID_MESSAGE = "Enter a valid NHS number (10 digits, like 999 123 4567)."
CHECK_DIGIT_MESSAGE = "This is not a valid NHS number: the check digit does not match."
NEVER_ISSUED_MESSAGE = "This is not a valid NHS number: numbers like it are never issued."


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


def _problem(number: str) -> ValidationError | None:
    if not _TEN_ASCII_DIGITS.fullmatch(number):
        return ValidationError(INVALID_MESSAGE, code="invalid_nhs_number")
    if len(set(number)) == 1:
        return ValidationError(NEVER_ISSUED_MESSAGE, code="invalid_nhs_number_never_issued")
    if check_digit(number[:9]) != int(number[9]):
        return ValidationError(CHECK_DIGIT_MESSAGE, code="invalid_nhs_number_check_digit")
    return None


def is_valid(value: str) -> bool:
    return _problem(normalise(value)) is None


def validate_nhs_number(value: str) -> None:
    """Django validator: a clear message for the wrong shape, a bad check digit, a placeholder."""
    problem = _problem(normalise(value))
    if problem is not None:
        raise problem


def formatted(value: str) -> str:
    """3-3-4 grouping, the way NHS numbers are shown to people."""
    number = normalise(value)
    if not _TEN_ASCII_DIGITS.fullmatch(number):
        return value
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def synthetic_numbers(start: int = 999_000_000):
    """Valid NHS numbers from the 999 000 0000 – 999 999 9999 test range, for demo and test data."""
    for prefix in range(start, 1_000_000_000):
        first_nine = f"{prefix:09d}"
        digit = check_digit(first_nine)
        if digit is not None and len(set(f"{first_nine}{digit}")) > 1:
            yield f"{first_nine}{digit}"
