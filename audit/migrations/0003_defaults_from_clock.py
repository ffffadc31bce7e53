"""Field defaults read the one clock (qingdan.clock). Defaults live in Python only, so the tables stay as they
are: on SQLite an AlterField would rebuild the table (and drop the audit trigger)."""

import qingdan.clock
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='auditevent',
                    name='created_at',
                    field=models.DateTimeField(db_index=True, default=qingdan.clock.now, verbose_name='time'),
                ),
            ],
        ),
    ]
