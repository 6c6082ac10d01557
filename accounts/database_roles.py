"""Two PostgreSQL roles: the migration role owns the tables; the app's role may only read and
append to the audit trail, so it cannot UPDATE, DELETE or TRUNCATE it, nor disable its trigger
(which takes the owner). `manage.py create_database_roles` prints or runs these statements."""

from django.db import connections

from .models import AuditEvent

# Tables the app reads but never writes.
READ_ONLY_TABLES = ("django_migrations",)


def app_role_statements(*, role: str, using: str = "default", create: bool = False) -> list[str]:
    """The GRANTs for the app's role, run as the migration role (the owner). Idempotent: run
    them again after every migrate, so new tables are covered."""
    connection = connections[using]
    quote = connection.ops.quote_name
    app = quote(role)
    database = quote(connection.settings_dict["NAME"])
    audit = quote(AuditEvent._meta.db_table)
    statements = [f"CREATE ROLE {app} LOGIN"] if create else []
    statements += [
        f"GRANT CONNECT ON DATABASE {database} TO {app}",
        f"GRANT USAGE ON SCHEMA public TO {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {app}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {audit} FROM {app}",
    ]
    statements += [
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {quote(table)} FROM {app}"
        for table in READ_ONLY_TABLES
    ]
    return statements
