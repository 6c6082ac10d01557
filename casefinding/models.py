"""Proactive case-finding: a practice's list of people its risk stratification found, and the
team's outreach to each of them until they accept a referral, decline, or do not answer."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.expressions import Combinable

from accounts.models import Organisation
from common.input_limits import NOTE_MAX_LENGTH, bounded_text
from common.state_machine import Party, StateMachine, Transition
from referrals.models import ContactMethod, ContactOutcome, Patient, Referral

# SNOMED CT: "Social prescribing declined (situation)", coded for the practice's record.
SOCIAL_PRESCRIBING_DECLINED = "871711000000103"


class EfiCategory(models.TextChoices):
    """Electronic Frailty Index bands: fit up to 0.12, mild to 0.24, moderate to 0.36,
    severe above."""

    FIT = "fit", "Fit"
    MILD = "mild", "Mild frailty"
    MODERATE = "moderate", "Moderate frailty"
    SEVERE = "severe", "Severe frailty"


# The worklist's first sort key: the more frail, the sooner contacted (fit or unknown last).
EFI_BAND_RANK = {
    EfiCategory.SEVERE: 3,
    EfiCategory.MODERATE: 2,
    EfiCategory.MILD: 1,
    EfiCategory.FIT: 0,
    "": 0,
}


class UploadStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to import"
    IMPORTING = "importing", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"


class CaseFindingUpload(models.Model):
    """One confirmed list. Its checked rows wait here for the import job, which turns them
    into outreach entries a chunk at a time and counts its progress for the page."""

    practice = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    file_sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=12, choices=UploadStatus.choices, default=UploadStatus.QUEUED
    )
    rows = models.JSONField(default=list, help_text="The checked rows, until imported.")
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created_entries = models.PositiveIntegerField(default=0)
    already_listed = models.PositiveIntegerField(default=0)
    patients_created = models.PositiveIntegerField(default=0)
    patients_matched = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.practice})"

    @property
    def percent_done(self) -> int:
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 100

    @property
    def finished(self) -> bool:
        return self.status in (UploadStatus.DONE, UploadStatus.FAILED)


class OutreachStatus(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    TAKEN = "taken", "Being contacted"
    ACCEPTED = "accepted", "Accepted a referral"
    DECLINED = "declined", "Declined"
    NO_RESPONSE = "no_response", "No response"


OPEN_OUTREACH = (OutreachStatus.IDENTIFIED, OutreachStatus.TAKEN)


class OutreachAction(models.TextChoices):
    """What can be done to an outreach entry's status: the names pages and tests use."""

    TAKE = "take", "Take to contact"
    ACCEPT = "accept", "Accepted a referral"
    DECLINE = "decline", "Declined"
    NO_RESPONSE = "no_response", "No response"


_O, _OA, _TEAM = OutreachStatus, OutreachAction, (Party.TEAM,)
# The outreach entry's machine; the team is the practice's coordinator team.
OUTREACH_MACHINE = StateMachine(
    initial=_O.IDENTIFIED,
    transitions={
        _OA.TAKE: Transition((_O.IDENTIFIED,), _O.TAKEN, _TEAM, "outreach_take"),
        _OA.ACCEPT: Transition((_O.TAKEN,), _O.ACCEPTED, _TEAM, "outreach_accepted"),
        _OA.DECLINE: Transition((_O.IDENTIFIED, _O.TAKEN), _O.DECLINED, _TEAM, "outreach_declined"),
        _OA.NO_RESPONSE: Transition((_O.TAKEN,), _O.NO_RESPONSE, _TEAM, "outreach_no_response"),
    },
)


# The worklist's order, which outreach_worklist_idx follows: the most frail first, then the
# most long-term conditions, then the most admissions (unknown counts last).
WORKLIST_ORDER: list[str | Combinable] = [
    models.F("efi_rank").desc(),
    models.F("long_term_conditions").desc(nulls_last=True),
    models.F("admissions_last_12_months").desc(nulls_last=True),
    "id",
]


class OutreachEntry(models.Model):
    """One identified person on the team's worklist. What the practice's list said is kept
    here (`listed`); the patient's record is matched or created as at intake, never changed."""

    upload = models.ForeignKey(
        CaseFindingUpload, null=True, on_delete=models.SET_NULL, related_name="entries"
    )
    practice = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="outreach")
    listed = models.JSONField(default=dict, help_text="The row as the practice's list gave it.")
    efi_score = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    efi_category = models.CharField(max_length=10, choices=EfiCategory.choices, blank=True)
    efi_rank = models.PositiveSmallIntegerField(default=0, help_text="Severe 3 … fit/unknown 0.")
    long_term_conditions = models.PositiveSmallIntegerField(null=True, blank=True)
    admissions_last_12_months = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True, **bounded_text(NOTE_MAX_LENGTH))
    status = models.CharField(
        max_length=12, choices=OutreachStatus.choices, default=OutreachStatus.IDENTIFIED
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    referral = models.OneToOneField(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="outreach"
    )
    snomed_code = models.CharField("SNOMED CT code for the practice", max_length=20, blank=True)
    declined_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = WORKLIST_ORDER
        constraints = [
            # A re-uploaded list adds nobody twice: one open entry per person per team.
            models.UniqueConstraint(
                fields=["team", "patient"],
                condition=Q(status__in=["identified", "taken"]),
                name="outreach_one_open_entry_per_patient",
            ),
        ]
        indexes = [
            models.Index(
                "team",
                "status",
                models.F("efi_rank").desc(),
                models.F("long_term_conditions").desc(nulls_last=True),
                models.F("admissions_last_12_months").desc(nulls_last=True),
                "id",
                name="outreach_worklist_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_OUTREACH


class OutreachAttempt(models.Model):
    entry = models.ForeignKey(OutreachEntry, on_delete=models.CASCADE, related_name="attempts")
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
        return f"{self.attempted_on:%-d %b %Y}: {self.get_method_display()}"
