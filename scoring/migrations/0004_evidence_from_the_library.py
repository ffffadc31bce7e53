"""The evidence library becomes an app of its own (evidence.Evidence). Only Django's picture of the models
changes: the tables stay as they are (checklists_evidence and its link tables), with every row and file."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evidence', '0001_library'),
        ('scoring', '0003_bulletins_in_the_register'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='recordedevent',
                    name='evidence',
                    field=models.ManyToManyField(blank=True, related_name='+', to='evidence.evidence'),
                ),
                migrations.AlterField(
                    model_name='score',
                    name='evidence',
                    field=models.ManyToManyField(blank=True, related_name='+', to='evidence.evidence'),
                ),
            ],
        ),
    ]
