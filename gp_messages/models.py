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


class DiscussionFlag(models.Model):
    """The coordinator asks for a case to be discussed at the practice's multidisciplinary
    meeting; open until a practice review of the case is recorded."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="discussion_flags"
    )
    reason = models.CharField(max_length=300)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    flagged_at = models.DateTimeField()
    discussed_in = models.ForeignKey(
        "PracticeReview",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="flags_discussed",
    )

    class Meta:
        ordering = ["-flagged_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(discussed_in__isnull=True),
                name="discussion_flag_one_open_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral}: {self.reason}"


class PracticeReview(models.Model):
    """A case reviewed with the primary care team (the practice's multidisciplinary meeting):
    on the case timeline and in the next message back."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="practice_reviews"
    )
    held_on = models.DateField()
    attendees = models.CharField(max_length=300)
    notes = models.TextField(blank=True)
    agreed_actions = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["referral", "recorded_at"], name="practice_review_case_idx")
        ]

    def __str__(self) -> str:
        return f"{self.referral}: reviewed with the practice on {self.held_on}"
