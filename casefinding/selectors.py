"""Read-side queries for case-finding, scoped to the user: the practice lead sees their
practice's uploads; the team sees its worklist; the reports get the uptake counts."""

import dataclasses
import datetime
from collections.abc import Sequence

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Organisation, Role, User
from common.db_routing import on_replica
from referrals.models import Referral, TeamCoverage
from referrals.selectors import team_ids_of

from .models import (
    OPEN_OUTREACH,
    WORKLIST_ORDER,
    CaseFindingUpload,
    OutreachAttempt,
    OutreachEntry,
    OutreachStatus,
)


def lead_practices(user: User) -> list[Organisation]:
    """The practices whose lists the user may upload: a referrer flagged practice lead."""
    return [
        m.organisation
        for m in user.cached_memberships
        if m.role == Role.REFERRER and m.is_practice_lead
    ]


def team_of_practice(practice: Organisation) -> Organisation | None:
    coverage = TeamCoverage.objects.select_related("team").filter(practice=practice).first()
    return coverage.team if coverage else None


def open_with_team(team: Organisation, nhs_numbers: list[str]) -> set[str]:
    """Which of these people the team already has open: an open referral or an open entry on
    the outreach worklist."""
    referred = (
        Referral.objects.open()
        .filter(team=team, patient__nhs_number__in=nhs_numbers)
        .values_list("patient__nhs_number", flat=True)
    )
    listed = OutreachEntry.objects.filter(
        team=team, status__in=OPEN_OUTREACH, patient__nhs_number__in=nhs_numbers
    ).values_list("patient__nhs_number", flat=True)
    return {number for number in (*referred, *listed) if number}


def uploads_for(user: User) -> QuerySet[CaseFindingUpload]:
    return CaseFindingUpload.objects.filter(
        practice__in=[p.pk for p in lead_practices(user)]
    ).select_related("practice", "uploaded_by")


def get_upload(user: User, pk: int) -> CaseFindingUpload:
    upload = uploads_for(user).defer("rows").filter(pk=pk).first()
    if upload is None:
        raise Http404("No such upload.")
    return upload


def worklist(
    user: User,
    *,
    status: str = "",
    efi_category: str = "",
    practice_id: int | None = None,
    mine: bool = False,
) -> QuerySet[OutreachEntry]:
    """The team's identified patients, the most at risk first (eFI band, then long-term
    conditions, then admissions): open ones unless a status is asked for."""
    entries = OutreachEntry.objects.filter(team_id__in=team_ids_of(user))
    entries = entries.filter(status=status) if status else entries.filter(status__in=OPEN_OUTREACH)
    if efi_category:
        entries = entries.filter(efi_category=efi_category)
    if practice_id:
        entries = entries.filter(practice_id=practice_id)
    if mine:
        entries = entries.filter(assigned_to=user)
    return entries.select_related("patient", "practice", "assigned_to").order_by(*WORKLIST_ORDER)


