"""Working days: Monday to Friday except the England and Wales bank holidays.

The bank holidays come from the `holidays` library (GB, subdivision ENG: England and Wales share
them), never from a hand-written list.
"""

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_bank_holiday(day: datetime.date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(moment: datetime.datetime, days: int) -> datetime.datetime:
    """The same wall-clock time `days` working days later: Friday 10:00 + 2 is Tuesday 10:00,
    and a referral that arrives on a Saturday is due back at that time on the second working day
    after it."""
    local = moment
    day = local.date()
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    result = datetime.datetime.combine(day, local.time())
    if local.tzinfo is not None:
        result = result.replace(tzinfo=local.tzinfo, fold=local.fold)
    return result
