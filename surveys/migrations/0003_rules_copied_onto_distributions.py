"""Distributions carry the survey rules they were sent under; those sent before get the 7 days the platform
always gave."""

from django.db import migrations, models


def fill(apps, schema_editor):
    apps.get_model("surveys", "Distribution").objects.filter(rules={}).update(rules={"resubmit_days": 7})


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0002_defaults_from_clock'),
    ]

    operations = [
        migrations.AddField(
            model_name='distribution',
            name='rules',
            field=models.JSONField(default=dict, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
