import uuid

import django.db.models.deletion
from django.db import migrations, models

import common.input_limits


def derive_service_at_location_ids(apps, schema_editor):
    """The ids the feed has published so far (uuid5 of the service id and the location's), so
    consumers holding one can still ask for it."""
    Location = apps.get_model("community_services", "Location")
    db = schema_editor.connection.alias
    for location in Location.objects.using(db).select_related("service").iterator():
        location.service_at_location_id = uuid.uuid5(
            location.service.public_id, f"service_at_location:{location.public_id}"
        )
        location.save(using=db, update_fields=["service_at_location_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("community_services", "0006_event_date_window"),
    ]

    operations = [
        migrations.AddField(
            model_name="location",
            name="service_at_location_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(derive_service_at_location_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="location",
            name="service_at_location_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddIndex(
            model_name="location",
            index=models.Index(fields=["latitude", "longitude"], name="location_coordinates_idx"),
        ),
        migrations.CreateModel(
            name="Postcode",
            fields=[
                ("postcode", models.CharField(max_length=8, primary_key=True, serialize=False)),
                ("latitude", models.DecimalField(decimal_places=6, max_digits=9)),
                ("longitude", models.DecimalField(decimal_places=6, max_digits=9)),
            ],
            options={"ordering": ["postcode"]},
        ),
        migrations.CreateModel(
            name="ServiceSchedule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "freq",
                    models.CharField(
                        choices=[("WEEKLY", "Weekly"), ("MONTHLY", "Monthly")],
                        default="WEEKLY",
                        max_length=10,
                        verbose_name="How often",
                    ),
                ),
                ("interval", models.PositiveSmallIntegerField(default=1, verbose_name="Every")),
                ("byday", models.CharField(max_length=60, verbose_name="Days")),
                ("opens_at", models.TimeField(verbose_name="Starts at")),
                ("closes_at", models.TimeField(verbose_name="Ends at")),
                (
                    "valid_from",
                    models.DateField(
                        blank=True,
                        null=True,
                        validators=[common.input_limits.validate_event_date],
                    ),
                ),
                (
                    "valid_to",
                    models.DateField(
                        blank=True,
                        null=True,
                        validators=[common.input_limits.validate_event_date],
                    ),
                ),
                ("description", models.CharField(blank=True, max_length=200)),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="schedules",
                        to="community_services.service",
                    ),
                ),
            ],
            options={
                "ordering": ["id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("opens_at__lt", models.F("closes_at"))),
                        name="service_schedule_ordered",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("valid_from__isnull", True),
                            ("valid_to__isnull", True),
                            ("valid_from__lte", models.F("valid_to")),
                            _connector="OR",
                        ),
                        name="service_schedule_dates_ordered",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("interval__gte", 1)),
                        name="service_schedule_interval",
                    ),
                ],
            },
        ),
    ]
