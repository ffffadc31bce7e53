"""Field defaults read the one clock (qingdan.clock). Defaults live in Python only, so the tables stay as they
are: on SQLite an AlterField would rebuild the table (and drop the audit trigger)."""

import qingdan.clock
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('scoring', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='recordedevent',
                    name='recorded_at',
                    field=models.DateTimeField(default=qingdan.clock.now),
                ),
                migrations.AlterField(
                    model_name='round',
                    name='created_at',
                    field=models.DateTimeField(default=qingdan.clock.now),
                ),
                migrations.AlterField(
                    model_name='rubric',
                    name='created_at',
                    field=models.DateTimeField(default=qingdan.clock.now),
                ),
                migrations.AlterField(
                    model_name='scorechange',
                    name='at',
                    field=models.DateTimeField(default=qingdan.clock.now),
                ),
            ],
        ),
    ]
