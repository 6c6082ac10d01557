"""Review reminders, run by beat through `accounts.services.run_sweep`."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Reminder, Role
from accounts.services import ReminderRequest, create_reminders_in_chunks, user_recipient
from accounts.working_days import add_working_days
from referrals.models import OPEN_CASE_STATUSES, Referral
from referrals.services import patient_recipient

from ..models import Review, ReviewMode, ReviewStatus

# How the review will happen, in the patient's words.
_MODE_FOR_PATIENT = {
    ReviewMode.IN_PERSON: "in person",
    ReviewMode.PHONE: "by phone: we will call you",
    ReviewMode.VIDEO: "by video call: we will send you the details",
}


def plain_time(moment: datetime.datetime) -> str:
    """NHS style: 10am, 2:30pm, midday."""
    local = timezone.localtime(moment)
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def review_occurrence(review: Review) -> str:
    """The scheduled time is the occurrence: a rescheduled review is reminded afresh, a re-run
    of the sweep is not."""
    return review.scheduled_for.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%MZ")


def _review_context(review: Review) -> dict:
    local = timezone.localtime(review.scheduled_for)
    return {
        "referral_reference": review.referral.reference,
        "team_name": review.referral.team.name,
        "when_display": f"{local:%A %-d %B %Y} at {plain_time(local)}",
        "mode_display": review.get_mode_display().lower(),
        "mode_for_patient": _MODE_FOR_PATIENT[review.mode],
        "in_person": review.mode == ReviewMode.IN_PERSON,
    }


def _review_reminder(*, kind: str, review: Review, recipients, link: str = "") -> ReminderRequest:
    case = review.referral
    return ReminderRequest(
        kind=kind,
        target_type="review",
        target_id=review.pk,
        occurrence=review_occurrence(review),
        recipients=recipients,
        context=_review_context(review),
        link=link,
        team=case.team,
        patient_id=case.patient_id,
    )


def _case_coordinator(case: Referral) -> list:
    user = case.assigned_to
    return [user_recipient(user)] if user is not None and user.is_active else []


def sweep_review_due(now: datetime.datetime) -> list[Reminder]:
    """Scheduled reviews coming up: the coordinator REVIEW_DUE_COORDINATOR_HOURS (24) before,
    the patient REVIEW_DUE_PATIENT_HOURS (48) before on the channels they consented to."""
    coordinator_from = now + datetime.timedelta(hours=settings.REVIEW_DUE_COORDINATOR_HOURS)
    patient_from = now + datetime.timedelta(hours=settings.REVIEW_DUE_PATIENT_HOURS)
    reviews = (
        Review.objects.filter(
            status=ReviewStatus.SCHEDULED,
            scheduled_for__gt=now,
            scheduled_for__lte=max(coordinator_from, patient_from),
            referral__status__in=OPEN_CASE_STATUSES,
        )
        .select_related("referral__assigned_to", "referral__patient", "referral__team")
        .order_by("scheduled_for", "pk")
    )

    def requests(chunk: list[Review]):
        for review in chunk:
            case = review.referral
            if review.scheduled_for <= coordinator_from:
                yield _review_reminder(
                    kind="review_due",
                    review=review,
                    recipients=_case_coordinator(case),
                    link=reverse("coordinators:case", args=[case.reference]),
                )
            if review.scheduled_for <= patient_from:
                yield _review_reminder(
                    kind="review_due_patient",
                    review=review,
                    recipients=[patient_recipient(case.patient)],
                )

    return create_reminders_in_chunks(targets=reviews, build=requests)


def review_overdue_since(review: Review, working_days: int) -> datetime.datetime:
    return add_working_days(timezone.localtime(review.scheduled_for), working_days)


def sweep_review_overdue(now: datetime.datetime) -> list[Reminder]:
    """Reviews past their time and still not recorded: REVIEW_OVERDUE_WORKING_DAYS (2) working
    days after → the coordinator; REVIEW_OVERDUE_ESCALATION_WORKING_DAYS (5) → the team's
    managers. Once each per scheduled time."""
    first = settings.REVIEW_OVERDUE_WORKING_DAYS
    escalate = settings.REVIEW_OVERDUE_ESCALATION_WORKING_DAYS
    # n working days are at least n calendar days: the database narrows, Python decides.
    reviews = [
        review
        for review in Review.objects.filter(
            status=ReviewStatus.SCHEDULED,
            scheduled_for__lte=now - datetime.timedelta(days=min(first, escalate)),
            referral__status__in=OPEN_CASE_STATUSES,
        )
        .select_related("referral__assigned_to", "referral__team")
        .order_by("scheduled_for", "pk")
        if review_overdue_since(review, min(first, escalate)) <= now
    ]
    managers: dict[int, list] = {}
    for membership in (
        Membership.objects.filter(
            organisation_id__in={review.referral.team_id for review in reviews},
            role=Role.MANAGER,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user_id")
    ):
        managers.setdefault(membership.organisation_id, []).append(user_recipient(membership.user))

    def requests(chunk: list[Review]):
        for review in chunk:
            case = review.referral
            link = reverse("coordinators:case", args=[case.reference])
            if review_overdue_since(review, first) <= now:
                yield _review_reminder(
                    kind="review_overdue",
                    review=review,
                    recipients=_case_coordinator(case),
                    link=link,
                )
            if review_overdue_since(review, escalate) <= now:
                yield _review_reminder(
                    kind="review_overdue_escalation",
                    review=review,
                    recipients=managers.get(case.team_id, []),
                    link=link,
                )

    return create_reminders_in_chunks(targets=reviews, build=requests)
