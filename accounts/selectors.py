import datetime
from collections.abc import Iterator
from typing import Any, TypeVar

from django.apps import apps
from django.db import connection
from django.db.models import Count, Model, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from .models import (
    AuditEvent,
    JobRun,
    Membership,
    Notification,
    Organisation,
    Reminder,
    ReminderStatus,
    Role,
    User,
)

_Row = TypeVar("_Row", bound=Model)

ROLE_HOME_URL_NAMES: dict[str, str] = {
    Role.REFERRER: "referrals:practice-home",
    Role.COORDINATOR: "coordinators:home",
    Role.MANAGER: "coordinators:team-home",
    Role.VETTER: "community_services:vetter-home",
    Role.PROVIDER: "referrals:provider-home",
    Role.COUNCIL_REFERRER: "referrals:self-referral",
    Role.COMMISSIONER: "reports:home",
}


def home_url_for(user: User) -> str:
    """Where a signed-in user starts: their primary role's home, or the admin for superusers."""
    role = user.role
    if role:
        return reverse(ROLE_HOME_URL_NAMES[role])
    if user.is_superuser:
        return reverse("admin:index")
    return reverse("accounts:no-role")


def _managed_team_ids(user: User) -> list[int]:
    return [m.organisation_id for m in user.cached_memberships if m.role == Role.MANAGER]


def teams_in_patient_scope_of(user: User) -> list[int] | None:
    """Whose part of a patient's record the user may see: the teams they manage (a patient
    referred to two teams has two scoped views), or None for a superuser, who sees all."""
    return None if user.is_superuser else _managed_team_ids(user)


def scoped_to_teams_of(
    queryset: QuerySet[_Row], user: User, *, team_field: str = "team_id"
) -> QuerySet[_Row]:
    """The one scoping rule for patient-level views (subject access, the audit trail and its
    export): rows of the user's own teams' cases only. Every such view filters through here."""
    teams = teams_in_patient_scope_of(user)
    return queryset if teams is None else queryset.filter(**{f"{team_field}__in": teams})


def audit_events_visible_to(user: User) -> QuerySet[AuditEvent]:
    """Superusers: the whole trail. A manager: events about their own teams' cases, whoever
    did them, and what members of those teams did outside any case; never another team's
    events about a patient the two teams share."""
    events = AuditEvent.objects.all()
    teams = teams_in_patient_scope_of(user)
    if teams is None:
        return events
    members = Membership.objects.filter(organisation_id__in=teams).values("user_id")
    return scoped_to_teams_of(events, user) | events.filter(team=None, actor_id__in=members)


def may_export_audit_trail_of(user: User, patient_id: str) -> bool:
    """Subject access: a superuser for any patient id; a manager only for a patient referred
    to a team they manage."""
    if user.is_superuser:
        return True
    referral = apps.get_model("referrals", "Referral")
    referrals: QuerySet[Model] = referral.objects.filter(patient_id=patient_id)
    return scoped_to_teams_of(referrals, user).exists()


