"""The evidence library becomes an app of its own (evidence.Evidence). Only Django's picture of the models
changes: the tables stay as they are (checklists_evidence and its link tables), with every row and file."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('checklists', '0006_numbers_in_the_register'),
        ('evidence', '0001_library'),
        ('scoring', '0004_evidence_from_the_library'),  # it stops pointing at checklists.Evidence first
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name='item',
                    name='evidence',
                    field=models.ManyToManyField(blank=True, db_table='checklists_evidence_items', related_name='items', to='evidence.evidence'),
                ),
                migrations.AlterField(
                    model_name='evaluation',
                    name='attachments',
                    field=models.ManyToManyField(blank=True, related_name='evaluations', to='evidence.evidence'),
                ),
                migrations.DeleteModel(
                    name='Evidence',
                ),
            ],
        ),
    ]
