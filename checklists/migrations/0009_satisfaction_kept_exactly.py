"""Satisfaction kept in whole ten-thousandths, so that adding and taking away never drifts: the sums kept
so far are scaled before the column becomes an integer."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('checklists', '0008_rules_copied_onto_lists'),
    ]

    operations = [
        migrations.RunSQL(
            "UPDATE checklists_itemtally SET satisfaction_sum = ROUND(satisfaction_sum * 10000)",
            "UPDATE checklists_itemtally SET satisfaction_sum = satisfaction_sum / 10000.0",
        ),
        migrations.AlterField(
            model_name='itemtally',
            name='satisfaction_sum',
            field=models.BigIntegerField(default=0),
        ),
    ]
