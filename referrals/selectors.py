"""Read-side queries. Every list is scoped in the queryset to what the user may see."""

import dataclasses
import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Case, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils import timezone

from accounts.models import TEAM_ROLES, Membership, Notification, Organisation, Role, User
from accounts.working_days import add_working_days
from community_services.models import Service

from .models import (
    AWAITING_ANSWER_STATUSES,
    OPEN_STATUSES,
    Patient,
    ProviderLink,
    Referral,
    ReferralPatientDetails,
    ReferralQuerySet,
    ReferralStatus,
    ServiceReferral,
    Urgency,
)
from .nhs_number import normalise


def practice_ids_of(user: User) -> list[int]:
    return [m.organisation_id for m in user.cached_memberships if m.role == Role.REFERRER]


def team_ids_of(user: User) -> list[int]:
    return user.team_ids


def team_members(team: Organisation) -> QuerySet[User]:
    """Who in a team can hold referrals: its coordinators and managers."""
    return User.objects.filter(
        is_active=True, memberships__organisation=team, memberships__role__in=TEAM_ROLES
    ).distinct()


def triage_deadline(referral: Referral) -> datetime.datetime:
    """When a received referral counts as waiting too long: 2 working days (urgent: 1)."""
    days = (
        settings.REFERRAL_TRIAGE_WORKING_DAYS_URGENT
        if referral.urgency == Urgency.URGENT
        else settings.REFERRAL_TRIAGE_WORKING_DAYS
    )
    return add_working_days(timezone.localtime(referral.received_at), days)


def is_provider_user(user: User, service: Service) -> bool:
    organisation_id = service.provider.organisation_id
    return organisation_id is not None and (
        Membership.objects.filter(
            user=user, organisation_id=organisation_id, role=Role.PROVIDER
        ).exists()
    )


def referral_contact_email(service: Service) -> str:
    """Where onward referrals go: the service's own address, else its provider's."""
    return service.email or service.provider.email


def _with_list_relations(referrals: ReferralQuerySet) -> ReferralQuerySet:
    return referrals.select_related(
        "patient", "patient_details", "assigned_to", "referring_practice", "referred_by", "team"
    )


def referrals_for_practice(
    user: User,
    *,
    search: str = "",
    status: str = "",
    received_from: datetime.date | None = None,
    received_to: datetime.date | None = None,
) -> QuerySet[Referral]:
    """'Our referrals': every referral made by the user's practice(s), newest first; found by
    a reference, an NHS number or the patient's name as the practice gave them, and filtered
    by status and the date received."""
    referrals = Referral.objects.filter(referring_practice_id__in=practice_ids_of(user))
    words = search.split()
    if words:
        referrals = referrals.filter(_practice_search(search, words))
    if status:
        referrals = referrals.filter(status=status)
    if received_from is not None:
        referrals = referrals.filter(received_at__date__gte=received_from)
    if received_to is not None:
        referrals = referrals.filter(received_at__date__lte=received_to)
    return _with_list_relations(referrals).order_by("-received_at", "-id")


def _practice_search(search: str, words: list[str]) -> Q:
    """A reference (SP-…), an NHS number (digits, spaces allowed), or name words, each word
    in the first or last name given on the referral (never the shared record's)."""
    if search.strip().upper().startswith("SP-"):
        return Q(reference__iexact=search.strip())
    digits = normalise(search)
    if digits.isdigit():
        return Q(patient_details__nhs_number=digits)
    condition = Q()
    for word in words:
        condition &= Q(patient_details__given_name__icontains=word) | Q(
            patient_details__family_name__icontains=word
        )
    return condition


def triage_queue(
    user: User,
    *,
    source: str = "",
    urgency: str = "",
    risk: bool | None = None,
    need_domain: str = "",
    practice_id: int | None = None,
) -> QuerySet[Referral]:
    """Received referrals waiting for the user's team(s): urgent first, then those flagged with
    a risk, then the oldest; narrowed by whichever filters are given."""
    received = Referral.objects.filter(
        status=ReferralStatus.RECEIVED, team_id__in=team_ids_of(user)
    )
    if source:
        received = received.filter(source=source)
    if urgency:
        received = received.filter(urgency=urgency)
    if risk is not None:
        received = received.filter(risk_flag=risk)
    if need_domain:
        received = received.filter(reasons__contains=[need_domain])
    if practice_id is not None:
        received = received.filter(referring_practice_id=practice_id)
    return (
        _with_list_relations(received)
        .annotate(has_other_open_referral=_another_open_referral())
        .triage_order()
    )


