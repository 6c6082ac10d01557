"""The patient, and which coordinator team receives each practice's referrals."""

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat, Lower, Replace, Upper

from accounts.models import Organisation
from common.input_limits import ADDRESS_MAX_LENGTH, bounded_text, validate_date_of_birth

from ..nhs_number import formatted, validate_nhs_number


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    SMS = "sms", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


class EthnicCategory(models.TextChoices):
    """The NHS Data Dictionary's ETHNIC CATEGORY (2001 census classification). Optional: the
    patient chooses whether to say; "not stated" records that they chose not to, a blank that
    nobody asked."""

    WHITE_BRITISH = "A", "White: British"
    WHITE_IRISH = "B", "White: Irish"
    WHITE_OTHER = "C", "White: any other White background"
    MIXED_WHITE_BLACK_CARIBBEAN = "D", "Mixed: White and Black Caribbean"
    MIXED_WHITE_BLACK_AFRICAN = "E", "Mixed: White and Black African"
    MIXED_WHITE_ASIAN = "F", "Mixed: White and Asian"
    MIXED_OTHER = "G", "Mixed: any other mixed background"
    ASIAN_INDIAN = "H", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "J", "Asian or Asian British: Pakistani"
    ASIAN_BANGLADESHI = "K", "Asian or Asian British: Bangladeshi"
    ASIAN_OTHER = "L", "Asian or Asian British: any other Asian background"
    BLACK_CARIBBEAN = "M", "Black or Black British: Caribbean"
    BLACK_AFRICAN = "N", "Black or Black British: African"
    BLACK_OTHER = "P", "Black or Black British: any other Black background"
    CHINESE = "R", "Other ethnic groups: Chinese"
    OTHER = "S", "Other ethnic groups: any other ethnic group"
    NOT_STATED = "Z", "Not stated"


class TeamCoverage(models.Model):
    """Which coordinator team receives the referrals of a practice."""

    practice = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="coverage",
        limit_choices_to={"kind": "gp_practice"},
    )
    team = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="covered_practices",
        limit_choices_to={"kind": "coordinator_team"},
    )

    class Meta:
        verbose_name_plural = "team coverage"

    def __str__(self) -> str:
        return f"{self.practice} → {self.team}"


class Patient(models.Model):
    nhs_number = models.CharField(
        "NHS number", max_length=10, null=True, blank=True, validators=[validate_nhs_number]
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(validators=[validate_date_of_birth])
    sex_or_gender = models.CharField("sex or gender (as recorded)", max_length=50, blank=True)
    ethnic_category = models.CharField(
        max_length=1,
        choices=EthnicCategory.choices,
        blank=True,
        help_text="Optional. Blank: not asked; Z: the patient chose not to say.",
    )
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
    registered_practice = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="registered_patients"
    )
    consent_to_referral = models.BooleanField(default=False)
    consent_to_referral_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent_to_referral_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_to_share = models.BooleanField(default=False)
    consent_to_share_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent_to_share_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_to_sms = models.BooleanField(default=False)
    consent_to_sms_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent_to_sms_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_to_email = models.BooleanField(default=False)
    consent_to_email_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent_to_email_recorded_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(
        null=True, blank=True, help_text="Identifiers removed once every referral passed retention."
    )
    # The name as one lower-case string, kept by the database: patient search compares it by
    # trigram similarity (any order, small typos) through a GIN index that migration 0011
    # creates on PostgreSQL only (SQLite has no GIN; search falls back to icontains there).
    search_name = models.GeneratedField(
        expression=Lower(Concat("given_name", Value(" "), "family_name")),
        output_field=models.CharField(max_length=201),
        db_persist=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What the record says about the person: what a referral may say too, and may differ in.
    RECORD_FIELDS = (
        "given_name",
        "family_name",
        "date_of_birth",
        "sex_or_gender",
        "address",
        "postcode",
        "phone",
        "email",
        "preferred_contact_method",
        "interpreter_needed",
        "language",
        "accessible_formats",
    )
    # The consent to be referred belongs to each referral; these stay until the patient says.
    STANDING_CONSENTS = ("consent_to_share", "consent_to_sms", "consent_to_email")
    CONSENTS = ("consent_to_referral", *STANDING_CONSENTS)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=Q(nhs_number__isnull=False),
                name="patient_unique_nhs_number",
            ),
        ]
        indexes = [
            models.Index(fields=["date_of_birth"], name="patient_date_of_birth_idx"),
            # Postcodes compared as typed in any case, with or without the space.
            models.Index(
                Replace(Upper("postcode"), Value(" "), Value("")), name="patient_postcode_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def nhs_number_display(self) -> str:
        return formatted(self.nhs_number) if self.nhs_number else ""
