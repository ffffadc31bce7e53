"""Refusals in the audit trail (audit/refusals.py): the alert result, and the working counts that keep a flood of
refusals to a bounded number of rows. Choices live in Python only, so SQLite's table (and its trigger) stays."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_chain'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='result',
            field=models.CharField(choices=[('success', 'Success'), ('failure', 'Failure'), ('denied', 'Denied'), ('alert', 'Alert')], default='success', max_length=16, verbose_name='result'),
        ),
        migrations.CreateModel(
            name='DenialTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=80)),
                ('minute', models.DateTimeField()),
                ('client_ip', models.GenericIPAddressField(null=True)),
                ('refused', models.PositiveIntegerField(default=0)),
                ('out_of_scope', models.PositiveIntegerField(default=0)),
                ('summarised', models.BooleanField(default=False)),
                ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'indexes': [models.Index(fields=['minute'], name='audit_denial_tally_minute')],
                'constraints': [models.UniqueConstraint(fields=('key', 'minute'), name='audit_denial_tally_once')],
            },
        ),
    ]
