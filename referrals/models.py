import dataclasses
import datetime
import secrets
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from accounts.models import Organisation
from common.input_limits import (
    ADDRESS_MAX_LENGTH,
    NARRATIVE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    bounded_text,
    validate_date_of_birth,
)
from community_services.need_domains import NeedDomain

from .nhs_number import formatted, validate_nhs_number


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    SMS = "sms", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    CONSENTS = ("consent_to_referral", "consent_to_share", "consent_to_sms", "consent_to_email")

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=Q(nhs_number__isnull=False),
                name="patient_unique_nhs_number",
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


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    ACCEPTED = "accepted", "Accepted"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"
    DECLINED = "declined", "Declined"
    PATIENT_DECLINED = "patient_declined", "Patient declined"


OPEN_STATUSES = (ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)


class DeclineReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", "Not eligible for social prescribing"
    NEEDS_CLINICAL_SERVICE = "needs_clinical_service", "Needs a clinical service instead"
    OUT_OF_AREA = "out_of_area", "Outside the area the team covers"
    DUPLICATE = "duplicate", "Duplicate of an open referral"
    OTHER = "other", "Other"


class ClosureOutcome(models.TextChoices):
    GOALS_MET = "goals_met", "Goals met"
    GOALS_PARTLY_MET = "goals_partly_met", "Goals partly met"
    PATIENT_WITHDREW = "patient_withdrew", "Patient withdrew"
    UNABLE_TO_CONTACT = "unable_to_contact", "Unable to contact"
    MOVED_AWAY = "moved_away", "Moved away"
    DIED = "died", "Died"
    REFERRED_ELSEWHERE = "referred_elsewhere", "Referred elsewhere"


def new_reference() -> str:
    """A short reference people can read out on the phone: no 0/O or 1/I to confuse."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "SP-" + "".join(secrets.choice(alphabet) for _ in range(8))


class ReferralQuerySet(models.QuerySet["Referral"]):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def urgent_first_then_oldest(self):
        return self.annotate(
            urgency_rank=Case(When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1))
        ).order_by("urgency_rank", "received_at", "id")


class Referral(models.Model):
    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals")
    referring_practice = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_made"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    team = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_received"
    )
    reasons = models.JSONField(default=list, help_text="Need domain codes.")
    help_wanted = models.TextField(
        "what the patient would like help with", **bounded_text(NARRATIVE_MAX_LENGTH)
    )
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    risk_flag = models.BooleanField("risk or safeguarding concern", default=False)
    risk_notes = models.TextField(blank=True, **bounded_text(NARRATIVE_MAX_LENGTH))
    access_needs = models.TextField(blank=True, **bounded_text(NOTE_MAX_LENGTH))
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.RECEIVED
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_referrals",
    )
    decline_reason = models.CharField(max_length=30, choices=DeclineReason.choices, blank=True)
    first_contact_method = models.CharField(
        max_length=10, choices=ContactMethod.choices, blank=True
    )
    contact_attempts = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=30, choices=ClosureOutcome.choices, blank=True)
    outcome_summary = models.TextField(blank=True, **bounded_text(NARRATIVE_MAX_LENGTH))
    received_at = models.DateTimeField(db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the referral ended: closed or declined."
    )
    anonymised_at = models.DateTimeField(
        null=True, blank=True, help_text="Free text removed after the retention period."
    )
    next_review_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the case's scheduled review is, kept by the review services in "
        "coordinators.services: the caseload sorts on it without reading every review.",
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["team", "status", "received_at"], name="referral_triage_idx"),
            # The triage queue in its own order, so a page reads 25 rows, not the whole queue.
            models.Index(
                F("team"),
                Case(When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1)),
                F("received_at"),
                F("id"),
                condition=Q(status=ReferralStatus.RECEIVED),
                name="referral_triage_queue_idx",
            ),
            models.Index(
                fields=["referring_practice", "received_at"], name="referral_practice_idx"
            ),
            # My caseload in its own order: a page of a coordinator's open cases by next review.
            models.Index(
                fields=["assigned_to", "next_review_at", "accepted_at", "id"],
                condition=Q(status__in=[ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS]),
                name="referral_caseload_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def details_differ(self) -> bool:
        """For the receiving team: what the referrer said differs from the record, undecided."""
        try:
            details = self.patient_details
        except ObjectDoesNotExist:
            return False
        return bool(details.open_differences(self.patient))

    @property
    def reason_labels(self) -> list[str]:
        return [NeedDomain(code).label for code in self.reasons if code in NeedDomain.values]


# What a referral may say about the patient, and so what may differ from the patient's record.
# The consent to be referred belongs to each referral, so it is kept there and never compared.
DETAILS_FIELDS = (
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
    "consent_to_share",
    "consent_to_sms",
    "consent_to_email",
)


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


class ReferralEvent(models.Model):
    """One row per status change: who, when, from → to, and a note."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField()
    from_status = models.CharField(max_length=20, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    note = models.TextField(blank=True, **bounded_text(NOTE_MAX_LENGTH))
    referrer_emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.referral}: {self.from_status or '—'} → {self.to_status}"


