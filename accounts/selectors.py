from django.db.models import QuerySet
from django.urls import reverse

from .models import AuditEvent, Role, User

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


def audit_events_for_browsing(
    *, action: str = "", object_type: str = "", actor: str = "", patient_id: str = ""
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related(None).order_by("-id")
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if patient_id:
        events = events.filter(patient_id=patient_id)
    return events


def team_members_for_manager(user: User) -> QuerySet[User]:
    """The people a manager looks after: everyone in the teams they manage."""
    from .models import Membership

    if user.is_superuser:
        members = User.objects.all()
    else:
        teams = Membership.objects.filter(user=user, role=Role.MANAGER).values("organisation")
        members = User.objects.filter(memberships__organisation__in=teams).distinct()
    return members.order_by("last_name", "first_name", "email")
