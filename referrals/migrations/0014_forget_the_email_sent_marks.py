"""The code no longer reads or writes the two sent marks (reminders replaced them). Their columns
stay in the database for now, nullable and unused, so the release still running during a rolling
deploy keeps working; a later release drops them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("referrals", "0013_referrer_and_provider_emails_become_reminders")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="referralevent", name="referrer_emailed_at"),
                migrations.RemoveField(model_name="providerlink", name="emailed_at"),
            ],
            database_operations=[],
        )
    ]