def triage_queue_practices(user: User) -> QuerySet[Organisation]:
    """The practices whose referrals wait in the user's triage queue: the practice filter's
    choices."""
    return (
        Organisation.objects.filter(
            referrals_made__status=ReferralStatus.RECEIVED,
            referrals_made__team_id__in=team_ids_of(user),
        )
        .distinct()
        .order_by("name")
    )


def triage_overdue(referrals: Iterable[Referral], *, now: datetime.datetime) -> set[int]:
    """The ids of the referrals past their triage target (`triage_deadline`) at `now`."""
    return {referral.pk for referral in referrals if triage_deadline(referral) < now}


def _another_open_referral() -> Exists:
    return Exists(
        Referral.objects.filter(patient_id=OuterRef("patient_id"), status__in=OPEN_STATUSES)
        .exclude(pk=OuterRef("pk"))
        .order_by()
    )


def caseload_of(user: User) -> QuerySet[Referral]:
    return _with_list_relations(Referral.objects.open_cases().filter(assigned_to=user)).order_by(
        "accepted_at", "id"
    )


def visible_referrals(user: User) -> QuerySet[Referral]:
    """What the user may see at all: their practice's referrals and their team's."""
    return _with_list_relations(
        Referral.objects.filter(
            Q(referring_practice_id__in=practice_ids_of(user)) | Q(team_id__in=team_ids_of(user))
        )
    ).order_by("-received_at", "-id")


def get_visible_referral(user: User, reference: str) -> Referral:
    """Fetch-and-authorise in one: another organisation's referral does not exist (404)."""
    referral = visible_referrals(user).filter(reference=reference).first()
    if referral is None:
        raise Http404("No such referral.")
    return referral


def get_referral_for_team(user: User, reference: str) -> Referral:
    """Fetch-and-authorise for the receiving team's pages: to anyone else (the referring
    practice included) the team's work on a referral does not exist."""
    referral = get_visible_referral(user, reference)
    if not user.is_team_member(referral.team_id):
        raise Http404("No such referral.")
    return referral


@dataclasses.dataclass(frozen=True)
class OtherOpenReferrals:
    """The patient's other open referrals, for the receiving team's duplicate check: the ones
    the user's teams hold by reference, the rest only counted (they belong to other teams)."""

    ours: list[Referral]
    elsewhere: int

    def __bool__(self) -> bool:
        return bool(self.ours or self.elsewhere)


def other_open_referrals(user: User, referral: Referral) -> OtherOpenReferrals:
    """For the team only: never shown to a referrer (it would tell them the number is known)."""
    others = list(
        Referral.objects.filter(patient_id=referral.patient_id, status__in=OPEN_STATUSES)
        .exclude(pk=referral.pk)
        .order_by("received_at", "id")
        .values_list("reference", "team_id")
    )
    teams = set(team_ids_of(user))
    ours = [Referral(reference=reference) for reference, team_id in others if team_id in teams]
    return OtherOpenReferrals(ours=ours, elsewhere=len(others) - len(ours))


def details_from_own_practice(user: User, nhs_number: str) -> ReferralPatientDetails | None:
    """What the user's own practice said about this patient last time, to prefill a new
    referral: never the shared record, which other practices' referrals may have filled in."""
    return (
        ReferralPatientDetails.objects.select_related("referral")
        .filter(
            referral__referring_practice_id__in=practice_ids_of(user),
            referral__patient__nhs_number=normalise(nhs_number),
        )
        .order_by("-referral__received_at", "-referral_id")
        .first()
    )


def patient_checks(user: User, referral: Referral) -> dict[str, Any]:
    """What the receiving team should look at before working on a referral: where its details
    differ from the record, and the patient's other open referrals."""
    try:
        details = referral.patient_details
    except ReferralPatientDetails.DoesNotExist:
        details = None
    return {
        "details": details,
        "differences": details.open_differences(referral.patient) if details else [],
        "other_open": other_open_referrals(user, referral),
    }


def patient_as_seen_by(user: User, referral: Referral) -> Patient | ReferralPatientDetails | None:
    """The receiving team sees the patient's record; anyone else (the referring practice) sees
    only what was said on this referral."""
    if user.is_team_member(referral.team_id):
        return referral.patient
    try:
        return referral.patient_details
    except ReferralPatientDetails.DoesNotExist:
        return None


def unread_notifications(user: User) -> QuerySet[Notification]:
    return user.notifications.filter(read_at=None)[:10]


# --- Onward referrals


def provider_organisation_ids_of(user: User) -> list[int]:
    return list(
        Membership.objects.filter(user=user, role=Role.PROVIDER).values_list(
            "organisation_id", flat=True
        )
    )


