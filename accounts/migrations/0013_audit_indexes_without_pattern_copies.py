"""The audit trail's indexes without PostgreSQL's pattern-matching copies.

A db_index or unique CharField gets, on PostgreSQL, a second index (varchar_pattern_ops) for
LIKE searches. Nothing searches the trail that way, and every append (the busiest write there
is: one row per record on every list page) kept three of them up to date: an append of 174 rows
took 10-12 ms with them and 8-9 ms without (bench database, 300k events).

On PostgreSQL the existing indexes and the hash's unique constraint are renamed to the names
the model now gives them, and the copies dropped: no index is rebuilt, so a large trail
migrates at once and appends never wait. Elsewhere (SQLite for `make run`) the ordinary
operations run.
"""

import re

from django.db import migrations, models

TABLE = "accounts_auditevent"
RENAMED = {"action": "audit_action_idx", "patient_id": "audit_patient_idx"}
UNIQUE_HASH = "audit_hash_unique"
_ONE_COLUMN = re.compile(r"USING btree \((\w+)( varchar_pattern_ops)?\)$")


def _indexes(cursor) -> dict[str, str]:
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes "
        "WHERE schemaname = current_schema() AND tablename = %s",
        [TABLE],
    )
    return dict(cursor.fetchall())


def _hash_constraint(cursor) -> str:
    cursor.execute(
        """
        SELECT c.conname FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.conrelid = %s::regclass AND c.contype = 'u' AND a.attname = 'hash'
          AND array_length(c.conkey, 1) = 1
        """,
        [TABLE],
    )
    return cursor.fetchone()[0]


def rename_and_drop_copies(apps, schema_editor):
    """Reads the catalogue with a cursor, changes through the schema editor (so sqlmigrate
    and the migration linter see the statements rather than run them)."""
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        indexes, constraint = _indexes(cursor), _hash_constraint(cursor)
    for name, definition in indexes.items():
        found = _ONE_COLUMN.search(definition)
        if found is None or found.group(1) not in (*RENAMED, "hash"):
            continue
        if found.group(2):
            schema_editor.execute(f"DROP INDEX {quote(name)}")
        elif found.group(1) in RENAMED and "UNIQUE" not in definition:
            renamed = RENAMED[found.group(1)]
            if name != renamed:
                schema_editor.execute(f"ALTER INDEX {quote(name)} RENAME TO {renamed}")
    if constraint != UNIQUE_HASH:
        schema_editor.execute(
            f"ALTER TABLE {TABLE} RENAME CONSTRAINT {quote(constraint)} TO {UNIQUE_HASH}"
        )


def restore_names_and_copies(apps, schema_editor):
    """Back to what Django names a db_index and unique field, with their pattern copies."""
    name_of = schema_editor._create_index_name
    for column, renamed in RENAMED.items():
        schema_editor.execute(f"ALTER INDEX {renamed} RENAME TO {name_of(TABLE, [column])}")
    schema_editor.execute(
        f"ALTER TABLE {TABLE} RENAME CONSTRAINT {UNIQUE_HASH} TO {TABLE}_hash_key"
    )
    for column in (*RENAMED, "hash"):
        like = name_of(TABLE, [column], suffix="_like")
        schema_editor.execute(f"CREATE INDEX {like} ON {TABLE} ({column} varchar_pattern_ops)")


class RenameOnPostgreSQL(migrations.SeparateDatabaseAndState):
    """The state operations, carried out on PostgreSQL by renaming (database_operations) and
    elsewhere as themselves."""

    def _carried_out_by(self, schema_editor) -> migrations.SeparateDatabaseAndState:
        postgresql = schema_editor.connection.vendor == "postgresql"
        operations = self.database_operations if postgresql else self.state_operations
        return migrations.SeparateDatabaseAndState(database_operations=operations)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._carried_out_by(schema_editor).database_forwards(
            app_label, schema_editor, from_state, to_state
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._carried_out_by(schema_editor).database_backwards(
            app_label, schema_editor, from_state, to_state
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0012_reminder_stale_after")]

    operations = [
        RenameOnPostgreSQL(
            state_operations=[
                migrations.AddIndex(
                    model_name="auditevent",
                    index=models.Index(fields=["action"], name="audit_action_idx"),
                ),
                migrations.AddIndex(
                    model_name="auditevent",
                    index=models.Index(fields=["patient_id"], name="audit_patient_idx"),
                ),
                migrations.AddConstraint(
                    model_name="auditevent",
                    constraint=models.UniqueConstraint(fields=("hash",), name=UNIQUE_HASH),
                ),
                migrations.AlterField(
                    model_name="auditevent", name="action", field=models.CharField(max_length=40)
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="patient_id",
                    field=models.CharField(blank=True, max_length=64),
                ),
                migrations.AlterField(
                    model_name="auditevent", name="hash", field=models.CharField(max_length=64)
                ),
            ],
            database_operations=[
                migrations.RunPython(
                    rename_and_drop_copies, restore_names_and_copies, elidable=False
                )
            ],
        )
    ]