class IdempotencyKey(models.Model):
    """An API request key (IETF httpapi Idempotency-Key draft), scoped to the user who sent it."""

    class State(models.TextChoices):
        IN_FLIGHT = "in_flight", "In flight"
        COMPLETED = "completed", "Completed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.IN_FLIGHT)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


# --- Onward referrals to community services


class ServiceReferralStatus(models.TextChoices):
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    NO_RESPONSE = "no_response", "No response"


# Waiting for the provider to say whether they take the patient.
AWAITING_ANSWER_STATUSES = (ServiceReferralStatus.SENT, ServiceReferralStatus.NO_RESPONSE)
# The provider's final word (or the coordinator's): nothing more can happen.
FINAL_SERVICE_REFERRAL_STATUSES = (
    ServiceReferralStatus.DECLINED,
    ServiceReferralStatus.DID_NOT_ATTEND,
    ServiceReferralStatus.COMPLETED,
    ServiceReferralStatus.WITHDRAWN,
)
# Which transition leads where, and from which states. Services enforce it; pages list from it.
SERVICE_REFERRAL_TRANSITIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "accept": (ServiceReferralStatus.ACCEPTED, AWAITING_ANSWER_STATUSES),
    "decline": (ServiceReferralStatus.DECLINED, AWAITING_ANSWER_STATUSES),
    "attended": (ServiceReferralStatus.ATTENDED, (ServiceReferralStatus.ACCEPTED,)),
    "did_not_attend": (ServiceReferralStatus.DID_NOT_ATTEND, (ServiceReferralStatus.ACCEPTED,)),
    "completed": (ServiceReferralStatus.COMPLETED, (ServiceReferralStatus.ATTENDED,)),
    "withdraw": (
        ServiceReferralStatus.WITHDRAWN,
        (*AWAITING_ANSWER_STATUSES, ServiceReferralStatus.ACCEPTED, ServiceReferralStatus.ATTENDED),
    ),
    "no_response": (ServiceReferralStatus.NO_RESPONSE, (ServiceReferralStatus.SENT,)),
}
# What the provider (by link or login) may do; the team may do these too, and withdraw.
PROVIDER_ACTIONS = ("accept", "decline", "attended", "did_not_attend", "completed")


class ServiceDeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", "No capacity at the moment"
    NOT_ELIGIBLE = "not_eligible", "The patient is not eligible"
    CANNOT_MEET_NEEDS = "cannot_meet_needs", "We cannot meet the patient's needs"
    OUT_OF_AREA = "out_of_area", "Outside the area we serve"
    OTHER = "other", "Other"


class PatientAttendanceAnswer(models.TextChoices):
    """The patient's own answer to "did you manage to go?" (never overrides the provider's)."""

    YES = "yes", "Yes, they went (patient-reported)"
    NO = "no", "No, they did not go (patient-reported)"
    NOT_YET = "not_yet", "Not yet (patient-reported)"


# Where the patient may still tell us whether they went: accepted, or answered by the provider.
PATIENT_ANSWERABLE_STATUSES = (
    ServiceReferralStatus.ACCEPTED,
    ServiceReferralStatus.ATTENDED,
    ServiceReferralStatus.DID_NOT_ATTEND,
    ServiceReferralStatus.COMPLETED,
)


