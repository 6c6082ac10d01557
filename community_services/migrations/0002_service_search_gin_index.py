"""A GIN index on the full-text search vector, on PostgreSQL only (SQLite has no GIN)."""

from django.db import migrations

INDEX = "community_services_service_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON community_services_service "
            "USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("community_services", "0001_directory_and_vetting")]

    operations = [migrations.RunPython(create_index, drop_index)]
