"""What the FHIR interface keeps of its own: the system clients, and the practice's identifier of
each referral it sent (so a retried transaction never makes a second referral)."""

from django.conf import settings
from django.db import models
from oauth2_provider.settings import oauth2_settings

from accounts.models import Organisation
from referrals.models import Referral


class FhirClient(models.Model):
    """A practice's, team's or provider's system: an OAuth 2.0 client-credentials application.

    The application's user is a system user holding a membership of the organisation, so the
    client sees exactly what a person of that organisation would see, through the same scoping
    and the same services. Its secret is stored hashed by django-oauth-toolkit."""

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        on_delete=models.PROTECT,
        related_name="fhir_client",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="fhir_clients"
    )
    system_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="fhir_client"
    )
    name = models.CharField(max_length=200)
    scopes = models.CharField(
        max_length=500, help_text="The SMART system scopes the client may be granted."
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["organisation__name", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    @property
    def client_id(self) -> str:
        return self.application.client_id

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ReferralIdentifier(models.Model):
    """The practice's own id for a referral (ServiceRequest.identifier): one referral per value."""

    practice = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    system = models.CharField(max_length=255)
    value = models.CharField(max_length=128)
    referral = models.OneToOneField(
        Referral, on_delete=models.CASCADE, related_name="fhir_identifier"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "system", "value"], name="referral_identifier_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.system}|{self.value}"


class Subscription(models.Model):
    """A client's Subscriptions Backport rest-hook for its Tasks' status changes (id-only)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        ACTIVE = "active", "Active"
        ERROR = "error", "Error"
        OFF = "off", "Off"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="fhir_subscriptions"
    )
    client = models.ForeignKey(
        FhirClient, null=True, blank=True, on_delete=models.PROTECT, related_name="subscriptions"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    endpoint = models.URLField(max_length=500)
    header = models.CharField(
        max_length=500, blank=True, help_text="The Authorization header the client chose."
    )
    reason = models.CharField(max_length=300)
    events_since_start = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status"], name="subscription_status_idx")]

    def __str__(self) -> str:
        return f"Subscription {self.pk} → {self.endpoint}"


class SubscriptionNotification(models.Model):
    """The outbox: one row per notification under a unique key, sent once, retried with back-off.

    Its event number is the subscription's count at the time, so a receiver spots a gap; what it
    reports (a referral's status change, or a message back to the practice, which is a new output
    of the Task) is unique per subscription, so a second sweep never adds it twice."""

    class Kind(models.TextChoices):
        HANDSHAKE = "handshake", "Handshake"
        EVENT = "event-notification", "Event"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    event_number = models.PositiveIntegerField(default=0)
    referral_event = models.ForeignKey(
        "referrals.ReferralEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    message_back = models.ForeignKey(
        "gp_messages.MessageBack",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    task_reference = models.CharField(max_length=12, blank=True)
    occurred_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["subscription", "event_number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_number"],
                condition=models.Q(kind="event-notification"),
                name="subscription_event_number_unique",
            ),
            models.UniqueConstraint(
                fields=["subscription", "referral_event"],
                condition=models.Q(referral_event__isnull=False),
                name="subscription_referral_event_unique",
            ),
            models.UniqueConstraint(
                fields=["subscription", "message_back"],
                condition=models.Q(message_back__isnull=False),
                name="subscription_message_back_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id}#{self.event_number} {self.kind}"


class EventCursor(models.Model):
    """How far the notification sweep has read the referral events, and the messages back (a
    row each, by name; locked while a sweep reads)."""

    name = models.CharField(max_length=40, unique=True)
    last_event_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_event_id}"
