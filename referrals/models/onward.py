"""Onward referrals to community services: their statuses and machine, the provider's signed
link, and the status history."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from common.input_limits import NARRATIVE_MAX_LENGTH, NOTE_MAX_LENGTH, bounded_text
from common.state_machine import Party, StateMachine, Transition

from .referrals import Referral


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


class ServiceReferralAction(models.TextChoices):
    """What can be done to an onward referral's status: the names pages, API and tests use."""

    ACCEPT = "accept", "Accept"
    DECLINE = "decline", "Decline"
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    COMPLETED = "completed", "Completed"
    WITHDRAW = "withdraw", "Withdraw"
    NO_RESPONSE = "no_response", "No response"


_S, _A, _TEAM = ServiceReferralStatus, ServiceReferralAction, (Party.TEAM,)
_PROVIDER_OR_TEAM = (Party.PROVIDER, Party.TEAM)
# The onward referral's machine. The provider answers, by login or emailed link, and the team may
# answer for them; the reminders job marks no response. Each row: action: Transition(from-states,
# to-state, who may, audit event).
SERVICE_REFERRAL_MACHINE = StateMachine(
    initial=_S.SENT,
    transitions={
        _A.ACCEPT: Transition(AWAITING_ANSWER_STATUSES, _S.ACCEPTED, _PROVIDER_OR_TEAM, "accept"),
        _A.DECLINE: Transition(AWAITING_ANSWER_STATUSES, _S.DECLINED, _PROVIDER_OR_TEAM, "decline"),
        _A.ATTENDED: Transition((_S.ACCEPTED,), _S.ATTENDED, _PROVIDER_OR_TEAM, "attended"),
        _A.DID_NOT_ATTEND: Transition(
            (_S.ACCEPTED,), _S.DID_NOT_ATTEND, _PROVIDER_OR_TEAM, "did_not_attend"
        ),
        _A.COMPLETED: Transition((_S.ATTENDED,), _S.COMPLETED, _PROVIDER_OR_TEAM, "completed"),
        _A.WITHDRAW: Transition(
            (*AWAITING_ANSWER_STATUSES, _S.ACCEPTED, _S.ATTENDED), _S.WITHDRAWN, _TEAM, "withdraw"
        ),
        _A.NO_RESPONSE: Transition((_S.SENT,), _S.NO_RESPONSE, (Party.SYSTEM,), "no_response"),
    },
)
# What the provider (by link or login) may do, in the table's order.
PROVIDER_ACTIONS = tuple(
    action
    for action, transition in SERVICE_REFERRAL_MACHINE.transitions.items()
    if Party.PROVIDER in transition.by
)


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

    def allows(self, action: ServiceReferralAction) -> bool:
        return SERVICE_REFERRAL_MACHINE.allows(action, self.status)


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
        if self.actor_id and self.actor:
            return self.actor.display_name
        if self.link_id and self.link:
            return f"{self.link.recipient_email} (emailed link)"
        if self.by_patient:
            return "the patient (their own link)"
        return "the system"
