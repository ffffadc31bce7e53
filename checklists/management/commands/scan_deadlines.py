import datetime

from django.core.management.base import BaseCommand

from checklists import workflow
from checklists.models import Item
from qingdan.actors import SYSTEM
from qingdan.errors import Refused
from qingdan.progress import TerminalProgress


class Command(BaseCommand):
    help = "Issue urging notices (催办通知书) for items past their deadline with no application; safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, default=None, help="YYYY-MM-DD (tests, catch-up)"
        )

    def handle(self, *args, today=None, **options):
        if isinstance(today, str):  # call_command passes the option as given
            today = datetime.date.fromisoformat(today)
        due = list(workflow.due_for_urging(today).values_list("pk", flat=True))
        progress = TerminalProgress("催办", stream=self.stderr) if due else None
        issued = 0
        for done, pk in enumerate(due, start=1):
            try:
                if workflow.urge(item=Item.objects.get(pk=pk), actor=SYSTEM, today=today) is not None:
                    issued += 1
            except Refused:
                pass  # applied for (or extended) since the scan began
            progress(done, len(due))
        self.stdout.write(f"Urging notices issued: {issued}")
