from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

from audit.models import AuditEvent, AuditSeal

# The audit trail: its events and the seals of its hash chain. The application may only read and append to them.
TRAIL = (AuditEvent._meta.db_table, AuditSeal._meta.db_table)


def statements(role, database, schema="public"):
    """What the owner grants the application's role: every table but the audit trail to read and write, the
    audit trail (events and seals) to read and append to only, the sequences to number new rows; tables made by
    later migrations follow the same rule (the audit trail's tables already exist)."""
    role, database, schema = sql.Identifier(role), sql.Identifier(database), sql.Identifier(schema)
    return [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, role),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, role),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(schema, role),
        *(
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {}.{} FROM {}").format(
                schema, sql.Identifier(table), role
            )
            for table in TRAIL
        ),
        sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, role),
        sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}").format(
            schema, role
        ),
        sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT USAGE ON SEQUENCES TO {}").format(schema, role),
    ]


class Command(BaseCommand):
    help = (
        "PostgreSQL: let ROLE (the role the application connects as) read and write every table but the audit "
        "trail (events and seals), which it may only read and append to. Run it as the owner of the tables after "
        "each migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role")
        parser.add_argument("--print", action="store_true", help="print the SQL instead of running it")

    def handle(self, *args, role, print, **options):  # noqa: A002 - the option's name
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are a PostgreSQL matter: SQLite has none.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            found = cursor.fetchone()
            cursor.execute(
                "SELECT current_user, current_database(), current_schema(), rolsuper FROM pg_roles"
                " WHERE rolname = current_user"
            )
            owner, database, schema, owner_is_superuser = cursor.fetchone()
            cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [AuditEvent._meta.db_table])
            table_owner = (cursor.fetchone() or [None])[0]
        if found is None:
            raise CommandError(f"There is no role {role!r}: create it first (CREATE ROLE {role} LOGIN PASSWORD '…').")
        if found[0] or role in (owner, table_owner):
            raise CommandError(
                f"{role!r} owns the tables or is a superuser: it could change the audit trail whatever is granted. "
                "The application needs a role of its own."
            )
        if owner != table_owner and not owner_is_superuser:
            raise CommandError(f"Run this as the owner of the tables ({table_owner}), not as {owner}.")
        commands = statements(role, database, schema)
        if print:
            for command in commands:
                self.stdout.write(command.as_string(connection.connection) + ";")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for command in commands:
                cursor.execute(command)
        self.stdout.write(
            f"{role} may now read and write the tables of {database}, and only read and append to "
            f"{' and '.join(TRAIL)}."
        )
