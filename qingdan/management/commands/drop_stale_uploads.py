from django.conf import settings
from django.core.management.base import BaseCommand

from qingdan.pages import drop_stale_uploads


class Command(BaseCommand):
    help = "Delete import uploads that were previewed but never confirmed (older than QINGDAN_PENDING_IMPORT_HOURS)."

    def handle(self, *args, **options):
        dropped = drop_stale_uploads()
        self.stdout.write(
            f"Deleted {dropped} unconfirmed import upload(s) older than {settings.QINGDAN_PENDING_IMPORT_HOURS} hours."
        )
