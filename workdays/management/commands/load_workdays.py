from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from orgs.models import User
from qingdan.errors import Refused
from qingdan.spreadsheets import SheetError
from workdays.imports import apply_file
from workdays.services import may_edit


class Command(BaseCommand):
    help = (
        "Load one year of the working-day calendar (the State Council's days off and make-up working days) from an "
        ".xlsx file into the calendar of an office clerk's unit; nothing is written unless every row is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .xlsx file (columns 日期, 类型 休息日/调休上班, 名称)")
        parser.add_argument("--as", dest="username", required=True, help="an office clerk of the unit that enters it")
        parser.add_argument("--year", type=int, help="the year the file must hold (default: that of its first date)")

    def handle(self, *args, path, username, year=None, **options):
        actor = User.objects.filter(username=username, is_active=True).select_related("org_unit").first()
        if actor is None or not may_edit(actor, actor.org_unit):
            raise CommandError(f"{username!r} is not an active office clerk of a unit.")
        try:
            with open(path, "rb") as handle:
                plan, counts = apply_file(File(handle, name=path), actor=actor, year=year)
        except FileNotFoundError as missing:
            raise CommandError(f"No such file: {path}") from missing
        except SheetError as problem:
            raise CommandError(problem.message) from problem
        except (Refused, PermissionDenied) as refused:
            raise CommandError(str(getattr(refused, "message", refused))) from refused
        if counts is None:
            for error in plan.errors:
                self.stderr.write(f"第 {error.row} 行 · {error.column} · {error.reason}")
            raise CommandError(f"{len(plan.errors)} 个问题，未导入任何内容。")
        added, changed, removed = counts
        self.stdout.write(
            f"{actor.org_unit.name} {plan.year} 年工作日历已载入：{len(plan.days)} 天"
            f"（新增 {added}，修改 {changed}，删除 {removed}），本年已标记为已录入。"
        )
