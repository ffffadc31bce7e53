"""Database triggers that refuse changes to audit rows, whatever client connects.

UPDATE is refused on both databases. DELETE is refused on PostgreSQL; SQLite's
test-database flush empties tables with DELETE, so there the ORM guard alone
refuses deletes (PostgreSQL's flush uses TRUNCATE, which row triggers do not see).

SQLite rebuilds a table for most ALTERs and the rebuild drops its triggers: a later
migration that alters this table must create the SQLite trigger again
(audit/tests/test_audit.py checks that the trigger is there).
"""

from django.db import migrations

TABLE = "audit_auditevent"

POSTGRES = f"""
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON {TABLE} FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_no_delete BEFORE DELETE ON {TABLE} FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""
POSTGRES_REVERSE = f"""
DROP TRIGGER IF EXISTS audit_no_update ON {TABLE};
DROP TRIGGER IF EXISTS audit_no_delete ON {TABLE};
DROP FUNCTION IF EXISTS audit_refuse_change();
"""
SQLITE = f"""
CREATE TRIGGER audit_no_update BEFORE UPDATE ON {TABLE}
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS audit_no_update;"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
