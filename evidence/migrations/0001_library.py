"""The evidence library becomes an app of its own (evidence.Evidence). Only Django's picture of the models
changes: the tables stay as they are (checklists_evidence and its link tables), with every row and file."""

import django.db.models.deletion
import qingdan.clock
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('orgs', '0003_defaults_from_clock'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Evidence',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file', models.FileField(upload_to='evidence/%Y/%m/')),
                        ('name', models.CharField(max_length=200, verbose_name='file name')),
                        ('content_type', models.CharField(max_length=100)),
                        ('size', models.PositiveIntegerField()),
                        ('sha256', models.CharField(max_length=64)),
                        ('uploaded_at', models.DateTimeField(default=qingdan.clock.now)),
                        ('owner_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='evidence', to='orgs.orgunit')),
                        ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'evidence',
                        'verbose_name_plural': 'evidence',
                        'db_table': 'checklists_evidence',
                        'ordering': ['-uploaded_at', '-id'],
                        'constraints': [models.UniqueConstraint(fields=('owner_unit', 'sha256'), name='checklists_evidence_once')],
                    },
                ),
            ],
        ),
    ]
