import datetime
import zoneinfo

import pytest

from accounts.working_days import add_working_days, is_bank_holiday, is_working_day

LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, tzinfo=LONDON)


def test_weekends_are_not_working_days():
    assert is_working_day(datetime.date(2026, 3, 6))  # Friday
    assert not is_working_day(datetime.date(2026, 3, 7))
    assert not is_working_day(datetime.date(2026, 3, 8))


@pytest.mark.parametrize(
    "day",
    [
        datetime.date(2026, 4, 3),  # Good Friday
        datetime.date(2026, 4, 6),  # Easter Monday
        datetime.date(2026, 5, 25),  # Spring bank holiday
        datetime.date(2026, 12, 28),  # Boxing Day, observed on the Monday
    ],
)
def test_england_and_wales_bank_holidays_are_not_working_days(day):
    assert is_bank_holiday(day)
    assert not is_working_day(day)


def test_scottish_only_holidays_are_working_days_in_england():
    assert is_working_day(datetime.date(2026, 1, 2))  # 2 January: a holiday in Scotland only
    assert is_working_day(datetime.date(2026, 8, 3))  # Scotland's summer holiday


def test_two_working_days_after_a_friday_is_the_tuesday():
    assert add_working_days(at(2026, 3, 6), 2) == at(2026, 3, 10)


def test_working_days_skip_easter():
    # Thursday before Easter: Good Friday and Easter Monday do not count.
    assert add_working_days(at(2026, 4, 2), 1) == at(2026, 4, 7)
    assert add_working_days(at(2026, 4, 2), 2) == at(2026, 4, 8)


def test_a_saturday_counts_from_the_next_working_day():
    assert add_working_days(at(2026, 3, 7), 1) == at(2026, 3, 9)


def test_the_wall_clock_time_is_kept_across_the_clocks_changing():
    # British Summer Time starts on Sunday 29 March 2026.
    result = add_working_days(at(2026, 3, 27, 9), 1)
    assert result == at(2026, 3, 30, 9)
    assert result.utcoffset() == datetime.timedelta(hours=1)
