from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from accounts.database_roles import app_role_statements


class Command(BaseCommand):
    help = (
        "Print (or, with --execute, run as the migration role) the GRANTs that let the app's "
        "PostgreSQL role read and append to the audit trail but never change it. Run it again "
        "after every migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--app-role", required=True, help="The role the app connects as.")
        parser.add_argument(
            "--database",
            default=None,
            help="The connection to run as (default: 'migration' if configured, else 'default').",
        )
        parser.add_argument(
            "--create", action="store_true", help="Create the role first (LOGIN, no password)."
        )
        parser.add_argument("--execute", action="store_true", help="Run them, not just print.")

    def handle(self, *args, app_role: str, database: str | None, create: bool, execute, **opts):
        using = database or ("migration" if "migration" in connections else "default")
        if connections[using].vendor != "postgresql":
            raise CommandError("Database roles are for PostgreSQL only.")
        statements = app_role_statements(role=app_role, using=using, create=create)
        if not execute:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"{len(statements)} statements run as the {using!r} connection.")
