"""DRF's plain `authtoken` tokens are gone: they were stored in clear, never expired and skipped
two-factor authentication. Their table is dropped (every such token stops working) and
rest_framework.authtoken's migration records removed; people ask for a knox token instead
(POST /api/v1/auth/token/). Not reversible in substance: the reverse does nothing."""

from django.db import migrations

PLAIN_TOKEN_TABLE = "authtoken_token"  # noqa: S105 - a table name


def drop_plain_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if PLAIN_TOKEN_TABLE in connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(PLAIN_TOKEN_TABLE)}")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_api_token_grants")]

    operations = [migrations.RunPython(drop_plain_tokens, migrations.RunPython.noop)]
