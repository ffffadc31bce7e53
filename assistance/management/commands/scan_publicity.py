from django.core.management.base import BaseCommand

from assistance import publicity
from qingdan import clock


class Command(BaseCommand):
    help = "Take down every public notice (公示) of the hardship archive whose period has ended (run daily)."

    def handle(self, *args, **options):
        count = publicity.scan(clock.today())
        self.stdout.write(f"Public notices taken down: {count}.")
