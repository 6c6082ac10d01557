import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with their email address; roles come from memberships."""

    username = None  # type: ignore[assignment]  # signs in with the email address
    email = models.EmailField("email address", unique=True)
    phone = models.CharField(max_length=30, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[misc, assignment]  # no username: not auth's manager

    class Meta:
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    @cached_property
    def cached_memberships(self) -> list["Membership"]:
        """Read once per user object. A request loads its user afresh, so this is one query per
        request however many role and team checks the request makes."""
        return sorted(
            self.memberships.select_related("organisation"),
            key=lambda m: (ROLE_ORDER.index(m.role), m.pk),
        )

    @cached_property
    def primary_membership(self) -> "Membership | None":
        """The membership that decides the home page and the header; the first by role order."""
        return self.cached_memberships[0] if self.cached_memberships else None

    @property
    def role(self) -> str | None:
        membership = self.primary_membership
        return membership.role if membership else None

    def has_role(self, *roles: str) -> bool:
        """The one role check: pages (`role_required`), the API (`has_role`) and services."""
        return any(membership.role in roles for membership in self.cached_memberships)

    @property
    def team_ids(self) -> list[int]:
        """The coordinator teams the user works in, as a coordinator or a manager."""
        return [m.organisation_id for m in self.cached_memberships if m.role in TEAM_ROLES]

    def is_team_member(self, team_id: int) -> bool:
        """In the coordinator team `team_id`: who may triage its referrals and work its cases."""
        return team_id in self.team_ids

    @cached_property
    def commissioned_team_ids(self) -> list[int]:
        """The coordinator teams paid for by the organisations the user is a commissioner of:
        the one rule of what a commissioner's reports cover (one query, once per request)."""
        organisations = [
            m.organisation_id for m in self.cached_memberships if m.role == Role.COMMISSIONER
        ]
        if not organisations:
            return []
        through = Organisation.commissioned_teams.through
        return sorted(
            set(
                through.objects.filter(from_organisation_id__in=organisations).values_list(
                    "to_organisation_id", flat=True
                )
            )
        )


class OrganisationKind(models.TextChoices):
    GP_PRACTICE = "gp_practice", "GP practice"
    COORDINATOR_TEAM = "coordinator_team", "Coordinator team"
    SERVICE_PROVIDER = "service_provider", "Service provider"
    DIRECTORY_TEAM = "directory_team", "Directory team"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    COMMISSIONER = "commissioner", "Commissioning organisation"


