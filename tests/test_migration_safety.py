"""Safe rolling deploys: while a migration runs, the previous release is still serving, so a
migration must not break its code (a column dropped or renamed in one step, a NOT NULL column
added without a database default). django-migration-linter reads each migration's SQL and
refuses those; a migration that really must do one says so with
`django_migration_linter.IgnoreMigration()` among its operations, in review.
"""

import re
from pathlib import Path

import pytest
from django.db import connection, models
from django_migration_linter import MigrationLinter
from django_migration_linter.sql_analyser.analyser import (
    analyse_sql_statements,
    get_sql_analyser_class,
)

from referrals.models import Patient

pytestmark = pytest.mark.postgres

OUR_APPS = ["accounts", "community_services", "referrals", "coordinators"]
# Migrations that were deployed before the linter, each checked by hand then (the baseline);
# every later migration is linted. Listed by name: the linter matches names, not apps.
BASELINE = {
    # accounts: hash_scheme added NOT NULL; every row was given scheme 1 by the migration.
    "0006_audit_hmac_scheme_and_client_request_id",
    # referrals: NOT NULL columns with a default, added before any release read them.
    "0003_reminder_links_and_patient_reported_attendance",
    "0010_referral_source",
    # Written on branches beside the linter and merged with it, checked by hand: each NOT NULL
    # column has a default that the migration sets for every row, each index is on a new column
    # or a table small at deploy time, and the new unique ids are backfilled before the constraint.
    "0009_council_referrers_and_practice_leads",
    "0007_service_schedules_postcodes_service_at_location_ids",
    "0011_patient_ethnic_category",
    "0011_patient_search_self_referral_and_contact_attempts",
    "0011_referral_updated_at",
}


def test_every_migration_after_the_baseline_is_safe_for_a_rolling_deploy(db):
    linter = MigrationLinter(
        include_apps=OUR_APPS,
        ignore_name=sorted(BASELINE),
        no_cache=True,
        quiet=["ok", "ignore"],  # what it refuses, and why, is printed with a failure
    )
    linter.lint_all_migrations()
    assert linter.nb_valid > 0
    assert linter.nb_erroneous == 0, "a migration would break the release still running"


def _issues(change) -> list[str]:
    with connection.schema_editor(collect_sql=True) as editor:
        change(editor)
    errors, _, _ = analyse_sql_statements(
        get_sql_analyser_class(connection.vendor), editor.collected_sql
    )
    return [issue.code for issue in errors]


def test_the_linter_refuses_dropping_a_column_in_one_step(db):
    issues = _issues(lambda editor: editor.remove_field(Patient, Patient._meta.get_field("phone")))
    assert "DROP_COLUMN" in issues


def test_the_linter_refuses_a_not_null_column_without_a_default(db):
    field = models.CharField(max_length=10)
    field.set_attributes_from_name("new_required_column")
    field.model = Patient
    assert "NOT_NULL" in _issues(lambda editor: editor.add_field(Patient, field))


def test_the_linter_allows_a_not_null_column_with_a_database_default(db):
    field = models.CharField(max_length=10, db_default="x")
    field.set_attributes_from_name("new_column_with_default")
    field.model = Patient
    assert not _issues(lambda editor: editor.add_field(Patient, field))


def test_every_data_migration_reads_and_writes_the_database_it_is_migrating():
    """A data migration's `Model.objects` without `.using(schema_editor.connection.alias)` reads
    and writes the primary while another database (the replica's, in the tests) is migrated:
    there it found the primary already past a later migration and failed."""
    root = Path(__file__).resolve().parent.parent
    for path in sorted(root.glob("*/migrations/0*.py")):
        text = path.read_text()
        if "RunPython" in text:
            assert not re.search(r"\.objects\.(?!using\()", text), path.relative_to(root)
