"""Field defaults read the one clock (qingdan.clock). Defaults live in Python only, so the tables stay as they
are: on SQLite an AlterField would rebuild the table (and drop the audit trigger)."""

import qingdan.clock
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('checklists', '0004_deadline_urgings'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='checklist',
                    name='created_at',
                    field=models.DateTimeField(default=qingdan.clock.now),
                ),
                migrations.AlterField(
                    model_name='checklist',
                    name='issued_on',
                    field=models.DateField(default=qingdan.clock.today, verbose_name='issued on'),
                ),
                migrations.AlterField(
                    model_name='document',
                    name='created_at',
                    field=models.DateTimeField(default=qingdan.clock.now),
                ),
                migrations.AlterField(
                    model_name='evaluation',
                    name='recorded_at',
                    field=models.DateTimeField(default=qingdan.clock.now),
                ),
                migrations.AlterField(
                    model_name='evidence',
                    name='uploaded_at',
                    field=models.DateTimeField(default=qingdan.clock.now),
                ),
                migrations.AlterField(
                    model_name='extension',
                    name='requested_at',
                    field=models.DateTimeField(default=qingdan.clock.now),
                ),
                migrations.AlterField(
                    model_name='itemevent',
                    name='at',
                    field=models.DateTimeField(default=qingdan.clock.now),
                ),
            ],
        ),
    ]