def audit_events_for_browsing(
    *,
    user: User,
    action: str = "",
    object_type: str = "",
    actor: str = "",
    patient_id: str = "",
    patient_ids: list[str] | None = None,
    occurred_from: datetime.date | None = None,
    occurred_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """The manager's audit page: newest first, each filter optional; `patient_ids` are the
    patients an NHS number or referral reference named (see patient_ids_for_lookup)."""
    events = audit_events_visible_to(user).order_by("-id")
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if patient_id:
        events = events.filter(patient_id=patient_id)
    if patient_ids is not None:
        events = events.filter(patient_id__in=patient_ids)
    if occurred_from:
        events = events.filter(occurred_at__date__gte=occurred_from)
    if occurred_to:
        events = events.filter(occurred_at__date__lte=occurred_to)
    return events


def patient_ids_for_lookup(text: str) -> list[str]:
    """What a person types to find a patient (an NHS number, spaced or not, or a referral
    reference such as SP-ABCD2345) as the patient ids the trail is keyed on; the page's
    scoping (audit_events_visible_to) still decides which of their events show."""
    compact = "".join(text.split()).upper()
    if compact.isdigit():
        patients: QuerySet[Model] = apps.get_model("referrals", "Patient").objects.filter(
            nhs_number=compact
        )
        return [str(pk) for pk in patients.values_list("pk", flat=True)]
    referrals: QuerySet[Model] = apps.get_model("referrals", "Referral").objects.filter(
        reference=compact
    )
    return [str(pk) for pk in referrals.values_list("patient_id", flat=True).distinct()]


# A loose index scan: each distinct value of an indexed column in one short walk of the
# index, however long the trail (SELECT DISTINCT would read every row).
_DISTINCT_VALUES_SQL = """
WITH RECURSIVE present(value) AS (
    (SELECT {column} FROM accounts_auditevent ORDER BY {column} LIMIT 1)
    UNION ALL
    SELECT (SELECT {column} FROM accounts_auditevent WHERE {column} > present.value
            ORDER BY {column} LIMIT 1)
    FROM present WHERE present.value IS NOT NULL
)
SELECT value FROM present WHERE value IS NOT NULL
"""


def audit_filter_choices() -> dict[str, list[str]]:
    """The actions and record types the trail holds, for the page's lists."""
    choices: dict[str, list[str]] = {}
    columns = ("action", "object_type")
    if connection.vendor != "postgresql":
        # SQLite (`make run`'s small trail) takes no parenthesised part in a UNION: read whole.
        for column in columns:
            values = AuditEvent.objects.order_by(column).values_list(column, flat=True)
            choices[column] = list(values.distinct())
        return choices
    with connection.cursor() as cursor:
        for column in columns:
            cursor.execute(_DISTINCT_VALUES_SQL.format(column=column))
            choices[column] = [row[0] for row in cursor.fetchall()]
    return choices


AUDIT_EXPORT_COLUMNS = (
    "id",
    "occurred_at",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "patient_id",
    "ip_address",
    "request_id",
    "detail",
    "hash",
)


def audit_trail_of_patient(user: User, patient_id: str) -> Iterator[tuple[Any, ...]]:
    """The events about one patient the user may see, oldest first, as value tuples streamed
    in chunks."""
    return (
        audit_events_visible_to(user)
        .filter(patient_id=patient_id)
        .order_by("id")
        .values_list(*AUDIT_EXPORT_COLUMNS)
        .iterator(chunk_size=2000)
    )


def team_members_for_manager(user: User) -> QuerySet[User]:
    """The people a manager looks after: everyone in the teams they manage."""
    from .models import Membership

    if user.is_superuser:
        members = User.objects.all()
    else:
        teams = Membership.objects.filter(user=user, role=Role.MANAGER).values("organisation")
        members = User.objects.filter(memberships__organisation__in=teams).distinct()
    return members.order_by("last_name", "first_name", "email")


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_notification_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).count()


def reminders_visible_to(user: User) -> QuerySet[Reminder]:
    """Superusers see every reminder; a manager those about their own team's work."""
    reminders = Reminder.objects.all()
    if user.is_superuser:
        return reminders
    teams = Membership.objects.filter(user=user, role=Role.MANAGER).values("organisation_id")
    return reminders.filter(team_id__in=teams)


def reminder_for_operations(user: User, reminder_id: int) -> Reminder:
    return get_object_or_404(reminders_visible_to(user), pk=reminder_id)


def operations_overview(user: User, *, limit: int = 25) -> dict[str, Any]:
    reminders = reminders_visible_to(user)
    counts = {status: 0 for status in ReminderStatus.values}
    for row in reminders.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    listed = reminders.select_related("recipient").only(
        "id",
        "kind",
        "target_type",
        "target_id",
        "recipient_key",
        "recipient__first_name",
        "recipient__last_name",
        "recipient__email",
        "channel",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "claimed_at",
        "next_attempt_at",
    )
    return {
        "counts": [(ReminderStatus(status).label, status, n) for status, n in counts.items()],
        "job_runs": list(JobRun.objects.order_by("-started_at", "-id")[:limit]),
        "failed": list(listed.filter(status=ReminderStatus.FAILED).order_by("-id")[:limit]),
        "waiting": list(
            listed.filter(status__in=[ReminderStatus.PENDING, ReminderStatus.CLAIMED]).order_by(
                "next_attempt_at", "id"
            )[:limit]
        ),
    }


# --- The people page


def people_for(user: User) -> QuerySet[User]:
    """Superusers: everyone; a manager: the members of the teams they manage. Each with their
    memberships and organisations in one more query."""
    people = User.objects.all()
    if not user.is_superuser:
        people = people.filter(memberships__organisation_id__in=_managed_team_ids(user)).distinct()
    return people.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("organisation").order_by("role", "pk"),
        )
    ).order_by("last_name", "first_name", "email")


def person_for(user: User, person_id: int) -> User:
    """Fetch-and-authorise: someone outside the user's teams is a 404."""
    return get_object_or_404(people_for(user), pk=person_id)


def organisations_for_granting(user: User) -> QuerySet[Organisation]:
    """Where the user may give roles: every organisation for a superuser, else their teams."""
    organisations = Organisation.objects.order_by("name", "pk")
    return (
        organisations if user.is_superuser else organisations.filter(pk__in=_managed_team_ids(user))
    )
