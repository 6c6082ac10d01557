"""The lists people keep in spreadsheets, as CSV: each read through the same scoped selector
as its page, so an export shows exactly what its reader may see there."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import TEAM_ROLES, Role, User
from community_services.selectors import services_visible_to
from coordinators.selectors import caseload_of, team_caseload
from referrals.selectors import referrals_for_practice, triage_queue, visible_service_referrals


def _when(value) -> str:
    return "" if value is None else f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def _date(value) -> str:
    return "" if value is None else value.isoformat()


def _name(user) -> str:
    return user.display_name if user else ""


@dataclass(frozen=True)
class ListExport:
    kind: str
    title: str
    roles: tuple[str, ...]
    rows: Callable[[User], QuerySet]
    columns: tuple[tuple[str, Callable], ...]
    # How to find the patient of a row, for the audit trail (None: no patient data).
    patient: Callable | None = None


REFERRAL_COLUMNS: tuple[tuple[str, Callable], ...] = (
    ("Reference", lambda r: r.reference),
    ("NHS number", lambda r: r.patient.nhs_number or ""),
    ("Patient", lambda r: r.patient.full_name),
    ("Date of birth", lambda r: _date(r.patient.date_of_birth)),
    ("Practice", lambda r: r.referring_practice.name),
    ("Team", lambda r: r.team.name),
    ("Status", lambda r: r.get_status_display()),
    ("Urgency", lambda r: r.get_urgency_display()),
    ("Source", lambda r: r.get_source_display()),
    ("Received", lambda r: _when(r.received_at)),
    ("Accepted", lambda r: _when(r.accepted_at)),
    ("First contact", lambda r: _when(r.first_contact_at)),
    ("Coordinator", lambda r: _name(r.assigned_to)),
    ("Outcome", lambda r: r.get_outcome_display()),
)
CASELOAD_COLUMNS: tuple[tuple[str, Callable], ...] = (
    *REFERRAL_COLUMNS,
    ("Next review", lambda r: _when(r.next_review_at)),
)

EXPORTS: dict[str, ListExport] = {
    export.kind: export
    for export in (
        ListExport(
            "caseload",
            "My caseload",
            TEAM_ROLES,
            caseload_of,
            CASELOAD_COLUMNS,
            patient=lambda r: r.patient_id,
        ),
        ListExport(
            "team-caseload",
            "The team's open cases",
            (Role.MANAGER,),
            team_caseload,
            CASELOAD_COLUMNS,
            patient=lambda r: r.patient_id,
        ),
        ListExport(
            "triage-queue",
            "Triage queue",
            TEAM_ROLES,
            triage_queue,
            REFERRAL_COLUMNS,
            patient=lambda r: r.patient_id,
        ),
        ListExport(
            "our-referrals",
            "Our referrals (practice)",
            (Role.REFERRER,),
            referrals_for_practice,
            REFERRAL_COLUMNS,
            patient=lambda r: r.patient_id,
        ),
        ListExport(
            "onward-referrals",
            "Onward referrals",
            (*TEAM_ROLES, Role.PROVIDER),
            visible_service_referrals,
            (
                ("Case", lambda s: s.referral.reference),
                ("Patient", lambda s: s.referral.patient.full_name),
                ("Team", lambda s: s.referral.team.name),
                ("Service", lambda s: s.service.name),
                ("Provider", lambda s: s.service.provider.name),
                ("Status", lambda s: s.get_status_display()),
                ("Sent", lambda s: _when(s.sent_at)),
                ("Accepted", lambda s: _when(s.accepted_at)),
                ("Declined", lambda s: _when(s.declined_at)),
                ("Attended", lambda s: _when(s.attended_at)),
                ("Completed", lambda s: _when(s.completed_at)),
            ),
            patient=lambda s: s.referral.patient_id,
        ),
        ListExport(
            "directory",
            "The directory",
            (*TEAM_ROLES, Role.VETTER),
            lambda user: services_visible_to(user).select_related("provider").order_by("name"),
            (
                ("Service", lambda s: s.name),
                ("Provider", lambda s: s.provider.name),
                ("Status", lambda s: s.get_status_display()),
                ("Capacity", lambda s: s.get_capacity_display()),
                ("Vetted until", lambda s: _date(s.vetted_until)),
                ("Free", lambda s: "yes" if s.is_free else "no"),
                ("Email", lambda s: s.email),
                ("Service id", lambda s: s.public_id),
            ),
        ),
    )
}


def exports_for(user: User) -> list[ListExport]:
    return [export for export in EXPORTS.values() if user.has_role(*export.roles)]
