"""The practice says it has filed a message in the GP record: who and when, audited."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit_event
from referrals.selectors import practice_ids_of

from ..errors import MessageAlreadyCorrected
from ..models import MessageBack


@transaction.atomic
def mark_message_filed(*, message: MessageBack, by: User) -> MessageBack:
    """Once: filing again keeps the first who and when."""
    message = MessageBack.objects.select_for_update().get(pk=message.pk)
    if message.referral.referring_practice_id not in practice_ids_of(by):
        raise PermissionDenied("Only the referring practice can file its message.")
    if message.filed_at is None and message.superseded_at is not None:
        raise MessageAlreadyCorrected(
            f"Version {message.version} was corrected after it was sent: file the newest "
            "version instead."
        )
    if message.filed_at is None:
        message.filed_at, message.filed_by = timezone.now(), by
        message.save(update_fields=["filed_at", "filed_by"])
        record_audit_event(
            actor=by,
            action="file",
            object_type="message_back",
            object_id=message.pk,
            patient_id=message.referral.patient_id,
        )
    return message