class ServiceReferralQuerySet(models.QuerySet):
    def awaiting_answer(self):
        return self.filter(status__in=AWAITING_ANSWER_STATUSES)


class ServiceReferral(models.Model):
    """An onward referral of a patient's case to a community service, and the provider's answer."""

    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="service_referrals"
    )
    service = models.ForeignKey(
        "community_services.Service", on_delete=models.PROTECT, related_name="referrals"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_referrals_made"
    )
    provider_needs_to_know = models.TextField(
        "what the provider needs to know", **bounded_text(NARRATIVE_MAX_LENGTH)
    )
    status = models.CharField(
        max_length=20, choices=ServiceReferralStatus.choices, default=ServiceReferralStatus.SENT
    )
    decline_reason = models.CharField(
        max_length=30, choices=ServiceDeclineReason.choices, blank=True
    )
    sent_at = models.DateTimeField(db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    did_not_attend_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    no_response_at = models.DateTimeField(null=True, blank=True)
    patient_reported_attendance = models.CharField(
        max_length=10, choices=PatientAttendanceAnswer.choices, blank=True
    )
    patient_reported_at = models.DateTimeField(null=True, blank=True)

    objects = ServiceReferralQuerySet.as_manager()

    # The timestamp each state sets when it is reached.
    STATE_TIMESTAMPS: ClassVar[dict[str, str]] = {
        ServiceReferralStatus.ACCEPTED: "accepted_at",
        ServiceReferralStatus.DECLINED: "declined_at",
        ServiceReferralStatus.ATTENDED: "attended_at",
        ServiceReferralStatus.DID_NOT_ATTEND: "did_not_attend_at",
        ServiceReferralStatus.COMPLETED: "completed_at",
        ServiceReferralStatus.WITHDRAWN: "withdrawn_at",
        ServiceReferralStatus.NO_RESPONSE: "no_response_at",
    }

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["referral", "status"], name="service_referral_case_idx"),
            models.Index(fields=["service", "status"], name="service_referral_service_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.referral} → {self.service}"

    @property
    def is_awaiting_answer(self) -> bool:
        return self.status in AWAITING_ANSWER_STATUSES

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_SERVICE_REFERRAL_STATUSES

    @property
    def waiting_for_answer_days(self) -> int | None:
        if not self.is_awaiting_answer:
            return None
        return (timezone.now() - self.sent_at).days

    def allows(self, action: str) -> bool:
        return self.status in SERVICE_REFERRAL_TRANSITIONS[action][1]


class ProviderLinkPurpose(models.TextChoices):
    REFERRAL = "referral", "The new referral"
    FRESH = "fresh", "A fresh link after the last one expired"
    REMINDER = "reminder", "A reminder: no answer yet"


class ProviderLink(models.Model):
    """A signed link emailed to the service's referral contact; only the newest one works.

    The token itself is never stored: it is signed (django.core.signing) when the email is sent
    and carries only this row's id.
    """

    service_referral = models.ForeignKey(
        ServiceReferral, on_delete=models.CASCADE, related_name="links"
    )
    recipient_email = models.EmailField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    purpose = models.CharField(
        max_length=10, choices=ProviderLinkPurpose.choices, default=ProviderLinkPurpose.REFERRAL
    )

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"link {self.pk} for {self.service_referral_id} to {self.recipient_email}"

    @property
    def has_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class ServiceReferralEvent(models.Model):
    """One row per status change: who (a user) or which link, when, from → to, and a note."""

    service_referral = models.ForeignKey(
        ServiceReferral, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    link = models.ForeignKey(
        ProviderLink, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    by_patient = models.BooleanField(
        default=False, help_text="Recorded from the patient's own signed link."
    )
    occurred_at = models.DateTimeField()
    from_status = models.CharField(max_length=20, choices=ServiceReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ServiceReferralStatus.choices)
    note = models.TextField(blank=True, **bounded_text(NOTE_MAX_LENGTH))

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.service_referral}: {self.from_status or '—'} → {self.to_status}"

    @property
    def by_label(self) -> str:
        if self.actor is not None:
            return self.actor.display_name
        if self.link is not None:
            return f"{self.link.recipient_email} (emailed link)"
        if self.by_patient:
            return "the patient (their own link)"
        return "the system"
