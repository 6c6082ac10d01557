"""What the referring practice adds to a referral after sending it (a new phone number, a
change in circumstances): kept as its own rows, each shown to the receiving team."""

from django.conf import settings
from django.db import models

from common.input_limits import NOTE_MAX_LENGTH, bounded_text

from .referrals import Referral


class ReferralInformation(models.Model):
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="added_information"
    )
    text = models.TextField(**bounded_text(NOTE_MAX_LENGTH))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name_plural = "referral information"

    def __str__(self) -> str:
        return f"{self.referral}: information added {self.added_at:%-d %b %Y}"
