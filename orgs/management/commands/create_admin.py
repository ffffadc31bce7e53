"""The first privileged accounts of a fresh install, made at the server's command line."""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from orgs import services
from orgs.models import SEPARATED_DUTIES, OrgKind, OrgUnit, Role
from qingdan.actors import SYSTEM

DUTIES = sorted(str(role) for role in SEPARATED_DUTIES)


class Command(BaseCommand):
    help = (
        "Create an account holding one separated duty (sysadmin, secadmin or auditor) in the unit with code --unit; "
        "on an empty install, --unit-name and --unit-kind create that unit as the top of the org tree. The password "
        "is asked for twice and must be changed at the first sign-in. Audited as (command line)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--duty", required=True, choices=DUTIES)
        parser.add_argument("--full-name", required=True)
        parser.add_argument("--unit", required=True, help="the code of the account's unit")
        parser.add_argument("--unit-name", help="name of the top unit to create when the org tree is empty")
        parser.add_argument("--unit-kind", choices=[k.value for k in OrgKind], help="kind of that top unit")

    def handle(self, *args, username, duty, full_name, unit, unit_name, unit_kind, **options):
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password again: "):
            raise CommandError("The two passwords differ.")
        with transaction.atomic():
            org_unit = OrgUnit.objects.filter(code=unit).first()
            if org_unit is None:
                if OrgUnit.objects.exists():
                    raise CommandError(
                        f"No unit with code {unit!r}; import the org tree first (manage.py import_orgs)."
                    )
                if not unit_name or not unit_kind:
                    raise CommandError(
                        "The org tree is empty: give --unit-name and --unit-kind to create its top unit."
                    )
                org_unit = services.save_unit(unit=OrgUnit(code=unit, name=unit_name, kind=unit_kind), actor=SYSTEM)
            try:
                user = services.create_user(
                    username=username,
                    full_name=full_name,
                    org_unit=org_unit,
                    roles=[Role(duty)],
                    password=password,
                    actor=SYSTEM,
                    must_change_password=True,
                )
            except ValidationError as invalid:
                raise CommandError(" ".join(invalid.messages)) from invalid
        self.stdout.write(f"{user.username}（{Role(duty).label}）已创建于 {org_unit.name}；首次登录时须修改密码。")
