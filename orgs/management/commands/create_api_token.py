from django.core.management.base import BaseCommand, CommandError

from orgs.models import TokenScope, User
from orgs.services import create_api_token
from qingdan.actors import SYSTEM


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it (for scripts and integrations)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="what the token is for")
        parser.add_argument(
            "--scope",
            required=True,
            choices=[TokenScope.READ_ONLY.value, TokenScope.READ_WRITE.value],
            help="read: GET only; write: read and change (choose it each time)",
        )

    def handle(self, *args, username, name, scope, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        _token, raw = create_api_token(user=user, name=name, scope=scope, actor=SYSTEM)
        self.stdout.write(raw)
