"""Poll answers keep a keyed hash of the address they came from (earlier answers have none), and the open
link's throttle gets its database cache table (``CACHES["polls"]`` in the settings), so that ``migrate`` alone
prepares every deployment."""

from django.core.management import call_command
from django.db import migrations, models

CACHE_TABLE = "qingdan_poll_throttle"


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", CACHE_TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0003_rules_copied_onto_distributions'),
    ]

    operations = [
        migrations.AddField(
            model_name='response',
            name='address',
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.AddIndex(
            model_name='response',
            index=models.Index(fields=['poll', 'submitted_at'], name='surveys_response_poll_time'),
        ),
        migrations.RunPython(create_cache_table, drop_cache_table),
    ]
