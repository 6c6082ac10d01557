"""The monthly snapshot: on the 1st, last month's figures for each team are computed once,
stored with the code version and the definitions used, and never changed; the team's managers
and the commissioners paying for it are told in the app. Running it again for a month already
built creates nothing and tells nobody again."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organisation, OrganisationKind, Role, User
from accounts.services import notify

from .. import periods
from ..definitions import DEFINITIONS, DEFINITIONS_VERSION
from ..filters import ReportFilters
from ..models import MonthlySnapshot
from ..pages import PAGES
from ..selectors.community_services import capacity_now

# The pages a snapshot freezes (workload is "now", not a month; capacity is kept apart).
SNAPSHOT_PAGES = (
    "referrals",
    "waiting-times",
    "funnel",
    "community-services",
    "outcomes",
    "equity",
)


def snapshot_tables(*, team_id: int, period: periods.Period) -> dict:
    filters = ReportFilters(period=period, team_ids=(team_id,))
    pages = {}
    for slug in SNAPSHOT_PAGES:
        tables = []
        for figure in PAGES[slug].figures:
            if figure.__name__ == "capacity_over_time":
                continue
            table = figure(filters=filters)
            if table is not None:
                tables.append(table.to_json())
        pages[slug] = tables
    return {"pages": pages, "capacity": capacity_now()}


def build_monthly_snapshots(*, now: datetime.datetime | None = None) -> list[MonthlySnapshot]:
    """Last month's snapshot for every coordinator team that has none yet."""
    now = now or timezone.now()
    period = periods.last_month(timezone.localdate(now))
    built = []
    for team in Organisation.objects.filter(kind=OrganisationKind.COORDINATOR_TEAM).order_by("pk"):
        snapshot = _build_one(team=team, period=period, now=now)
        if snapshot is not None:
            built.append(snapshot)
    return built


@transaction.atomic
def _build_one(
    *, team: Organisation, period: periods.Period, now: datetime.datetime
) -> MonthlySnapshot | None:
    if MonthlySnapshot.objects.filter(team=team, month=period.first_day).exists():
        return None
    try:
        with transaction.atomic():
            snapshot = MonthlySnapshot.objects.create(
                team=team,
                month=period.first_day,
                built_at=now,
                code_version=f"{settings.CODE_VERSION} (definitions {DEFINITIONS_VERSION})",
                definitions=DEFINITIONS,
                tables=snapshot_tables(team_id=team.pk, period=period),
            )
    except IntegrityError:  # another worker built it meanwhile
        return None
    link = reverse("reports:snapshot", args=[snapshot.pk])
    for user in readers_of(team):
        notify(
            recipient=user,
            verb="monthly_snapshot",
            message=f"The {period.label} figures for {team.name} are ready.",
            link=link,
        )
    return snapshot


def readers_of(team: Organisation) -> list[User]:
    """The team's managers and the commissioners whose organisation commissions the team."""
    commissioning = Organisation.objects.filter(commissioned_teams=team).values("pk")
    memberships = Membership.objects.filter(user__is_active=True).filter(
        organisation=team, role=Role.MANAGER
    ) | Membership.objects.filter(
        user__is_active=True, organisation__in=commissioning, role=Role.COMMISSIONER
    )
    users = {m.user_id: m.user for m in memberships.select_related("user")}
    return [users[pk] for pk in sorted(users)]
