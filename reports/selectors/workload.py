"""Workload, for managers: each coordinator's open cases, reviews due and overdue, and cases
waiting for a first contact, as they stand now (the period does not apply); and the review
escalations of the team in one list instead of one notification each."""

import datetime

from django.db.models import Count, Min, Q
from django.utils import timezone

from accounts.models import Membership, Reminder, Role
from coordinators.models import Review, ReviewStatus
from referrals.models import OPEN_CASE_STATUSES, Referral

from ..filters import ReportFilters
from ..tables import LABEL, TEXT, Column, Table

DUE_WITHIN_DAYS = 7


def workload_by_coordinator(*, filters: ReportFilters) -> Table:
    now = timezone.now()
    cases = {
        row["assigned_to"]: row
        for row in Referral.objects.open_cases()
        .filter(team_id__in=filters.team_ids)
        .values("assigned_to")
        .annotate(
            open=Count("pk"),
            waiting=Count("pk", filter=Q(first_contact_at__isnull=True)),
        )
        .order_by()
    }
    reviews = {
        row["referral__assigned_to"]: row
        for row in Review.objects.filter(
            referral__team_id__in=filters.team_ids,
            referral__status__in=OPEN_CASE_STATUSES,
            status=ReviewStatus.SCHEDULED,
        )
        .values("referral__assigned_to")
        .annotate(
            due=Count(
                "pk",
                filter=Q(
                    scheduled_for__gte=now,
                    scheduled_for__lt=now + datetime.timedelta(days=DUE_WITHIN_DAYS),
                ),
            ),
            overdue=Count("pk", filter=Q(scheduled_for__lt=now)),
        )
        .order_by()
    }
    people = {
        m.user_id: m.user.display_name
        for m in Membership.objects.filter(
            organisation_id__in=filters.team_ids, role=Role.COORDINATOR
        ).select_related("user")
    }
    for assigned in set(cases) | set(reviews):
        people.setdefault(assigned, "Not assigned" if assigned is None else f"User {assigned}")
    rows = []
    for user_id, name in sorted(people.items(), key=lambda item: item[1]):
        case, review = cases.get(user_id, {}), reviews.get(user_id, {})
        rows.append(
            [
                name,
                case.get("open", 0),
                review.get("due", 0),
                review.get("overdue", 0),
                case.get("waiting", 0),
            ]
        )
    return Table(
        key="workload",
        title="Workload by coordinator (now)",
        columns=(
            Column("Coordinator", LABEL),
            Column("Open cases"),
            Column(f"Reviews due in {DUE_WITHIN_DAYS} days"),
            Column("Reviews overdue"),
            Column("Waiting for first contact"),
        ),
        rows=rows,
        definition="workload",
        chart="hbar",
        chart_columns=(1, 3, 4),
    )


def review_escalations(*, filters: ReportFilters) -> Table:
    """One row per escalated review (however many managers were told), newest first, with
    whether it is still outstanding."""
    escalated = {
        int(row["target_id"]): row["first"]
        for row in Reminder.objects.filter(
            kind="review_overdue_escalation", team_id__in=filters.team_ids
        )
        .values("target_id")
        .annotate(first=Min("created_at"))
        .order_by()
    }
    reviews = Review.objects.filter(pk__in=escalated).select_related(
        "referral", "referral__assigned_to"
    )
    rows = [
        [
            review.referral.reference,
            f"{timezone.localtime(review.scheduled_for):%d %b %Y %H:%M}",
            f"{timezone.localtime(escalated[review.pk]):%d %b %Y}",
            review.referral.assigned_to.display_name if review.referral.assigned_to else "",
            "Still not recorded"
            if review.status == ReviewStatus.SCHEDULED
            else review.get_status_display(),
        ]
        for review in sorted(reviews, key=lambda r: escalated[r.pk], reverse=True)
    ]
    return Table(
        key="escalations",
        title="Review escalations",
        columns=(
            Column("Case", LABEL),
            Column("Review was due", TEXT),
            Column("Escalated", TEXT),
            Column("Coordinator", TEXT),
            Column("Now", TEXT),
        ),
        rows=rows,
        definition="escalations",
        chart=None,
    )
