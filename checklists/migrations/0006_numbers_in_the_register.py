"""The documents numbered before the register (documents.IssuedNumber) go into it, so that each kind's yearly
sequence goes on from where it was."""

from django.db import migrations


def register(apps, schema_editor):
    Document = apps.get_model("checklists", "Document")
    IssuedNumber = apps.get_model("documents", "IssuedNumber")
    IssuedNumber.objects.bulk_create(
        (
            IssuedNumber(
                issuing_unit_id=d.issuing_unit_id,
                kind=f"checklists.{d.kind}",
                year=d.year,
                sequence=d.sequence,
                number=d.number,
                created_at=d.created_at,
            )
            for d in Document.objects.iterator()
        ),
        batch_size=5000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("checklists", "0005_defaults_from_clock"), ("documents", "0001_number_register")]
    operations = [migrations.RunPython(register, migrations.RunPython.noop, elidable=True)]
