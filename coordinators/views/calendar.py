"""The team's review calendar (week and month) and each review as a calendar invite."""

import datetime

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import TEAM_ROLES
from accounts.permissions import role_required
from accounts.services import record_audit_event

from .. import selectors, services
from ..models import ReviewStatus
from ..review_invites import review_invite
from .shared import _open_case


def _anchor(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return timezone.localdate()


@role_required(*TEAM_ROLES)
def review_calendar(request):
    view = request.GET.get("view", "week")
    if view not in selectors.CALENDAR_VIEWS:
        view = "week"
    shown = selectors.review_calendar(
        request.user, view=view, anchor=_anchor(request.GET.get("date", ""))
    )
    if shown.reviews:
        services.record_casework_list_viewed(
            by=request.user,
            what=f"review calendar ({view})",
            object_type="review",
            records=shown.reviews,
        )
    else:  # an empty period is a look at the calendar too, like an empty audit search
        record_audit_event(
            actor=request.user,
            action="view_list",
            object_type="review",
            detail=f"review calendar ({view}) from {shown.start:%Y-%m-%d}: none shown",
        )
    return render(
        request,
        "coordinators/review_calendar.html",
        {"calendar": shown, "today": timezone.localdate()},
    )


@role_required(*TEAM_ROLES)
def review_ics(request, reference, review_id):
    case = _open_case(request, reference)
    review = case.reviews.filter(pk=review_id, status=ReviewStatus.SCHEDULED).first()
    if review is None:
        raise Http404("No such scheduled review.")
    review.referral = case
    record_audit_event(
        actor=request.user,
        action="view",
        object_type="review",
        object_id=review.pk,
        patient_id=case.patient_id,
        team_id=case.team_id,
        detail="calendar invite downloaded",
    )
    response = HttpResponse(review_invite(review), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="review-{case.reference}.ics"'
    return response
