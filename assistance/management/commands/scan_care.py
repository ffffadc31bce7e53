from django.core.management.base import BaseCommand

from assistance import care


class Command(BaseCommand):
    help = (
        "Flag the day's care work in the workbench: paired families not visited in time, expired preferential "
        "certificates, yearly reviews overdue, exited families due a follow-up (safe to run twice a day)."
    )

    def handle(self, *args, **options):
        counts = care.scan()
        self.stdout.write(
            "Not visited: {not_visited}; certificates expired: {expired}; reviews due: {review_due}; "
            "follow-ups due: {follow_up}.".format(**counts)
        )
