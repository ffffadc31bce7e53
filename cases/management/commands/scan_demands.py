import datetime

from django.core.management.base import BaseCommand

from cases import demand_flow
from qingdan.progress import TerminalProgress


class Command(BaseCommand):
    help = "Urge (诉催) every demand still waiting past its reply deadline and not urged lately; safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, default=None, help="YYYY-MM-DD (tests, catch-up)"
        )

    def handle(self, *args, today=None, **options):
        if isinstance(today, str):  # call_command passes the option as given
            today = datetime.date.fromisoformat(today)
        progress = TerminalProgress("诉求催办", stream=self.stderr)
        urged = demand_flow.scan(today, progress=progress)
        self.stdout.write(f"Demands urged: {urged}")
