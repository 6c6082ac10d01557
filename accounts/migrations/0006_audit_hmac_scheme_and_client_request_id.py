"""Events from now on are HMAC-chained (scheme 2); the events already written keep their plain
SHA-256 hashes (scheme 1) and are verified as such. The client's X-Request-ID gets its own field."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_audit_event_team_scope")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="hash_scheme",
            field=models.PositiveSmallIntegerField(
                choices=[
                    (1, "SHA-256 (before the audit key)"),
                    (2, "HMAC-SHA256 with the audit key"),
                ],
                default=1,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="client_request_id",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
    ]
