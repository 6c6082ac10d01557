"""Scheduling, moving, cancelling, missing and recording reviews."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.models import TEAM_ROLES
from accounts.permissions import role_required

from .. import selectors, services
from ..forms import NoteForm, RecordReviewForm, ScheduleReviewForm
from ..models import Goal, Review, ReviewAction, ReviewStatus
from .shared import _form_page, _open_case


def _when_and_how(data) -> dict:
    """The schedule form's answers, as scheduling and rescheduling take them."""
    return {key: data[key] for key in ("scheduled_for", "mode", "with_whom")}


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def review_schedule(request, reference):
    case = _open_case(request, reference)
    form = ScheduleReviewForm(request.POST or None)
    return _form_page(
        request,
        case,
        form,
        lambda data: services.schedule_review(case=case, by=request.user, **_when_and_how(data)),
        heading="Schedule a review",
        button="Schedule review",
        done="Review scheduled.",
        what="review",
    )


def _scheduled_review(case, review_id) -> Review:
    return get_object_or_404(Review, pk=review_id, referral=case)


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def review_reschedule(request, reference, review_id):
    case = _open_case(request, reference)
    review = _scheduled_review(case, review_id)
    local = timezone.localtime(review.scheduled_for)
    form = ScheduleReviewForm(
        request.POST or None,
        initial={"day": local.date(), "time": local.strftime("%H:%M"), "mode": review.mode,
                 "with_whom": review.with_whom},
    )  # fmt: skip
    return _form_page(
        request,
        case,
        form,
        lambda data: services.reschedule_review(
            review=review, by=request.user, **_when_and_how(data)
        ),
        heading="Reschedule the review",
        button="Save new time",
        done="Review rescheduled.",
        what="review",
    )


# A scheduled review ended with a note: the service call, heading, button and message of each.
REVIEW_ENDINGS = {
    ReviewAction.CANCEL: (
        lambda review, by, note: services.cancel_review(review=review, by=by, reason=note),
        "Cancel the review",
        "Cancel review",
        "Review cancelled.",
    ),
    ReviewAction.MISSED: (
        lambda review, by, note: services.mark_review_missed(review=review, by=by, note=note),
        "The patient missed the review",
        "Mark as missed",
        "Review marked as missed. Schedule another when you can.",
    ),
}


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def review_end(request, reference, review_id, action):
    """Cancel or mark missed: the action comes from the URL's entry."""
    case = _open_case(request, reference)
    review = _scheduled_review(case, review_id)
    change, heading, button, done = REVIEW_ENDINGS[action]
    return _form_page(
        request,
        case,
        NoteForm(request.POST or None),
        lambda data: change(review, request.user, data["note"]),
        heading=heading,
        button=button,
        done=done,
        what="review",
    )


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def review_record(request, reference, review_id):
    case = _open_case(request, reference)
    review = _scheduled_review(case, review_id)
    if review.status != ReviewStatus.SCHEDULED or not case.is_open_case:
        messages.error(request, "This review cannot be recorded: the case or review is not open.")
        return redirect("coordinators:case", reference=case.reference)
    instruments = selectors.measures_chosen_for(case)
    form = RecordReviewForm(
        request.POST or None,
        goals=Goal.objects.active().filter(referral=case),
        default_next=selectors.default_next_review_at(review),
        instruments=instruments,
    )

    def run(data):
        services.record_review(
            review=review,
            by=request.user,
            notes=data["notes"],
            ratings=[services.GoalRating(g, r, n) for g, r, n in data["ratings"]],
            continue_case=data["continue_case"],
            measure=data["measure"],
            next_review_at=data["next_review_at"],
            next_mode=data.get("next_mode") or None,
            held_at=data["held_at"],
        )

    return _form_page(
        request,
        case,
        form,
        run,
        heading="Record the review",
        button="Save the review",
        done="Review recorded.",
        extra={"copyright_lines": [i.copyright for i in instruments]},
        what="review",
    )
