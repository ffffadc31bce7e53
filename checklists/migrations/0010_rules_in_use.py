"""The values of the close-out rules the lists already issued carry."""

from django.db import migrations, models


def fill(apps, schema_editor):
    RuleInUse = apps.get_model("checklists", "RuleInUse")
    pairs = set()
    for rules in apps.get_model("checklists", "Checklist").objects.values_list("rules", flat=True).distinct():
        pairs |= set((rules or {}).items())
    RuleInUse.objects.bulk_create([RuleInUse(name=n, value=v) for n, v in pairs], ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('checklists', '0009_satisfaction_kept_exactly'),
    ]

    operations = [
        migrations.CreateModel(
            name='RuleInUse',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=64)),
                ('value', models.IntegerField()),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('name', 'value'), name='checklists_rule_in_use_once')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
