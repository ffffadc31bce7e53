import datetime

from django.core.management.base import BaseCommand

from cases import dispute_flow
from qingdan.progress import TerminalProgress


class Command(BaseCommand):
    help = (
        "Pass up mediation levels past their deadline (one level at a time; the county is told at the town level) "
        "and open the worker follow-ups of agreements 30 days old; safe to run twice, also at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, default=None, help="YYYY-MM-DD (tests, catch-up)"
        )

    def handle(self, *args, today=None, **options):
        if isinstance(today, str):  # call_command passes the option as given
            today = datetime.date.fromisoformat(today)
        done = dispute_flow.scan(today, progress=TerminalProgress("劳动争议", stream=self.stderr))
        self.stdout.write(
            f"Levels passed up: {done['escalated']}; county told of late town mediation: {done['county_told']}; "
            f"follow-ups opened: {done['follow_ups']}"
        )
