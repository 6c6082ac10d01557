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
