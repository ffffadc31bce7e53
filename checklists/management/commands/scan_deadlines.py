import datetime

from django.core.management.base import BaseCommand

from checklists.jobs import urge_overdue
from qingdan.progress import TerminalProgress


class Command(BaseCommand):
    help = (
        "Issue urging notices (催办通知书) for items past their deadline with no application; safe to run twice. "
        "Celery beat runs the same scan as the job checklists.scan_deadlines."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, default=None, help="YYYY-MM-DD (tests, catch-up)"
        )

    def handle(self, *args, today=None, **options):
        if isinstance(today, str):  # call_command passes the option as given
            today = datetime.date.fromisoformat(today)
        issued = urge_overdue(today, progress=TerminalProgress("催办", stream=self.stderr))
        self.stdout.write(f"Urging notices issued: {issued}")
