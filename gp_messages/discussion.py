"""Reads for the practice's multidisciplinary meeting: which practices a user can hold the
meeting's list for, and the cases to discuss: its patients' open cases flagged by the
coordinator, with a review overdue, or with a wellbeing score worse than at baseline."""

from django.db.models import (
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
)
from django.db.models.functions import Now

from accounts.models import Organisation, User
from coordinators.models import MeasureOccasion, WellbeingMeasure
from referrals.models import Referral, TeamCoverage
from referrals.selectors import practice_ids_of, team_ids_of

from .models import DiscussionFlag, PracticeReview


class DiscussReason(TextChoices):
    FLAGGED = "flagged", "Flagged by the coordinator"
    OVERDUE = "overdue", "Review overdue"
    WORSENING = "worsening", "Wellbeing worse than at baseline"


def practices_for_discussion(user: User) -> list[Organisation]:
    """The referrer's own practice(s); for a coordinator team, the practices it covers."""
    return list(
        Organisation.objects.filter(
            Q(pk__in=practice_ids_of(user))
            | Q(
                pk__in=TeamCoverage.objects.filter(team_id__in=team_ids_of(user)).values(
                    "practice_id"
                )
            )
        ).order_by("name", "id")
    )


def _worse_than_baseline() -> Exists:
    """A scored measure (SWEMWBS' metric score: higher is better) whose latest reading is below
    its baseline. ONS4 has no overall score, so it does not count here."""
    scored = WellbeingMeasure.objects.filter(metric_score__isnull=False)
    baseline = scored.filter(
        referral=OuterRef("referral"),
        instrument=OuterRef("instrument"),
        occasion=MeasureOccasion.BASELINE,
    ).values("metric_score")[:1]
    later = scored.filter(referral=OuterRef("referral"), instrument=OuterRef("instrument")).filter(
        Q(taken_on__gt=OuterRef("taken_on"))
        | Q(taken_on=OuterRef("taken_on"), id__gt=OuterRef("id"))
    )
    return Exists(
        scored.filter(referral=OuterRef("pk"))
        .exclude(occasion=MeasureOccasion.BASELINE)
        .annotate(baseline=Subquery(baseline))
        .filter(metric_score__lt=F("baseline"))
        .exclude(Exists(later))
    )


def cases_to_discuss(user: User, practice_id: int, reason: str = "") -> QuerySet[Referral]:
    """The practice sees all its patients' open cases; a coordinator team, its own of them.
    One query: each row carries why it is listed and when the practice last reviewed it."""
    cases = Referral.objects.open_cases().filter(referring_practice_id=practice_id)
    if practice_id not in practice_ids_of(user):
        cases = cases.filter(team_id__in=team_ids_of(user))
    open_flag = DiscussionFlag.objects.filter(referral=OuterRef("pk"), discussed_in=None)
    last_review = PracticeReview.objects.filter(referral=OuterRef("pk")).order_by("-held_on")
    cases = cases.annotate(
        flag_reason=Subquery(open_flag.values("reason")[:1]),
        is_flagged=Exists(open_flag),
        review_overdue=Q(next_review_at__lt=Now()),
        worsening=_worse_than_baseline(),
        last_practice_review=Subquery(last_review.values("held_on")[:1]),
    )
    wanted = {
        DiscussReason.FLAGGED: Q(is_flagged=True),
        DiscussReason.OVERDUE: Q(review_overdue=True),
        DiscussReason.WORSENING: Q(worsening=True),
    }
    condition = wanted.get(reason)  # type: ignore[call-overload]
    if condition is None:
        condition = wanted[DiscussReason.FLAGGED] | wanted[DiscussReason.OVERDUE]
        condition |= wanted[DiscussReason.WORSENING]
    return (
        cases.filter(condition)
        .select_related("patient", "patient_details", "assigned_to", "team")
        .order_by("-is_flagged", F("next_review_at").asc(nulls_last=True), "id")
    )
