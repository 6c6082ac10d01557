import itertools

import pytest
from django.core.exceptions import ValidationError

from referrals.nhs_number import (
    check_digit,
    formatted,
    is_valid,
    normalise,
    synthetic_numbers,
    validate_nhs_number,
)


@pytest.mark.parametrize(
    "number",
    ["9434765919", "943 476 5919", "943-476-5919", "9990000018", "4010232137", "9990000026"],
)
def test_known_valid_nhs_numbers_pass_with_or_without_spaces(number):
    assert is_valid(number)
    validate_nhs_number(number)


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("9434765918", "wrong check digit"),
        ("9434765910", "wrong check digit"),
        ("9990000019", "wrong check digit"),
        ("943476591", "nine digits"),
        ("94347659199", "eleven digits"),
        ("94347659A9", "a letter"),
        ("", "empty"),
        ("0000000060", "remainder gives 10: no valid check digit exists"),
    ],
)
def test_known_invalid_nhs_numbers_fail(number, why):
    assert not is_valid(number), why
    with pytest.raises(ValidationError):
        validate_nhs_number(number)


def test_check_digit_uses_weights_ten_to_two_and_maps_eleven_to_zero():
    assert check_digit("943476591") == 9
    # 0*10+...: a sum divisible by 11 gives 11 - 0 = 11, which becomes 0.
    assert check_digit("000000000") == 0
    assert check_digit("000000006") is None


def test_a_bad_check_digit_is_reported_as_such():
    with pytest.raises(ValidationError, match="check digit"):
        validate_nhs_number("9434765918")


def test_synthetic_numbers_are_valid_and_in_the_test_range():
    numbers = list(itertools.islice(synthetic_numbers(), 200))
    assert all(is_valid(n) and 9990000000 <= int(n) <= 9999999999 for n in numbers)
    assert len(set(numbers)) == 200


def test_numbers_are_normalised_and_shown_in_three_three_four_groups():
    assert normalise(" 943 476-5919 ") == "9434765919"
    assert formatted("9434765919") == "943 476 5919"


# --- Only ASCII digits, and never a number the NHS does not issue


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("٩٤٣٤٧٦٥٩١٩", "Arabic-Indic digits: str.isdigit and int accept them"),
        ("９４３４７６５９１９", "full-width digits"),
        ("943 476 ５919", "one full-width digit among ASCII ones"),
        ("९४३४७६५९१९", "Devanagari digits"),
        ("0000000000", "all zeros: the check digit works out, the NHS never issues it"),
        ("1111111111", "all ones: passes the check digit, never issued"),
        ("3333333333", "all identical digits"),
        ("943\u2009476\u20095919", "thin spaces are not separators"),
        ("943\u2013476\u20135919", "an en dash is not a hyphen"),
        ("943\n476\n5919", "newlines are not separators"),
    ],
)
def test_non_ascii_digits_and_numbers_never_issued_are_refused(number, why):
    assert not is_valid(number), why
    with pytest.raises(ValidationError):
        validate_nhs_number(number)


def test_all_identical_digits_would_pass_the_check_digit_alone():
    """Why the rule is needed: the modulus-11 check alone accepts these."""
    assert check_digit("000000000") == 0
    assert check_digit("111111111") == 1


def test_a_number_of_identical_digits_is_reported_as_never_issued():
    with pytest.raises(ValidationError, match="never issued"):
        validate_nhs_number("0000000000")


def test_normalise_removes_only_ascii_spaces_and_hyphens():
    assert normalise(" 943-476 5919 ") == "9434765919"
    assert normalise("943\u2009476\u20095919") == "943\u2009476\u20095919"
