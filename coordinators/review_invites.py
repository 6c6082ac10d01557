"""A scheduled review as a calendar invite (RFC 5545 .ics), made with `icalendar`.

The invite lands in calendars that sync to phones and other services, so it names the case by
its reference only: no patient name, NHS number or notes. The link opens the case, behind the
sign-in."""

import datetime

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event

from .models import Review

REVIEW_LENGTH = datetime.timedelta(minutes=30)


def review_invite(review: Review) -> bytes:
    """One VEVENT whose UID stays the same when the review moves, so importing the new
    invite updates the event rather than adding a second."""
    case_url = settings.SITE_URL + reverse("coordinators:case", args=[review.referral.reference])
    calendar = Calendar()
    calendar.add("prodid", "-//Social prescribing referral service//Reviews//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"review-{review.pk}@{settings.SITE_URL.split('://', 1)[-1]}")
    event.add("dtstamp", datetime.datetime.now(datetime.UTC))
    event.add("dtstart", review.scheduled_for)
    event.add("dtend", review.scheduled_for + REVIEW_LENGTH)
    event.add("summary", f"Social prescribing review {review.referral.reference}")
    event.add("description", f"{review.get_mode_display()} review. Open the case: {case_url}")
    event.add("url", case_url)
    calendar.add_component(event)
    return calendar.to_ical()
