"""A service's session times, shaped like HSDS 3.0 `schedule` (community_services.schedules has
the rules of its parts)."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from common.input_limits import validate_event_date

from ..schedules import describe, validate_byday


class ScheduleFrequency(models.TextChoices):
    WEEKLY = "WEEKLY", "Weekly"
    MONTHLY = "MONTHLY", "Monthly"


class ServiceSchedule(models.Model):
    """When a service's sessions happen, shaped like an HSDS 3.0 `schedule` (an RFC 5545 rule):
    `freq` with `interval` (2 weekly is fortnightly), `byday` as RRULE days ("TU", "MO,TH";
    monthly ones may carry the week: "1WE", "-1FR"), the session's times and the dates it holds."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(
        "community_services.Service", on_delete=models.CASCADE, related_name="schedules"
    )
    freq = models.CharField(
        "How often", max_length=10, choices=ScheduleFrequency.choices, default="WEEKLY"
    )
    interval = models.PositiveSmallIntegerField("Every", default=1)
    byday = models.CharField("Days", max_length=60)
    opens_at = models.TimeField("Starts at")
    closes_at = models.TimeField("Ends at")
    valid_from = models.DateField(null=True, blank=True, validators=[validate_event_date])
    valid_to = models.DateField(null=True, blank=True, validators=[validate_event_date])
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=models.F("closes_at")), name="service_schedule_ordered"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=models.F("valid_to")),
                name="service_schedule_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(interval__gte=1), name="service_schedule_interval"),
        ]

    def __str__(self) -> str:
        return f"{self.summary}, {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    @property
    def summary(self) -> str:
        return describe(freq=self.freq, interval=self.interval, byday=self.byday)

    def clean(self) -> None:
        if self.byday:  # an empty one is the field's own "required" error
            validate_byday(freq=self.freq, byday=self.byday)
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": "The session must end after it starts."})
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValidationError({"valid_to": "The last date must be on or after the first."})
