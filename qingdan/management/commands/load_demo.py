import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assistance import demo as assistance_demo
from assistance import demo_care
from cases import demo as cases_demo
from cases import demo_demands, demo_disputes
from cases import demo_letters as letters_demo
from checklists import demo as checklist_demo
from orgs import demo as org_demo
from orgs.models import OrgUnit
from scoring import demo as scoring_demo
from surveys import demo as survey_demo


class Command(BaseCommand):
    help = "Create or refresh the demo organisation, one demo user per role and the demo surveys (safe to run again)."

    def handle(self, *args, **options):
        password = os.environ.get("QINGDAN_DEMO_PASSWORD") or org_demo.DEFAULT_PASSWORD
        try:
            org_demo.build(password)
        except ValidationError as invalid:
            raise CommandError("QINGDAN_DEMO_PASSWORD is not accepted: " + " ".join(invalid.messages)) from invalid
        survey_demo.build()
        checklist_demo.build()
        cases_demo.build()
        letters_demo.build()
        demo_disputes.build()
        assistance_demo.build()
        scoring_demo.build(password)
        demo_demands.build()  # after the assessment demo, which makes the town unions' reporters
        if demo_care.build():  # after the archive demo: only when archived families exist
            self.stdout.write(f"Hardship care: {demo_care.summary()}.")
        self.stdout.write(
            f"Demo data ready: {OrgUnit.objects.count()} org units, demo surveys and a worker poll, "
            f"127 responsibility lists (close-out rate {checklist_demo.close_out_rate():.1%})."
        )
        self.stdout.write(f"Enterprise registry: {cases_demo.summary()}.")
        self.stdout.write(f"Joint meetings and letters: {letters_demo.summary()}.")
        self.stdout.write(f"Worker demands: {demo_demands.summary()}.")
        self.stdout.write(f"Labour disputes: {demo_disputes.summary()}.")
        self.stdout.write(f"Assessment: {scoring_demo.summary()}.")
        self.stdout.write(f"Hardship archive: {assistance_demo.summary()}.")
        self.stdout.write(f"Demo log-ins (password for all: {password})")
        for username, (full_name, role, unit, _phone) in org_demo.DEMO_USERS.items():
            self.stdout.write(f"  {username:<10} {role.label:<8} {full_name}  {unit}")
        for line in scoring_demo.users():
            self.stdout.write(f"  {line}")