def _latest_link_expiry() -> Subquery:
    latest_link = ProviderLink.objects.filter(service_referral=OuterRef("pk")).order_by(
        "-issued_at", "-id"
    )
    return Subquery(latest_link.values("expires_at")[:1])


def _with_service_referral_relations(
    service_referrals: QuerySet[ServiceReferral],
) -> QuerySet[ServiceReferral]:
    return service_referrals.select_related(
        "service__provider", "referral__patient", "referral__team", "referred_by"
    ).annotate(latest_link_expires_at=_latest_link_expiry())


def provider_referral_list(
    user: User,
    *,
    status: str = "",
    sent_from: datetime.date | None = None,
    sent_to: datetime.date | None = None,
) -> QuerySet[ServiceReferral]:
    """The provider's list: those waiting for their answer first, the longest-waiting at the
    top, then the rest newest first; `status` "waiting" means any status awaiting an answer."""
    waiting = Q(status__in=AWAITING_ANSWER_STATUSES)
    rows = service_referrals_for_provider(user)
    if status == "waiting":
        rows = rows.filter(waiting)
    elif status:
        rows = rows.filter(status=status)
    if sent_from:
        rows = rows.filter(sent_at__date__gte=sent_from)
    if sent_to:
        rows = rows.filter(sent_at__date__lte=sent_to)
    return rows.order_by(
        Case(When(waiting, then=Value(0)), default=Value(1)),
        Case(When(waiting, then=F("sent_at"))).asc(),
        F("sent_at").desc(),
        "-id",
    )


def service_referrals_for_provider(user: User) -> QuerySet[ServiceReferral]:
    """Referrals to the services of the user's provider organisation(s): nothing else."""
    return _with_service_referral_relations(
        ServiceReferral.objects.filter(
            service__provider__organisation_id__in=provider_organisation_ids_of(user)
        )
    ).order_by("-sent_at", "-id")


def visible_service_referrals(user: User) -> QuerySet[ServiceReferral]:
    """The team's onward referrals, or the provider organisation's received ones."""
    return _with_service_referral_relations(
        ServiceReferral.objects.filter(
            Q(referral__team_id__in=team_ids_of(user))
            | Q(service__provider__organisation_id__in=provider_organisation_ids_of(user))
        )
    ).order_by("-sent_at", "-id")


def get_service_referral_for_provider(user: User, pk: int) -> ServiceReferral:
    found = service_referrals_for_provider(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such referral.")
    return found


def get_service_referral_for_team(user: User, referral: Referral, pk: int) -> ServiceReferral:
    """One onward referral of a case the user's team holds; anything else is a 404."""
    found = (
        _with_service_referral_relations(
            ServiceReferral.objects.filter(
                referral=referral, referral__team_id__in=team_ids_of(user)
            )
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("No such onward referral.")
    return found


def service_referrals_of_case(referral: Referral) -> list[ServiceReferral]:
    """For the team on the referral (and the case) page: every onward referral, newest first.
    The page has the referral with its patient and team already: given to each row rather than
    joined again (the joins of those wide rows cost more than the rest of the query)."""
    rows = list(
        referral.service_referrals.select_related("service__provider", "referred_by")
        .annotate(latest_link_expires_at=_latest_link_expiry())
        .order_by("-sent_at", "-id")
    )
    for row in rows:
        row.referral = referral
    return rows


def service_outcomes_for_referrer(referral: Referral) -> list[dict[str, Any]]:
    """What the referring practice may see: service names and where each stands, no notes."""
    return [
        {"service": name, "status": ServiceReferral(status=status).get_status_display()}
        for name, status in referral.service_referrals.order_by("sent_at", "id").values_list(
            "service__name", "status"
        )
    ]


def onward_referrals_awaiting_answer(referral_ids: Iterable[int]) -> dict[int, datetime.datetime]:
    """For the caseload: which referrals have onward referrals waiting for an answer, and
    since when (the oldest), in one query."""
    return dict(
        ServiceReferral.objects.filter(
            referral_id__in=list(referral_ids), status__in=AWAITING_ANSWER_STATUSES
        )
        .order_by()
        .values("referral_id")
        .annotate(since=Min("sent_at"))
        .values_list("referral_id", "since")
    )


def provider_waiting_count(user: User) -> int:
    return ServiceReferral.objects.filter(
        service__provider__organisation_id__in=provider_organisation_ids_of(user),
        status__in=AWAITING_ANSWER_STATUSES,
    ).count()
