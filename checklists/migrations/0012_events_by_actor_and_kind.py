"""An index of each person's item events by kind: whether someone has ever applied for a close-out is one look-up
(``permissions.verifiable``), not a read of all their events (a province office issues some 85,000). Built
CONCURRENTLY on PostgreSQL, so that a live province's timeline takes writes while it is built."""

from django.db import migrations, models

INDEX = models.Index(fields=["actor", "kind"], name="checklists_event_actor_kind")


def _concurrently(schema_editor):
    return {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}


def add(apps, schema_editor):
    schema_editor.add_index(apps.get_model("checklists", "ItemEvent"), INDEX, **_concurrently(schema_editor))


def remove(apps, schema_editor):
    schema_editor.remove_index(apps.get_model("checklists", "ItemEvent"), INDEX, **_concurrently(schema_editor))


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("checklists", "0011_open_items_by_unit"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="itemevent", index=INDEX)],
            database_operations=[migrations.RunPython(add, remove)],
        ),
    ]
