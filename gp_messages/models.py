"""A message back is written once and never edited: a correction is a new version that
supersedes it, so what the practice filed stays what it was sent."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Organisation
from coordinators.models import Review
from referrals.models import Referral


class MessageMoment(models.TextChoices):
    FIRST_SEEN = "first_seen", "Patient first seen"
    REVIEW = "review", "Progress update"
    CLOSURE = "closure", "Case closed"
    DECLINED = "declined", "Patient declined"


class PracticeMessageSetting(models.Model):
    """Per practice: whether it wants a progress update after each review."""

    practice = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="message_setting"
    )
    progress_updates = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.practice}: progress updates {'on' if self.progress_updates else 'off'}"


class MessageBack(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="messages_back")
    moment = models.CharField(max_length=12, choices=MessageMoment.choices)
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.PROTECT, related_name="messages_back"
    )
    version = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    sections = models.JSONField(help_text="[{key, title, lines}] in the order sent.")
    codes = models.JSONField(default=list, help_text="[{code, display, on}] for the GP record.")
    sent_at = models.DateTimeField(db_index=True)
    filed_at = models.DateTimeField(null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A correction (version 2 on): who made it and why; the version it replaces is kept and
    # marked superseded, so the practice can see what it was first sent.
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    correction_reason = models.TextField(blank=True, default="", db_default="")
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "moment", "version"],
                condition=Q(review__isnull=True),
                name="message_back_once_per_moment",
            ),
            models.UniqueConstraint(
                fields=["review", "version"],
                condition=Q(review__isnull=False),
                name="message_back_once_per_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_moment_display()} for {self.referral.reference} (v{self.version})"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def file_name(self) -> str:
        """Stable: the same message always downloads under the same name."""
        return f"{self.referral.reference}-{self.moment}-v{self.version}-{self.sent_at:%Y%m%d}.pdf"
