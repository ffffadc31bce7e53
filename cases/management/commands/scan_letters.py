import datetime

from django.core.management.base import BaseCommand

from cases import letter_flow
from qingdan.progress import TerminalProgress


class Command(BaseCommand):
    help = (
        "Put supervision letters unanswered past their reply date in the issuing office's workbench, to escalate; "
        "issues no document itself and is safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, default=None, help="YYYY-MM-DD (tests, catch-up)"
        )

    def handle(self, *args, today=None, **options):
        if isinstance(today, str):  # call_command passes the option as given
            today = datetime.date.fromisoformat(today)
        found, noted = letter_flow.scan(today, progress=TerminalProgress("一函两书", stream=self.stderr))
        self.stdout.write(f"Letters past their reply date: {found}; newly put in the workbench: {noted}")
