"""Grant or remove a separated duty at the server's command line, when no second person can confirm it."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from orgs import services
from orgs.models import SEPARATED_DUTIES, Role, User
from qingdan.actors import SYSTEM

DUTIES = sorted(str(role) for role in SEPARATED_DUTIES)


class Command(BaseCommand):
    help = (
        "Grant (or with --remove, take away) one separated duty of USERNAME at once, without a second person: for a "
        "fresh install or when nobody of another duty is left to confirm. Audited as (command line)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("duty", choices=DUTIES)
        parser.add_argument("--remove", action="store_true")

    def handle(self, *args, username, duty, remove, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        roles = set(user.role_set)
        if remove:
            roles.discard(Role(duty))
        else:
            roles.add(Role(duty))
        try:
            services.set_roles(user=user, roles=roles, actor=SYSTEM)
        except ValidationError as invalid:
            raise CommandError(" ".join(invalid.messages)) from invalid
        labels = "、".join(str(Role(r).label) for r in sorted(roles)) or "—"
        self.stdout.write(f"{user.username} 的角色：{labels}")
