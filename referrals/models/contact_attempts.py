"""Each attempt to reach a patient, one row per attempt: the unable-to-contact closure cites
them rather than a number typed at the end."""

from django.conf import settings
from django.db import models

from common.input_limits import NOTE_MAX_LENGTH, bounded_text

from .patients import ContactMethod
from .referrals import Referral


class ContactOutcome(models.TextChoices):
    NO_ANSWER = "no_answer", "No answer"
    MESSAGE_LEFT = "message_left", "Message left"
    SPOKE = "spoke", "Spoke to the person"


class ContactAttempt(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attempts")
    attempted_on = models.DateField()
    method = models.CharField(max_length=10, choices=ContactMethod.choices)
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    note = models.TextField(blank=True, **bounded_text(NOTE_MAX_LENGTH))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attempted_on", "id"]

    def __str__(self) -> str:
        method, outcome = self.get_method_display(), self.get_outcome_display()
        return f"{self.attempted_on:%-d %b %Y}: {method}, {outcome.lower()}"
