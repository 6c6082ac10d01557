"""Reads for messages back, scoped to the user: the referring practice's referrers see their
practice's, the case's team sees its cases'; to anyone else a message is a 404."""

import uuid

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from referrals.models import Referral
from referrals.selectors import practice_ids_of, team_ids_of

from .models import MessageBack

RECENT_MESSAGES = 200


def messages_for_practice(user: User) -> QuerySet[MessageBack]:
    """Newest first; each row has its referral, patient and team for the list and the letter."""
    return MessageBack.objects.filter(
        referral__referring_practice_id__in=practice_ids_of(user)
    ).select_related(
        "referral__patient", "referral__team", "referral__referring_practice", "filed_by"
    )


def get_message_for_practice(user: User, public_id: uuid.UUID) -> MessageBack:
    return get_object_or_404(messages_for_practice(user), public_id=public_id)


def messages_for_team(user: User) -> QuerySet[MessageBack]:
    return MessageBack.objects.filter(referral__team_id__in=team_ids_of(user)).select_related(
        "referral__patient", "referral__team", "filed_by", "corrected_by"
    )


def get_message_for_team(user: User, public_id: uuid.UUID) -> MessageBack:
    return get_object_or_404(messages_for_team(user), public_id=public_id)


def messages_about(user: User, referral: Referral) -> list[MessageBack]:
    """For the referral's page (the practice) or the case page (the team): every version,
    newest first, in one query; empty to anyone else."""
    if not (
        user.is_team_member(referral.team_id)
        or referral.referring_practice_id in practice_ids_of(user)
    ):
        return []
    return list(MessageBack.objects.filter(referral=referral).select_related("filed_by"))
