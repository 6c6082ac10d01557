"""Read-side queries. Every list is scoped in the queryset to what the user may see."""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Membership, Role, User

from .models import OPEN_STATUSES, Referral, ReferralStatus
from .nhs_number import normalise

TEAM_ROLES = (Role.COORDINATOR, Role.MANAGER)


def practice_ids_of(user: User) -> list[int]:
    return list(
        Membership.objects.filter(user=user, role=Role.REFERRER).values_list(
            "organisation_id", flat=True
        )
    )


def team_ids_of(user: User) -> list[int]:
    return list(
        Membership.objects.filter(user=user, role__in=TEAM_ROLES).values_list(
            "organisation_id", flat=True
        )
    )


def _with_list_relations(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    return referrals.select_related(
        "patient", "assigned_to", "referring_practice", "referred_by", "team"
    )


def referrals_for_practice(user: User) -> QuerySet[Referral]:
    """'Our referrals': every referral made by the user's practice(s), newest first."""
    return _with_list_relations(
        Referral.objects.filter(referring_practice_id__in=practice_ids_of(user))
    ).order_by("-received_at", "-id")


def triage_queue(user: User) -> QuerySet[Referral]:
    """Received referrals waiting for the user's team(s): urgent first, then the oldest."""
    return _with_list_relations(
        Referral.objects.filter(status=ReferralStatus.RECEIVED, team_id__in=team_ids_of(user))
    ).urgent_first_then_oldest()


def caseload_of(user: User) -> QuerySet[Referral]:
    return _with_list_relations(
        Referral.objects.filter(
            assigned_to=user, status__in=(ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)
        )
    ).order_by("accepted_at", "id")


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


def is_in_receiving_team(user: User, referral: Referral) -> bool:
    return referral.team_id in team_ids_of(user)


def has_open_referral(nhs_number: str) -> bool:
    """Whether this patient already has a referral in progress, at any practice."""
    return Referral.objects.filter(
        patient__nhs_number=normalise(nhs_number), status__in=OPEN_STATUSES
    ).exists()


def unread_notifications(user: User):
    return user.notifications.filter(read_at=None)[:10]
