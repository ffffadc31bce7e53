from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from orgs.imports import apply_import
from orgs.models import Role, User
from qingdan.progress import TerminalProgress
from qingdan.spreadsheets import SheetError


class Command(BaseCommand):
    help = "Import the org tree from an .xlsx file as a system administrator; nothing is written unless every row is valid."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .xlsx file (columns 单位编码, 单位名称, 单位类型, 上级单位编码)")
        parser.add_argument(
            "--as", dest="username", required=True, help="a system administrator whose subtree receives the units"
        )

    def handle(self, *args, path, username, **options):
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None or not actor.has_role(Role.SYSADMIN):
            raise CommandError(f"{username!r} is not an active system administrator.")
        try:
            with open(path, "rb") as handle:
                plan = apply_import(File(handle, name=path), actor=actor, progress=TerminalProgress("导入"))
        except FileNotFoundError as missing:
            raise CommandError(f"No such file: {path}") from missing
        except SheetError as problem:
            raise CommandError(problem.message) from problem
        if plan.errors:
            for error in plan.errors:
                self.stderr.write(f"第 {error.row} 行 · {error.column} · {error.reason}")
            raise CommandError(f"{len(plan.errors)} 个问题，未导入任何内容。")
        self.stdout.write(f"导入完成：新增 {plan.created} 个，修改 {plan.updated} 个，不变 {plan.unchanged} 个。")
