import django.db.models.deletion
from django.db import migrations, models

TRIGRAM_INDEX = "patient_search_name_trgm_idx"


def index_names_at_once(apps, schema_editor):
    """New names go straight into the name search's GIN index (PostgreSQL only). With GIN's
    fast update they wait in a pending list, up to 4 MB, that every search reads through
    unindexed: a few thousand new patients made each search milliseconds slower."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {TRIGRAM_INDEX} SET (fastupdate = off)")
        schema_editor.execute(f"SELECT gin_clean_pending_list('{TRIGRAM_INDEX}'::regclass)")


def index_names_later(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {TRIGRAM_INDEX} RESET (fastupdate)")


class Migration(migrations.Migration):
    """Patient search at 100k patients: a referral's team indexed with its patient, so the
    search reads a team's patients from the index alone (it serves lookups by team too, so
    the team's own index goes, after the new one is built); and names indexed at once."""

    dependencies = [
        ("accounts", "0012_reminder_stale_after"),
        ("referrals", "0016_referral_information"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["team", "patient"], name="referral_team_patient_idx"),
        ),
        migrations.AlterField(
            model_name="referral",
            name="team",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="referrals_received",
                to="accounts.organisation",
            ),
        ),
        migrations.RunPython(index_names_at_once, index_names_later, elidable=False),
    ]
