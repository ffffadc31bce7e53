"""The bulletins numbered before the register (documents.IssuedNumber) go into it, so that each owner's yearly
sequence goes on from where it was."""

import re

from django.db import migrations

NUMBER = re.compile(r"〔(\d{4})〕(\d+)号$")


def register(apps, schema_editor):
    Round = apps.get_model("scoring", "Round")
    IssuedNumber = apps.get_model("documents", "IssuedNumber")
    for round in Round.objects.exclude(bulletin_number="").order_by("published_at", "pk"):
        found = NUMBER.search(round.bulletin_number)
        if found:
            IssuedNumber.objects.get_or_create(
                issuing_unit_id=round.owner_unit_id,
                kind="scoring.bulletin",
                year=int(found[1]),
                sequence=int(found[2]),
                defaults={"number": round.bulletin_number, "created_at": round.published_at},
            )


class Migration(migrations.Migration):
    dependencies = [("scoring", "0002_defaults_from_clock"), ("documents", "0001_number_register")]
    operations = [migrations.RunPython(register, migrations.RunPython.noop, elidable=True)]