def get_entry(user: User, pk: int) -> OutreachEntry:
    entry = (
        OutreachEntry.objects.filter(team_id__in=team_ids_of(user))
        .select_related("patient", "practice", "assigned_to", "team", "referral")
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise Http404("No such person on the worklist.")
    return entry


def declined_for_practice(user: User) -> QuerySet[OutreachEntry]:
    """For the practice lead: who declined, with the SNOMED CT code to file on their record."""
    return (
        OutreachEntry.objects.filter(
            practice__in=[p.pk for p in lead_practices(user)], status=OutreachStatus.DECLINED
        )
        .select_related("patient")
        .order_by("-declined_on", "-id")
    )


@dataclasses.dataclass(frozen=True)
class UptakeRow:
    """One practice × age band × sex × ethnic category: how many were identified, contacted
    (at least one attempt), accepted a referral and declined."""

    practice: str
    age_band: str
    sex: str
    ethnic_category: str
    identified: int
    contacted: int
    accepted: int
    declined: int


def _age_band(born: datetime.date, on: datetime.date) -> str:
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age < 65:
        return "under 65"
    if age >= 85:
        return "85 and over"
    low = 65 + (age - 65) // 5 * 5
    return f"{low}-{low + 4}"


def _identified(
    team_ids: Sequence[int],
    since: datetime.datetime | None,
    before: datetime.datetime | None,
    practice_id: int | None,
) -> QuerySet[OutreachEntry]:
    """The entries of these teams put on the worklist in [since, before), read from the
    replica (a report tolerates a few seconds' lag)."""
    entries = OutreachEntry.objects.filter(team_id__in=team_ids)
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    if before is not None:
        entries = entries.filter(created_at__lt=before)
    if practice_id:
        entries = entries.filter(practice_id=practice_id)
    return on_replica(entries)


def outreach_uptake(
    team_ids: Sequence[int],
    *,
    on: datetime.date | None = None,
    since: datetime.datetime | None = None,
    before: datetime.datetime | None = None,
    practice_id: int | None = None,
) -> list[UptakeRow]:
    """The uptake figure for the reports: per practice by age band, sex and ethnic category
    (as the practice's list gave them). Counts only: no identity leaves this function."""
    on = on or timezone.localdate()
    entries = (
        _identified(team_ids, since, before, practice_id)
        .annotate(attempted=Exists(OutreachAttempt.objects.filter(entry=OuterRef("pk"))))
        .values_list("practice__name", "patient__date_of_birth", "listed", "status", "attempted")
    )
    counts: dict[tuple[str, str, str, str], list[int]] = {}
    for practice, born, listed, status, attempted in entries:
        key = (
            practice,
            _age_band(born, on),
            (listed.get("sex") or "not given").lower(),
            listed.get("ethnic_category") or "not given",
        )
        tally = counts.setdefault(key, [0, 0, 0, 0])
        tally[0] += 1
        tally[1] += bool(attempted)
        tally[2] += status == OutreachStatus.ACCEPTED
        tally[3] += status == OutreachStatus.DECLINED
    return [UptakeRow(*key, *tally) for key, tally in sorted(counts.items())]


@dataclasses.dataclass(frozen=True)
class ListUptake:
    """One uploaded list: how many of its people were identified, contacted (at least one
    attempt), accepted a referral, declined, did not respond, and are still being worked."""

    practice: str
    file_name: str
    uploaded_at: datetime.datetime
    identified: int
    contacted: int
    accepted: int
    declined: int
    no_response: int
    still_open: int


def uptake_by_list(
    team_ids: Sequence[int],
    *,
    since: datetime.datetime | None = None,
    before: datetime.datetime | None = None,
    practice_id: int | None = None,
) -> list[ListUptake]:
    """Per practice and uploaded list, oldest list first: one grouped query."""
    rows = (
        _identified(team_ids, since, before, practice_id)
        .annotate(attempted=Exists(OutreachAttempt.objects.filter(entry=OuterRef("pk"))))
        .values("practice__name", "upload_id", "upload__file_name", "upload__uploaded_at")
        .annotate(
            identified=Count("pk"),
            contacted=Count("pk", filter=Q(attempted=True)),
            accepted=Count("pk", filter=Q(status=OutreachStatus.ACCEPTED)),
            declined=Count("pk", filter=Q(status=OutreachStatus.DECLINED)),
            no_response=Count("pk", filter=Q(status=OutreachStatus.NO_RESPONSE)),
            still_open=Count("pk", filter=Q(status__in=OPEN_OUTREACH)),
        )
        .order_by("practice__name", "upload__uploaded_at", "upload_id")
    )
    return [
        ListUptake(
            row["practice__name"],
            row["upload__file_name"] or "(no list)",
            row["upload__uploaded_at"],
            *(
                row[name]
                for name in (
                    "identified",
                    "contacted",
                    "accepted",
                    "declined",
                    "no_response",
                    "still_open",
                )
            ),
        )
        for row in rows
    ]
