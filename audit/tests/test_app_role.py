"""In production the application connects as a role of its own that may read and append to the audit trail (its
events and their seals) and nothing more (``manage.py grant_app_role``), so that even someone who takes over the
application cannot erase it: the owner's way round the triggers (TRUNCATE, ALTER TABLE … DISABLE TRIGGER) is closed
to it."""

import io
import os
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent, AuditSeal
from audit.services import record
from orgs import services
from qingdan.actors import SYSTEM

POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only: SQLite has no database roles"
)

ATTACKS = {
    "TRUNCATE": "TRUNCATE audit_auditevent",
    "DELETE": "DELETE FROM audit_auditevent",
    "UPDATE": "UPDATE audit_auditevent SET message = 'x'",
    "DISABLE TRIGGER": "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_no_delete",
    "TRUNCATE seals": "TRUNCATE audit_auditseal",
    "DELETE seals": "DELETE FROM audit_auditseal",
    "UPDATE seals": "UPDATE audit_auditseal SET hash = 'x'",
    "DISABLE TRIGGER seals": "ALTER TABLE audit_auditseal DISABLE TRIGGER audit_seal_no_delete",
}


@pytest.fixture
def app_role():
    role = f"qingdan_app_test_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {role}")
        cursor.execute(f"CREATE ROLE {role} LOGIN")
    yield role
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


@contextmanager
def connected_as(role):
    """The platform's own connection, as ``role``: what the application does in production."""
    settings = connection.settings_dict
    saved = settings["USER"], settings["PASSWORD"]
    connection.close()
    settings["USER"], settings["PASSWORD"] = role, ""
    try:
        yield
    finally:
        connection.close()
        settings["USER"], settings["PASSWORD"] = saved


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True)
def test_the_application_role_appends_to_the_trail_but_cannot_erase_it(app_role, office, county_a):
    out = io.StringIO()
    call_command("grant_app_role", app_role, stdout=out)
    assert "only read and append to audit_auditevent and audit_auditseal" in out.getvalue()
    written = record(action="test.before", actor=office)
    with connected_as(app_role):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == app_role
        for statement in ATTACKS.values():
            with (
                pytest.raises(DatabaseError, match="permission denied|must be owner"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(statement)
        # What the platform does every day still works: append to the trail and seal it, change other tables.
        appended = record(action="test.as_app", actor=office)
        assert AuditSeal.objects.filter(event_id=appended.pk).exists(), "sealed after its commit, as the role"
        county_a.name = "滨海县总工会（改）"
        services.save_unit(unit=county_a, actor=SYSTEM)
        assert AuditEvent.objects.filter(pk=written.pk).exists()
    assert AuditEvent.objects.filter(action="orgs.unit_saved").exists()
    assert "The audit trail is whole" in _verified()


@POSTGRESQL_ONLY
@pytest.mark.django_db
def test_a_role_that_owns_the_tables_is_refused():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError, match="owns the tables or is a superuser"):
        call_command("grant_app_role", owner)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite only")
@pytest.mark.django_db
def test_on_sqlite_the_command_says_roles_are_a_postgresql_matter():
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("grant_app_role", "qingdan_app")


def _verified():
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()
