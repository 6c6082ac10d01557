"""In-app notices: left for one person, read once they open what it points to."""

from django.db import transaction
from django.utils import timezone

from ..models import Notification, User


def notify(*, recipient: User, verb: str, message: str, link: str = "") -> Notification:
    """Leave an in-app notice for one person (created inside the caller's transaction)."""
    return Notification.objects.create(
        recipient=recipient, verb=verb, message=message[:300], link=link[:300]
    )


def mark_notifications_read(*, recipient: User, link: str) -> int:
    """A notice is read once its person has opened the page it points to."""
    return Notification.objects.filter(recipient=recipient, link=link, read_at=None).update(
        read_at=timezone.now()
    )


@transaction.atomic
def mark_notification_read(*, notification_id: int, by: User) -> Notification:
    notification = Notification.objects.filter(recipient=by).get(pk=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_notifications_read(*, by: User) -> int:
    return Notification.objects.filter(recipient=by, read_at=None).update(read_at=timezone.now())
