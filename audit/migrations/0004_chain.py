"""The audit trail becomes a hash chain (audit/chain.py): two columns, and the rows already there chained in id
order.

Chaining the existing rows writes to them, which the append-only triggers refuse: on PostgreSQL the owner
running the migration turns the update trigger off for that moment; on SQLite adding the columns rebuilds the
table, which drops its trigger (see 0002), and it is created again here once the rows are chained.
"""

from django.db import migrations, models

from audit.chain import GENESIS, HASHED, digest

TABLE = "audit_auditevent"
SQLITE_TRIGGER = f"""
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE}
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""
COLUMNS = [name for name in HASHED if name != "prev_hash"]


def chain_existing_rows(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events may stop the ALTER
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_no_update")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_update")
        previous, last = GENESIS, 0
        while True:
            rows = list(AuditEvent.objects.filter(id__gt=last).order_by("id").values("id", *COLUMNS)[:2000])
            if not rows:
                break
            batch = []
            for row in rows:
                row["prev_hash"] = previous
                previous = digest(row)
                batch.append((row["prev_hash"], previous, row["id"]))
            cursor.executemany(f"UPDATE {TABLE} SET prev_hash = %s, hash = %s WHERE id = %s", batch)
            last = rows[-1]["id"]
        if vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_no_update")
        else:
            cursor.execute(SQLITE_TRIGGER)


def sqlite_trigger_again(apps, schema_editor):
    """Going back removes the columns, which rebuilds the SQLite table without its trigger."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_defaults_from_clock'),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, sqlite_trigger_again),
        migrations.AddField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='prev_hash',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
    ]
