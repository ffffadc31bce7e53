from django.core.management.base import BaseCommand

from checklists import tally


class Command(BaseCommand):
    help = (
        "Compute the kept figures (ItemTally, UnitLoad) again from the items, lists and documents; "
        "needed only after writing those tables outside the platform (a restore, a bulk load)."
    )

    def handle(self, *args, **options):
        tallies, loads = tally.rebuild()
        self.stdout.write(f"Figures rows: {tallies}; load rows: {loads}")
