"""Lists carry the close-out rules they were issued under. The lists issued before get the rules the platform ran
with: the deployment's old environment variables where they are still set, else the defaults."""

import os

from django.db import migrations, models

# rule name (without "closeout."): (old environment variable, default)
RULES = {
    "satisfaction_percent": ("QINGDAN_SATISFACTION_THRESHOLD_PERCENT", 80),
    "poll_min_answers": ("QINGDAN_POLL_MIN_ANSWERS", 10),
    "poll_tokens": ("QINGDAN_POLL_TOKENS", 30),
    "poll_days": ("QINGDAN_POLL_DAYS", 14),
    "urge_interval_days": ("QINGDAN_URGE_INTERVAL_DAYS", 7),
    "due_soon_days": ("QINGDAN_DUE_SOON_DAYS", 7),
    "long_overdue_days": ("QINGDAN_LONG_OVERDUE_DAYS", 30),
    "unit_load_warning": ("QINGDAN_UNIT_LOAD_WARNING", 30),
}


def fill(apps, schema_editor):
    rules = {key: int(os.environ.get(name) or default) for key, (name, default) in RULES.items()}
    apps.get_model("checklists", "Checklist").objects.filter(rules={}).update(rules=rules)


class Migration(migrations.Migration):

    dependencies = [
        ('checklists', '0007_evidence_moves_to_its_app'),
    ]

    operations = [
        migrations.AddField(
            model_name='checklist',
            name='rules',
            field=models.JSONField(default=dict, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
