"""A referral from a practice to a coordinator team, its statuses and its status history."""

import secrets
from typing import Self

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Case, F, Q, Value, When

from accounts.models import Organisation
from common.input_limits import NARRATIVE_MAX_LENGTH, NOTE_MAX_LENGTH, bounded_text
from common.state_machine import Party, StateMachine, Transition
from community_services.need_domains import NeedDomain

from .patients import ContactMethod, Patient


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


class ReferralSource(models.TextChoices):
    """Who asked for the referral: the one list every route in, the triage queue and the
    reports use."""

    GP = "gp", "GP"
    PRACTICE_NURSE = "practice_nurse", "Practice nurse"
    PRACTICE_STAFF = "practice_staff", "Other practice staff"
    SELF = "self", "Self-referral"
    FAMILY_OR_CARER = "family_or_carer", "Family member or carer"
    HOSPITAL_DISCHARGE = "hospital_discharge", "Hospital discharge team"
    COMMUNITY_ORGANISATION = "community_organisation", "Community organisation"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    PROACTIVE = "proactive", "Proactive identification"
    OTHER = "other", "Other"


# The sources a signed-in practice user picks from (web form and REST API): who at the practice.
PRACTICE_SOURCES: tuple[str, ...] = (
    ReferralSource.GP,
    ReferralSource.PRACTICE_NURSE,
    ReferralSource.PRACTICE_STAFF,
)
# The public self-referral page: the person themselves, or someone on their behalf.
PUBLIC_SOURCES: tuple[str, ...] = (ReferralSource.SELF, ReferralSource.FAMILY_OR_CARER)


OPEN_STATUSES = (ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)
# An open case: accepted by the team and not yet ended, so it takes casework (goals, measures,
# plan, reviews, onward referrals) and sits on a caseload.
OPEN_CASE_STATUSES = (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)
# A case, open or closed: a referral the team accepted (declined ones never were).
CASE_STATUSES = (*OPEN_CASE_STATUSES, ReferralStatus.CLOSED)


class ReferralAction(models.TextChoices):
    """What can be done to a referral's status: the names pages, API and tests use."""

    ACCEPT = "accept", "Accept and assign"
    DECLINE = "decline", "Decline"
    FIRST_CONTACT = "first_contact", "Record first contact"
    UNABLE_TO_CONTACT = "unable_to_contact", "Unable to contact"
    CLOSE = "close", "Close with an outcome"
    PATIENT_DECLINED = "patient_declined", "Patient declined"


_R, _A, _TEAM = ReferralStatus, ReferralAction, (Party.TEAM,)
# The referral's machine. The team is the receiving coordinator team; the referrer, the practice
# that referred. Each row: action: Transition(from-states, to-state, who may, audit event).
REFERRAL_MACHINE = StateMachine(
    initial=_R.RECEIVED,
    transitions={
        _A.ACCEPT: Transition((_R.RECEIVED,), _R.ACCEPTED, _TEAM, "accept"),
        _A.DECLINE: Transition((_R.RECEIVED,), _R.DECLINED, _TEAM, "decline"),
        _A.FIRST_CONTACT: Transition((_R.ACCEPTED,), _R.IN_PROGRESS, _TEAM, "first_contact"),
        _A.UNABLE_TO_CONTACT: Transition((_R.ACCEPTED,), _R.CLOSED, _TEAM, "close"),
        _A.CLOSE: Transition((_R.IN_PROGRESS,), _R.CLOSED, _TEAM, "close"),
        _A.PATIENT_DECLINED: Transition(
            (_R.RECEIVED, _R.ACCEPTED),
            _R.PATIENT_DECLINED,
            (Party.TEAM, Party.REFERRER),
            "patient_declined",
        ),
    },
)


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


# The triage queue's sort keys, the same expressions in the query and in its index.
URGENCY_RANK = Case(When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1))
RISK_RANK = Case(When(risk_flag=True, then=Value(0)), default=Value(1))


