"""Field defaults read the one clock (qingdan.clock). Defaults live in Python only, so the tables stay as they
are: on SQLite an AlterField would rebuild the table (and drop the audit trigger)."""

import qingdan.clock
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0002_orgunit_document_prefix_notification'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='apitoken',
                    name='created_at',
                    field=models.DateTimeField(default=qingdan.clock.now, editable=False, verbose_name='created'),
                ),
                migrations.AlterField(
                    model_name='notification',
                    name='created_at',
                    field=models.DateTimeField(default=qingdan.clock.now),
                ),
            ],
        ),
    ]
