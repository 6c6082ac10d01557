"""Reads for messages back, scoped to the user's practice(s): another practice's is a 404."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from referrals.selectors import practice_ids_of

from .models import MessageBack


def messages_for_practice(user: User) -> QuerySet[MessageBack]:
    """Newest first; each row has its referral, patient and team for the list and the letter."""
    return MessageBack.objects.filter(
        referral__referring_practice_id__in=practice_ids_of(user)
    ).select_related(
        "referral__patient", "referral__team", "referral__referring_practice", "filed_by"
    )


def get_message_for_practice(user: User, public_id) -> MessageBack:
    return get_object_or_404(messages_for_practice(user), public_id=public_id)
