"""Who sees which teams' figures, and how: the one rule every report page, CSV, chart and
snapshot goes through.

- a manager: the teams they manage, every count as it is, down to the coordinator and the case;
- a commissioner: the teams their organisation commissions, aggregated only, small numbers
  suppressed, never a name, an NHS number or a case reference;
- a superuser: every team, as a manager sees them.
"""

from dataclasses import dataclass

from accounts.models import Organisation, OrganisationKind, Role, User


@dataclass(frozen=True)
class ReportScope:
    team_ids: tuple[int, ...]
    suppress: bool  # aggregated, small numbers suppressed, no case-level rows
    is_manager: bool

    @property
    def sees_cases(self) -> bool:
        return not self.suppress


def report_scope(user: User) -> ReportScope:
    if user.is_superuser:
        teams = Organisation.objects.filter(kind=OrganisationKind.COORDINATOR_TEAM)
        return ReportScope(tuple(teams.values_list("pk", flat=True)), False, True)
    managed = tuple(m.organisation_id for m in user.cached_memberships if m.role == Role.MANAGER)
    if managed:
        return ReportScope(managed, False, True)
    return ReportScope(tuple(user.commissioned_team_ids), True, False)
