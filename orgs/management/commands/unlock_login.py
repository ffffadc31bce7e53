"""The way out when the only security administrator is locked out: run on the server."""

from django.core.management.base import BaseCommand, CommandError

from orgs import services
from orgs.models import User
from qingdan.actors import SYSTEM


class Command(BaseCommand):
    help = (
        "Lift the lock of USERNAME and the waits of its log-ins from every address, and/or (--address) the wait of "
        "every log-in from one address. Audited as (command line)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?")
        parser.add_argument("--address", help="an address whose log-ins wait after failures over many accounts")

    def handle(self, *args, username, address, **options):
        if not username and not address:
            raise CommandError("Name a user, an --address, or both.")
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user named {username!r}.")
            services.unlock_user(user=user, actor=SYSTEM)
            self.stdout.write(f"{user.username} 已解锁。")
        if address:
            count = services.unlock_address(address=address, actor=SYSTEM)
            self.stdout.write(f"来自 {address} 的登录等待已解除（清除 {count} 次失败记录）。")
