"""Set a temporary password at the server's command line, when no second person can confirm a reset."""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from orgs import services
from orgs.models import User
from qingdan.actors import SYSTEM


class Command(BaseCommand):
    help = (
        "Set a temporary password for USERNAME (asked for twice) at once, ending its API tokens; it must be changed "
        "at the next sign-in. Audited as (command line)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        password = getpass.getpass("Temporary password: ")
        if password != getpass.getpass("Temporary password again: "):
            raise CommandError("The two passwords differ.")
        try:
            services.set_password(user=user, password=password, actor=SYSTEM, must_change_password=True)
        except ValidationError as invalid:
            raise CommandError(" ".join(invalid.messages)) from invalid
        self.stdout.write(f"{user.username} 的临时密码已设置；下次登录时须修改。")
