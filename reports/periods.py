"""Reporting periods: a month, a quarter, a financial year (1 April to 31 March) or custom dates,
always whole local days. A period is turned into aware datetimes at local midnight, so a
referral received at 00:30 on 1 April (British Summer Time, 23:30 UTC on 31 March) belongs to
April, as the team saw it."""

import datetime
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Period:
    first_day: datetime.date
    last_day: datetime.date  # inclusive
    label: str

    @property
    def start(self) -> datetime.datetime:
        return local_midnight(self.first_day)

    @property
    def end(self) -> datetime.datetime:
        """Exclusive: local midnight after the last day."""
        return local_midnight(self.last_day + datetime.timedelta(days=1))

    def months(self) -> list[datetime.date]:
        """The first day of every month the period touches, in order."""
        months, day = [], self.first_day.replace(day=1)
        while day <= self.last_day:
            months.append(day)
            day = next_month(day)
        return months


def local_midnight(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the service's time zone (GMT or BST as it falls)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def month(first: datetime.date) -> Period:
    first = first.replace(day=1)
    return Period(first, next_month(first) - datetime.timedelta(days=1), f"{first:%B %Y}")


def quarter(year: int, number: int) -> Period:
    """Calendar quarters: Q1 is January to March."""
    first = datetime.date(year, 3 * (number - 1) + 1, 1)
    last = next_month(next_month(next_month(first))) - datetime.timedelta(days=1)
    return Period(first, last, f"{first:%B}–{last:%B %Y} (Q{number} {year})")


def financial_year(start_year: int) -> Period:
    """The NHS financial year starting 1 April of `start_year`."""
    return Period(
        datetime.date(start_year, 4, 1),
        datetime.date(start_year + 1, 3, 31),
        f"Financial year {start_year}/{str(start_year + 1)[-2:]}",
    )


def financial_year_of(day: datetime.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def custom(first: datetime.date, last: datetime.date) -> Period:
    return Period(first, last, f"{first:%-d %B %Y} to {last:%-d %B %Y}")


def last_month(today: datetime.date) -> Period:
    return month(today.replace(day=1) - datetime.timedelta(days=1))
