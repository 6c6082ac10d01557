"""The second step of 0014: the two sent marks' columns go. No release since 0014 reads or
writes them (reminders replaced them), so the release still running during this deploy does
not miss them; dropping a column is therefore safe here, which the migration linter is told."""

from django.db import migrations
from django_migration_linter import IgnoreMigration

COLUMNS = (
    ("referrals_referralevent", "referrer_emailed_at"),
    ("referrals_providerlink", "emailed_at"),
)


def drop_columns(apps, schema_editor):
    for table, column in COLUMNS:
        schema_editor.execute(
            f"ALTER TABLE {schema_editor.quote_name(table)} "
            f"DROP COLUMN {schema_editor.quote_name(column)}"
        )


def add_columns_back(apps, schema_editor):
    """As they were (nullable timestamps), empty: 0013's reverse fills them from the
    reminders when going back further."""
    kind = (
        "timestamp with time zone"
        if schema_editor.connection.vendor == "postgresql"
        else "datetime"
    )
    for table, column in COLUMNS:
        schema_editor.execute(
            f"ALTER TABLE {schema_editor.quote_name(table)} "
            f"ADD COLUMN {schema_editor.quote_name(column)} {kind} NULL"
        )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0017_patient_search_indexes")]

    operations = [
        IgnoreMigration(),
        migrations.RunPython(drop_columns, add_columns_back, elidable=False),
    ]
