"""What the referrer said about the patient, kept on the referral and compared with the record."""

import dataclasses
import datetime

from django.conf import settings
from django.db import models

from common.input_limits import ADDRESS_MAX_LENGTH, bounded_text, validate_date_of_birth

from ..nhs_number import formatted
from .patients import ContactMethod, Patient
from .referrals import Referral

# What a referral may say about the patient, and so what may differ from the patient's record.
# The consent to be referred belongs to each referral, so it is kept there and never compared.
DETAILS_FIELDS = (*Patient.RECORD_FIELDS, *Patient.STANDING_CONSENTS)


def _shown(value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    if value in ContactMethod.values:
        return ContactMethod(value).label
    return str(value) if value not in (None, "") else "—"


@dataclasses.dataclass(frozen=True)
class DetailsDifference:
    """One detail where a referral and the patient's record disagree."""

    field: str
    label: str
    on_record: object
    on_referral: object

    @property
    def on_record_shown(self) -> str:
        return _shown(self.on_record)

    @property
    def on_referral_shown(self) -> str:
        return _shown(self.on_referral)


class ReferralPatientDetails(models.Model):
    """What the referrer said about the patient, kept on the referral.

    A referral about a patient the service already knows links to the existing record and never
    changes it: another practice must not be able to overwrite a patient's identity, contact
    details or consents with an NHS number alone. The receiving team sees where these details
    differ from the record and confirms (copies them in) or keeps the record. The referring
    practice is shown these details, never the shared record.
    """

    class Resolution(models.TextChoices):
        PENDING = "", "Not yet looked at"
        NONE_NEEDED = "same", "The same as the record"
        CONFIRMED = "confirmed", "The referral's details were copied into the record"
        PARTLY_CONFIRMED = "partly", "Some of the referral's details were copied into the record"
        KEPT = "kept", "The record was kept as it was"

    referral = models.OneToOneField(
        Referral, on_delete=models.CASCADE, related_name="patient_details"
    )
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True, validators=[validate_date_of_birth])
    sex_or_gender = models.CharField("sex or gender (as recorded)", max_length=50, blank=True)
    address = models.TextField(blank=True, **bounded_text(ADDRESS_MAX_LENGTH))
    postcode = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    preferred_contact_method = models.CharField(
        max_length=10, choices=ContactMethod.choices, default=ContactMethod.PHONE
    )
    interpreter_needed = models.BooleanField(default=False)
    language = models.CharField(max_length=60, blank=True)
    accessible_formats = models.CharField(max_length=200, blank=True)
    consent_to_referral = models.BooleanField(default=False)
    consent_to_share = models.BooleanField(default=False)
    consent_to_sms = models.BooleanField(default=False)
    consent_to_email = models.BooleanField(default=False)
    created_patient = models.BooleanField(
        default=False, help_text="This referral created the patient's record from these details."
    )
    resolution = models.CharField(
        max_length=10, choices=Resolution.choices, blank=True, default=Resolution.PENDING
    )
    resolved_fields = models.JSONField(
        default=list, blank=True, help_text="Which of the referral's details were copied in."
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "referral patient details"

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.full_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def nhs_number_display(self) -> str:
        return formatted(self.nhs_number) if self.nhs_number else ""

    def get_preferred_contact_method_display(self) -> str:  # type: ignore[no-redef]
        return ContactMethod(self.preferred_contact_method).label

    @property
    def is_resolved(self) -> bool:
        return self.resolution != self.Resolution.PENDING

    def differences(self, patient: "Patient") -> list["DetailsDifference"]:
        """Where this referral says something else than the patient's record, for the receiving
        team. A detail the referrer left blank says nothing, so it is no difference."""
        return [
            DetailsDifference(
                field=name,
                label=self._meta.get_field(name).verbose_name.capitalize(),  # type: ignore[union-attr]
                on_record=getattr(patient, name),
                on_referral=getattr(self, name),
            )
            for name in DETAILS_FIELDS
            if getattr(self, name) not in ("", None)
            and getattr(patient, name) != getattr(self, name)
        ]

    def open_differences(self, patient: "Patient") -> list["DetailsDifference"]:
        """The differences still waiting for the team's decision."""
        return [] if self.is_resolved else self.differences(patient)