def new_reference() -> str:
    """A short reference people can read out on the phone: no 0/O or 1/I to confuse."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "SP-" + "".join(secrets.choice(alphabet) for _ in range(8))


class ReferralQuerySet(models.QuerySet["Referral"]):
    def open(self) -> Self:
        return self.filter(status__in=OPEN_STATUSES)

    def cases(self) -> Self:
        return self.filter(status__in=CASE_STATUSES, accepted_at__isnull=False)

    def open_cases(self) -> Self:
        return self.filter(status__in=OPEN_CASE_STATUSES)

    def triage_order(self) -> Self:
        """Urgent first, then those flagged with a risk, then the longest waiting: the order
        `referral_triage_queue_idx` holds."""
        return self.annotate(urgency_rank=URGENCY_RANK, risk_rank=RISK_RANK).order_by(
            "urgency_rank", "risk_rank", "received_at", "id"
        )


class Referral(models.Model):
    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals")
    referring_practice = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_made"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    # Indexed with the patient below (referral_team_patient_idx), which serves team lookups too.
    team = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_received", db_index=False
    )
    reasons = models.JSONField(default=list, help_text="Need domain codes.")
    help_wanted = models.TextField(
        "what the patient would like help with", **bounded_text(NARRATIVE_MAX_LENGTH)
    )
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    source = models.CharField(
        "referral source", max_length=30, choices=ReferralSource.choices, default=ReferralSource.GP
    )
    identity_checked = models.BooleanField(
        default=True,
        help_text="False for a public self-referral: nobody has checked who the person is yet. "
        "The coordinator confirms it at first contact, and only then matches a known patient.",
    )
    identity_checked_at = models.DateTimeField(null=True, blank=True)
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referrer_name = models.CharField(
        "name of who referred",
        max_length=100,
        blank=True,
        help_text="A carer, family member or community worker referring on someone's behalf.",
    )
    referrer_relationship = models.CharField(
        "relationship to the person", max_length=100, blank=True
    )
    referrer_contact = models.CharField("how to reach who referred", max_length=200, blank=True)
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
    contact_attempts = models.PositiveSmallIntegerField(
        default=0,
        help_text="How many attempts the unable-to-contact closure counted: the number of "
        "ContactAttempt rows when they were recorded one by one (older referrals: the count "
        "given at closure).",
    )
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
    # Also moved by a message back to the practice (services.record_message_back_sent): the
    # message is an output of the referral's FHIR Task, so polling must see it.
    updated_at = models.DateTimeField(
        auto_now=True,
        help_text="When the referral last changed status: FHIR Task.meta.lastUpdated and the "
        "practice systems' `_lastUpdated` polling read it.",
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
                URGENCY_RANK,
                RISK_RANK,
                F("received_at"),
                F("id"),
                condition=Q(status=ReferralStatus.RECEIVED),
                name="referral_triage_queue_idx",
            ),
            models.Index(
                fields=["referring_practice", "received_at"], name="referral_practice_idx"
            ),
            # A practice's and a team's systems poll for what changed since they last looked.
            models.Index(
                fields=["referring_practice", "updated_at", "id"], name="referral_practice_upd_idx"
            ),
            models.Index(fields=["team", "updated_at", "id"], name="referral_team_upd_idx"),
            # The team's patients from the index alone: patient search joins a name's matches
            # to them (a hash of 10k ids at 100k patients instead of a probe per match).
            models.Index(fields=["team", "patient"], name="referral_team_patient_idx"),
            # My caseload in its own order: a page of a coordinator's open cases by next review.
            models.Index(
                fields=["assigned_to", "next_review_at", "accepted_at", "id"],
                condition=Q(status__in=list(OPEN_CASE_STATUSES)),
                name="referral_caseload_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_case(self) -> bool:
        return self.accepted_at is not None and self.status in CASE_STATUSES

    @property
    def is_open_case(self) -> bool:
        return self.status in OPEN_CASE_STATUSES

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

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.referral}: {self.from_status or '—'} → {self.to_status}"
