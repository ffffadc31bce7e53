"""The audit trail becomes a hash chain (audit/chain.py): a table of seals, one per event, insert-only like the
events (the same triggers as 0002), and the events already there sealed in id order.

The events' own table is not altered, so SQLite keeps its trigger (see 0002). As there, DELETE is refused by a
trigger on PostgreSQL only: SQLite's test-database flush empties tables with DELETE.
"""

import qingdan.clock
from django.db import migrations, models

from audit.chain import seal_pending

TABLE = "audit_auditseal"

POSTGRES = f"""
CREATE OR REPLACE FUNCTION audit_seal_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit seals are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_seal_no_update BEFORE UPDATE ON {TABLE} FOR EACH ROW EXECUTE FUNCTION audit_seal_refuse_change();
CREATE TRIGGER audit_seal_no_delete BEFORE DELETE ON {TABLE} FOR EACH ROW EXECUTE FUNCTION audit_seal_refuse_change();
"""
POSTGRES_REVERSE = f"""
DROP TRIGGER IF EXISTS audit_seal_no_update ON {TABLE};
DROP TRIGGER IF EXISTS audit_seal_no_delete ON {TABLE};
DROP FUNCTION IF EXISTS audit_seal_refuse_change();
"""
SQLITE = f"""
CREATE TRIGGER audit_seal_no_update BEFORE UPDATE ON {TABLE}
BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS audit_seal_no_update;"


def triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE)


def no_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


def seal_existing_events(apps, schema_editor):
    seal_pending(
        using=schema_editor.connection.alias,
        event_model=apps.get_model("audit", "AuditEvent"),
        seal_model=apps.get_model("audit", "AuditSeal"),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_defaults_from_clock'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditSeal',
            fields=[
                ('seq', models.PositiveBigIntegerField(primary_key=True, serialize=False)),
                ('event_id', models.BigIntegerField(unique=True)),
                ('event_hash', models.CharField(max_length=64)),
                ('prev_hash', models.CharField(blank=True, max_length=64)),
                ('hash', models.CharField(max_length=64)),
                ('sealed_at', models.DateTimeField(default=qingdan.clock.now)),
            ],
            options={
                'ordering': ['seq'],
            },
        ),
        migrations.RunPython(triggers, no_triggers),
        migrations.RunPython(seal_existing_events, migrations.RunPython.noop),
    ]
