"""The team's review calendar: scheduled reviews of its open cases, by week or by month."""

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from referrals.models import OPEN_CASE_STATUSES
from referrals.selectors import team_ids_of

from ..models import Review, ReviewStatus


@dataclass
class CalendarDay:
    day: datetime.date
    in_period: bool = True
    reviews: list[Review] = field(default_factory=list)


@dataclass
class ReviewCalendar:
    view: str  # "week" or "month"
    anchor: datetime.date  # a day in the period shown
    start: datetime.date  # the first day shown
    end: datetime.date  # the day after the last one shown
    previous: datetime.date
    next: datetime.date
    weeks: list[list[CalendarDay]]

    @property
    def reviews(self) -> list[Review]:
        return [review for week in self.weeks for day in week for review in day.reviews]


def _bounds(
    view: str, anchor: datetime.date
) -> tuple[datetime.date, datetime.date, datetime.date, datetime.date]:
    """(first day, day after the last, the previous period's anchor, the next one's)."""
    if view == "month":
        first = anchor.replace(day=1)
        weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
        last_of_month = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        previous = (first - datetime.timedelta(days=1)).replace(day=1)
        return (
            weeks[0][0],
            weeks[-1][-1] + datetime.timedelta(days=1),
            previous,
            last_of_month + datetime.timedelta(days=1),
        )
    monday = anchor - datetime.timedelta(days=anchor.weekday())
    week = datetime.timedelta(days=7)
    return monday, monday + week, monday - week, monday + week


def team_reviews_between(
    user: User, *, start: datetime.date, end: datetime.date
) -> QuerySet[Review]:
    """Scheduled reviews of the open cases of the user's teams, from `start` up to `end`
    (local days), each with its case, patient and link worker, in one query."""
    zone = timezone.get_current_timezone()
    return (
        Review.objects.filter(
            status=ReviewStatus.SCHEDULED,
            referral__team_id__in=team_ids_of(user),
            referral__status__in=OPEN_CASE_STATUSES,
            scheduled_for__gte=datetime.datetime.combine(start, datetime.time.min, zone),
            scheduled_for__lt=datetime.datetime.combine(end, datetime.time.min, zone),
        )
        .select_related("referral__patient", "referral__assigned_to")
        .order_by("scheduled_for", "id")
    )


def review_calendar(user: User, *, view: str, anchor: datetime.date) -> ReviewCalendar:
    start, end, previous, following = _bounds(view, anchor)
    by_day: dict[datetime.date, list[Review]] = {}
    for review in team_reviews_between(user, start=start, end=end):
        by_day.setdefault(timezone.localdate(review.scheduled_for), []).append(review)
    days = [start + datetime.timedelta(days=n) for n in range((end - start).days)]
    cells = [
        CalendarDay(
            day=day,
            in_period=view == "week" or day.month == anchor.month,
            reviews=by_day.get(day, []),
        )
        for day in days
    ]
    weeks = [cells[i : i + 7] for i in range(0, len(cells), 7)]
    return ReviewCalendar(view, anchor, start, end, previous, following, weeks)
