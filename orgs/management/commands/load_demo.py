import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from orgs.demo import DEFAULT_PASSWORD, DEMO_USERS, build
from orgs.models import OrgUnit


class Command(BaseCommand):
    help = "Create or refresh the demo organisation and one demo user per role (safe to run again)."

    def handle(self, *args, **options):
        password = os.environ.get("QINGDAN_DEMO_PASSWORD") or DEFAULT_PASSWORD
        try:
            build(password)
        except ValidationError as invalid:
            raise CommandError("QINGDAN_DEMO_PASSWORD is not accepted: " + " ".join(invalid.messages)) from invalid
        self.stdout.write(f"Demo data ready: {OrgUnit.objects.count()} org units.")
        self.stdout.write(f"Demo log-ins (password for all: {password})")
        for username, (full_name, role, unit, _phone) in DEMO_USERS.items():
            self.stdout.write(f"  {username:<10} {role.label:<8} {full_name}  {unit}")
