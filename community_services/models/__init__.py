"""The directory: providers, their services and locations, the vetting machine and record.

Shaped after Open Referral HSDS 3.0 (organization, service, location, schedule) so the feed in
`hsds/` is a straight mapping; every public id is a UUID because HSDS ids are.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind
from common.input_limits import (
    NARRATIVE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    bounded_text,
    validate_event_date,
)
from common.state_machine import Party, StateMachine, Transition

from ..need_domains import NeedDomain
from .postcodes import Postcode as Postcode
from .session_times import ScheduleFrequency as ScheduleFrequency
from .session_times import ServiceSchedule as ServiceSchedule


class Provider(models.Model):
    """A community organisation that runs services (an HSDS organization)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(**bounded_text(NARRATIVE_MAX_LENGTH))
    charity_number = models.CharField(max_length=20, blank=True)
    company_number = models.CharField(max_length=20, blank=True)
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    organisation = models.OneToOneField(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="provider",
        limit_choices_to={"kind": OrganisationKind.SERVICE_PROVIDER},
        help_text="The provider organisation whose users may respond to onward referrals.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for vetting"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SUSPENDED = "suspended", "Suspended"
    EXPIRED = "expired", "Vetting expired"


class VettingAction(models.TextChoices):
    """What can be done to a service's vetting status: the names pages, API and tests use."""

    SUBMIT = "submit", "Submit for vetting"
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"
    SUSPEND = "suspend", "Suspend"
    REINSTATE = "reinstate", "Reinstate"
    EXPIRE = "expire", "Expire"
    RENEW = "renew", "Renew vetting"


_V, _A, _VETTER = ServiceStatus, VettingAction, (Party.VETTER,)
# The vetting machine. Approval needs a vetter other than the one who submitted or last edited
# the service; the importer submits what it imports; the daily sweep expires lapsed vetting.
# Each row: action: Transition(from-states, to-state, who may, audit event).
VETTING_MACHINE = StateMachine(
    initial=_V.DRAFT,
    transitions={
        _A.SUBMIT: Transition(
            (_V.DRAFT, _V.REJECTED, _V.EXPIRED, _V.SUSPENDED),
            _V.SUBMITTED,
            (Party.VETTER, Party.SYSTEM),
            "service.submitted",
        ),
        _A.APPROVE: Transition((_V.SUBMITTED,), _V.APPROVED, _VETTER, "service.approved"),
        _A.REJECT: Transition((_V.SUBMITTED,), _V.REJECTED, _VETTER, "service.rejected"),
        _A.SUSPEND: Transition((_V.APPROVED,), _V.SUSPENDED, _VETTER, "service.suspended"),
        _A.REINSTATE: Transition((_V.SUSPENDED,), _V.APPROVED, _VETTER, "service.approved"),
        _A.EXPIRE: Transition((_V.APPROVED,), _V.EXPIRED, (Party.SYSTEM,), "service.expired"),
        # Renewal keeps an approved service approved (and in the directory) while the checklist
        # is done again, by a vetter other than its submitter or last editor, for a new date.
        _A.RENEW: Transition((_V.APPROVED,), _V.APPROVED, _VETTER, "service.vetting_renewed"),
    },
)


class Capacity(models.TextChoices):
    ACCEPTING = "accepting", "Accepting referrals"
    WAITING_LIST = "waiting_list", "Waiting list"
    PAUSED = "paused", "Paused"


class DeliveryMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By phone"
    ONLINE = "online", "Online"
    HOME_VISIT = "home_visit", "Home visit"


# Each delivery mode is a boolean column: cheap to filter on every database.
DELIVERY_MODE_FIELDS: dict[str, str] = {
    DeliveryMode.IN_PERSON: "delivered_in_person",
    DeliveryMode.PHONE: "delivered_by_phone",
    DeliveryMode.ONLINE: "delivered_online",
    DeliveryMode.HOME_VISIT: "delivered_by_home_visit",
}


class ServiceQuerySet(models.QuerySet):
    def referable(self, *, on=None) -> "ServiceQuerySet":
        """The one rule: approved, vetting current through `on` (today), capacity not paused."""
        day = on or timezone.localdate()
        return self.filter(status=ServiceStatus.APPROVED, vetted_until__gte=day).exclude(
            capacity=Capacity.PAUSED
        )

    def with_listing_data(self) -> "ServiceQuerySet":
        # The search vector is for filtering only: not fetched, parsed and thrown away.
        return (
            self.select_related("provider").prefetch_related("need_domains").defer("search_vector")
        )

    def vetting_lapsed(self, *, on=None) -> "ServiceQuerySet":
        day = on or timezone.localdate()
        return self.filter(status=ServiceStatus.APPROVED, vetted_until__lt=day)


class Service(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    description = models.TextField(**bounded_text(NARRATIVE_MAX_LENGTH))
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    eligibility_criteria = models.TextField(blank=True, **bounded_text(NOTE_MAX_LENGTH))
    is_free = models.BooleanField(default=True)
    fees_description = models.TextField(blank=True, **bounded_text(NOTE_MAX_LENGTH))
    delivered_in_person = models.BooleanField(default=False)
    delivered_by_phone = models.BooleanField(default=False)
    delivered_online = models.BooleanField(default=False)
    delivered_by_home_visit = models.BooleanField(default=False)
    how_to_access = models.TextField(blank=True, **bounded_text(NOTE_MAX_LENGTH))
    languages = models.CharField(
        max_length=200, blank=True, help_text="Comma-separated, for example: English, Polish."
    )
    contact_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    website = models.URLField(blank=True)
    capacity = models.CharField(max_length=20, choices=Capacity.choices, default=Capacity.ACCEPTING)
    expected_wait_weeks = models.PositiveSmallIntegerField(null=True, blank=True)

    status = models.CharField(
        max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.DRAFT, db_index=True
    )
    status_reason = models.TextField(blank=True, **bounded_text(NOTE_MAX_LENGTH))
    vetted_until = models.DateField(null=True, blank=True, validators=[validate_event_date])
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the directory content last changed (HSDS last_modified); status changes do not count.
    modified_at = models.DateTimeField(default=timezone.now)
    # Maintained by services.py on PostgreSQL (GIN-indexed); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(minimum_age__lte=models.F("maximum_age")),
                name="service_age_range_ordered",
            ),
        ]
        # Lists in name order (the HSDS feed, a directory search without words) read the index
        # in order and stop after a page, instead of sorting every service.
        indexes = [models.Index(fields=["name", "id"], name="service_name_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def delivery_modes(self) -> list[str]:
        return [mode for mode, field in DELIVERY_MODE_FIELDS.items() if getattr(self, field)]

    @property
    def delivery_mode_labels(self) -> list[str]:
        return [DeliveryMode(mode).label for mode in self.delivery_modes]

    @property
    def need_domain_codes(self) -> list[str]:
        return sorted(link.domain for link in self.need_domains.all())

    @property
    def need_domain_labels(self) -> list[str]:
        return [NeedDomain(code).label for code in self.need_domain_codes]

    @property
    def language_list(self) -> list[str]:
        return [name.strip() for name in self.languages.split(",") if name.strip()]

    @property
    def vetting_actions(self) -> tuple[VettingAction, ...]:
        """What vetting may do next, by the vetting machine's table."""
        return VETTING_MACHINE.actions_from(self.status)

    @property
    def is_referable(self) -> bool:
        return Service.objects.referable().filter(pk=self.pk).exists()

    @property
    def capacity_summary(self) -> str:
        if self.capacity == Capacity.WAITING_LIST and self.expected_wait_weeks is not None:
            weeks = self.expected_wait_weeks
            return f"Waiting list, about {weeks} week{'s' if weeks != 1 else ''}"
        return self.get_capacity_display()


class ServiceNeedDomain(models.Model):
    """A service's category: one row per need domain it helps with."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="need_domains")
    domain = models.CharField(max_length=40, choices=NeedDomain.choices)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["service", "domain"], name="service_need_domain_unique")
        ]
        # Directory search filters by need domain: find the services without a scan.
        indexes = [models.Index(fields=["domain", "service"], name="service_need_domain_idx")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The domain's name: an enum lookup, where get_domain_display flattens every choice
        each time (a search page shows dozens)."""
        return NeedDomain(self.domain).label


class Location(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=200, blank=True)
    address_1 = models.CharField("Address line 1", max_length=200)
    address_2 = models.CharField("Address line 2", max_length=200, blank=True)
    city = models.CharField("Town or city", max_length=100)
    county = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # HSDS names the service at this location with an id of its own; kept so the feed can be
    # asked for it (GET /hsds/service_at_locations/{id}) and stays the same across exports.
    service_at_location_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["id"]
        # A search by distance first cuts a latitude band (geography.bounding_box) from this.
        indexes = [models.Index(fields=["latitude", "longitude"], name="location_coordinates_idx")]

    def __str__(self) -> str:
        return ", ".join(part for part in [self.name, self.address_1, self.postcode] if part)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OpeningTime(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="opening_times")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens_at = models.TimeField()
    closes_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=models.F("closes_at")), name="opening_time_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class ServiceStatusChange(models.Model):
    """One row per vetting transition: the service's own history of who moved it, and why."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=ServiceStatus.choices)
    to_status = models.CharField(max_length=20, choices=ServiceStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True, **bounded_text(NOTE_MAX_LENGTH))
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.service}: {self.from_status} → {self.to_status}"


class VettingDecision(models.TextChoices):
    APPROVED = "approved", "Approve"
    REJECTED = "rejected", "Reject"


class VettingReview(models.Model):
    """The checklist a vetter went through before approving or rejecting a service."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=20, choices=VettingDecision.choices)
    safeguarding_policy = models.BooleanField(
        "Safeguarding policy for adults at risk seen", default=False
    )
    public_liability_insurance = models.BooleanField(
        "Public liability insurance seen", default=False
    )
    insurance_expires_on = models.DateField(null=True, blank=True, validators=[validate_event_date])
    dbs_checks = models.BooleanField("DBS checks for staff and volunteers confirmed", default=False)
    data_protection = models.BooleanField(
        "Data protection policy and ICO registration confirmed", default=False
    )
    complaints_procedure = models.BooleanField("Complaints procedure seen", default=False)
    accessibility = models.BooleanField("Accessibility arrangements checked", default=False)
    notes = models.TextField(blank=True, **bounded_text(NARRATIVE_MAX_LENGTH))
    vetted_until = models.DateField(null=True, blank=True, validators=[validate_event_date])
    reviewed_at = models.DateTimeField(default=timezone.now)

    CHECKLIST = (
        "safeguarding_policy",
        "public_liability_insurance",
        "dbs_checks",
        "data_protection",
        "complaints_procedure",
        "accessibility",
    )

    class Meta:
        ordering = ["-reviewed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.service} on {self.reviewed_at:%Y-%m-%d}"


class ServiceVersion(models.Model):
    """What a material edit to an approved service changed, field by field (old → new)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="versions")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    changes = models.JSONField(help_text="{field: [old, new]}")

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.service} changed {self.changed_at:%Y-%m-%d %H:%M}"
