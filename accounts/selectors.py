from django.apps import apps
from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.urls import reverse

from .models import (
    AuditEvent,
    JobRun,
    Membership,
    Notification,
    Reminder,
    ReminderStatus,
    Role,
    User,
)

ROLE_HOME_URL_NAMES = {
    Role.REFERRER: "referrals:practice-home",
    Role.COORDINATOR: "coordinators:home",
    Role.MANAGER: "coordinators:team-home",
    Role.VETTER: "community_services:vetter-home",
    Role.PROVIDER: "referrals:provider-home",
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


def _patients_of_teams(team_ids: list[int]) -> QuerySet:
    """The ids (as the audit trail stores them, text) of patients referred to these teams.
    Referrals live in an app that depends on this one, hence the lookup by name."""
    referral = apps.get_model("referrals", "Referral")
    return (
        referral.objects.filter(team_id__in=team_ids)
        .annotate(patient_key=Cast("patient_id", CharField()))
        .values("patient_key")
    )


def audit_events_visible_to(user: User) -> QuerySet[AuditEvent]:
    """Superusers: the whole trail. A manager: what the members of the teams they manage did,
    and everything about the patients referred to those teams; not other teams' work."""
    if user.is_superuser:
        return AuditEvent.objects.all()
    teams = _managed_team_ids(user)
    members = Membership.objects.filter(organisation_id__in=teams).values("user_id")
    return AuditEvent.objects.filter(
        Q(actor_id__in=members) | Q(patient_id__in=_patients_of_teams(teams))
    )


def may_export_audit_trail_of(user: User, patient_id: str) -> bool:
    """Subject access: a manager only for a patient referred to a team they manage."""
    if user.is_superuser:
        return True
    return _patients_of_teams(_managed_team_ids(user)).filter(patient_id=patient_id).exists()


def audit_events_for_browsing(
    *,
    user: User,
    action: str = "",
    object_type: str = "",
    actor: str = "",
    patient_id: str = "",
) -> QuerySet[AuditEvent]:
    events = audit_events_visible_to(user).order_by("-id")
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if patient_id:
        events = events.filter(patient_id=patient_id)
    return events


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


def audit_trail_of_patient(patient_id: str):
    """Every event about one patient, oldest first, as value tuples streamed in chunks."""
    return (
        AuditEvent.objects.filter(patient_id=patient_id)
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


def operations_overview(user: User, *, limit: int = 25) -> dict:
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