class Role(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    COORDINATOR = "coordinator", "Coordinator"
    MANAGER = "manager", "Manager"
    VETTER = "vetter", "Vetter"
    PROVIDER = "provider", "Provider"
    COUNCIL_REFERRER = "council_referrer", "Council referrer"
    COMMISSIONER = "commissioner", "Commissioner"


# The members of a coordinator team: who triages its referrals, holds its cases and sees its work.
TEAM_ROLES: tuple[str, ...] = (Role.COORDINATOR, Role.MANAGER)

ROLE_ORDER: list[str] = [
    Role.MANAGER,
    Role.COORDINATOR,
    Role.VETTER,
    Role.REFERRER,
    Role.PROVIDER,
    Role.COUNCIL_REFERRER,
    Role.COMMISSIONER,
]

# Which kind of organisation each role belongs to.
ROLE_ORGANISATION_KIND: dict[str, str] = {
    Role.REFERRER: OrganisationKind.GP_PRACTICE,
    Role.COORDINATOR: OrganisationKind.COORDINATOR_TEAM,
    Role.MANAGER: OrganisationKind.COORDINATOR_TEAM,
    Role.VETTER: OrganisationKind.DIRECTORY_TEAM,
    Role.PROVIDER: OrganisationKind.SERVICE_PROVIDER,
    Role.COUNCIL_REFERRER: OrganisationKind.LOCAL_AUTHORITY,
    Role.COMMISSIONER: OrganisationKind.COMMISSIONER,
}


class Organisation(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    ods_code = models.CharField(
        "ODS code", max_length=10, blank=True, help_text="NHS Organisation Data Service code."
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    commissioned_teams = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="commissioners",
        limit_choices_to={"kind": "coordinator_team"},
        help_text="For a commissioning organisation: the coordinator teams it pays for, whose "
        "aggregated reports its commissioners read.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "kind"], name="organisation_unique_name_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    is_practice_lead = models.BooleanField(
        "practice lead",
        default=False,
        help_text="A referrer who may upload the practice's case-finding lists.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.organisation}"

    def clean(self) -> None:
        expected = ROLE_ORGANISATION_KIND.get(self.role)
        if expected and self.organisation_id and self.organisation.kind != expected:
            raise ValidationError(
                {
                    "organisation": f"A {self.get_role_display().lower()} must belong to a "
                    f"{OrganisationKind(expected).label.lower()}."
                }
            )


class AuditEventQuerySet(models.QuerySet):
    """Append-only: bulk updates and deletes are refused before they reach the database."""

    def update(self, **kwargs):
        raise AuditTrailIsAppendOnly("Audit events cannot be updated.")

    def delete(self):
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")


class AuditTrailIsAppendOnly(Exception):
    pass


class AuditHashScheme(models.IntegerChoices):
    """How an event's hash was made: plain SHA-256 before the key existed, then HMAC-SHA256."""

    SHA256 = 1, "SHA-256 (before the audit key)"
    HMAC_SHA256 = 2, "HMAC-SHA256 with the audit key"


class AuditEvent(models.Model):
    """One row per view or change of sensitive data; rows are hash-chained and never change."""

    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    # Indexed in Meta, not with db_index: on PostgreSQL a db_index (or unique) CharField also
    # gets a second, pattern-matching copy, which nothing here searches by (LIKE) and every
    # append (the busiest write there is) would keep up to date.
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64, blank=True)
    patient_id = models.CharField(max_length=64, blank=True)
    team = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The coordinator team whose case this is about: scopes what a manager sees.",
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # Ours, made for every request; the client's own X-Request-ID is kept apart, untrusted.
    request_id = models.CharField(max_length=64, blank=True)
    client_request_id = models.CharField(max_length=64, blank=True, default="")
    detail = models.CharField(max_length=500, blank=True)
    # Which of the AUDIT_CHAIN_STREAMS chains the event is in (accounts.audit_chain).
    stream = models.PositiveSmallIntegerField(default=0, db_default=0)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    hash_scheme = models.PositiveSmallIntegerField(choices=AuditHashScheme.choices)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            # Each chain's head (appends, checkpoints) and its walk in order (verification).
            models.Index(fields=["stream", "id"], name="audit_stream_idx"),
            models.Index(fields=["action"], name="audit_action_idx"),
            models.Index(fields=["patient_id"], name="audit_patient_idx"),
        ]
        constraints = [models.UniqueConstraint(fields=["hash"], name="audit_hash_unique")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditTrailIsAppendOnly("Audit events cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")

    @property
    def actor_display(self) -> str:
        """Who, for people: a job runs outside any request (no request id), a visitor inside."""
        return self.actor_label or ("anonymous" if self.request_id else "system")


class Notification(models.Model):
    """An in-app notice for one person; the notification centre grows from this."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    verb = models.CharField(max_length=40)
    message = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    reminder = models.OneToOneField(
        "Reminder", null=True, blank=True, on_delete=models.SET_NULL, related_name="notification"
    )
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.message}"


class ReminderChannel(models.TextChoices):
    IN_APP = "in_app", "In-app notification"
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class ReminderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CLAIMED = "claimed", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Not sent"


# What makes a reminder the same reminder: the unique key, also used to skip existing ones.
REMINDER_KEY_FIELDS = ("kind", "target_type", "target_id", "occurrence", "recipient_key", "channel")


class Reminder(models.Model):
    """One message that is due: created once per (kind, target, occurrence, recipient, channel)
    under a unique constraint, then delivered by its own idempotent task."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=64)
    occurrence = models.CharField(max_length=64)
    recipient = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    recipient_key = models.CharField(
        max_length=64, help_text="user:<id> or patient:<id>, the person the message is for."
    )
    address = models.CharField(max_length=254, blank=True)
    channel = models.CharField(max_length=10, choices=ReminderChannel.choices)
    team = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The coordinator team whose work this is about (scopes the operations page).",
    )
    link = models.CharField(max_length=300, blank=True)
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    stale_after = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Past this moment the message is no longer worth sending (a link in it has "
        "expired): delivery skips it instead.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=list(REMINDER_KEY_FIELDS),
                name="reminder_once_per_occurrence_recipient_channel",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="reminder_status_due_idx"),
            models.Index(fields=["status", "claimed_at"], name="reminder_status_claimed_idx"),
        ]

    def __str__(self) -> str:
        target = f"{self.target_type}:{self.target_id}"
        return f"{self.kind} {target} → {self.recipient_key} ({self.channel})"


class JobRun(models.Model):
    """One run of a sweep: when it started and finished, and how many reminders it created."""

    kind = models.CharField(max_length=60, db_index=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.started_at:%Y-%m-%d %H:%M}"


class APITokenGrant(models.Model):
    """How a knox API token was issued, and when it was last used.

    Knox stores only a hash of the token, its expiry and its user; a token of someone whose role
    needs two-factor authentication is honoured only if it was issued from a session that passed
    the second factor, and an unused token lapses like an idle session.
    """

    token = models.OneToOneField(
        "knox.AuthToken", primary_key=True, on_delete=models.CASCADE, related_name="grant"
    )
    mfa_verified = models.BooleanField(default=False)
    last_used_at = models.DateTimeField()

    def __str__(self) -> str:
        # The primary key is the token's digest: not something to show.
        return f"API token grant ({'with' if self.mfa_verified else 'without'} two-factor)"
