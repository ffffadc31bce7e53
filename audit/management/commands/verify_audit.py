from django.core.management.base import BaseCommand, CommandError

from audit import chain
from audit.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Check that the audit trail is whole: every row matches its hash and follows the row before it. Names the "
        "first broken row and exits with status 1. Note the head it prints: rows cut off the end are found by "
        "comparing it with an earlier run."
    )

    def handle(self, *args, **options):
        rows = AuditEvent.objects.order_by("id").values("id", "hash", *chain.HASHED).iterator(chunk_size=2000)
        try:
            count, head, broken = chain.verify(rows)
        finally:
            rows.close()
        if broken is not None:
            raise CommandError(f"The audit trail is broken at {broken} ({count} rows before it hold).", returncode=1)
        self.stdout.write(f"The audit trail is whole: {count} rows, head {head or '(empty)'}.")
