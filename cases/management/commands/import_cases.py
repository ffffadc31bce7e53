import time

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from cases import imports_cases
from orgs.models import OrgUnit, User
from qingdan.errors import Refused
from qingdan.progress import TerminalProgress
from qingdan.spreadsheets import SheetError


class Command(BaseCommand):
    help = (
        "Import historic demands and labour disputes from an .xlsx file (sheets 诉求 and 劳动争议) under a unit, as an "
        "office clerk; nothing is written unless every row is valid, and cases imported before (by 案件编号) are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .xlsx file (see the template on the import page)")
        parser.add_argument("--unit", required=True, help="the code of the unit the cases are registered under")
        parser.add_argument("--actor", required=True, help="the office clerk who imports them (user name)")
        parser.add_argument("--check", action="store_true", help="check the file and report; write nothing")

    def handle(self, *args, path, unit, actor, check, **options):
        user = User.objects.filter(username=actor, is_active=True).select_related("org_unit").first()
        target = OrgUnit.objects.filter(code=unit).first()
        if user is None or target is None or not imports_cases.can_import(user, target):
            raise CommandError(f"{actor!r} 不是可导入 {unit!r} 案件的督办人员账号，或单位编码不存在。")
        started = time.monotonic()
        with translation.override("zh-hans"):
            try:
                with open(path, "rb") as handle:
                    upload = File(handle, name=path)
                    if check:
                        plan = imports_cases.read_and_check(upload, actor=user, unit=target)
                    else:
                        plan = imports_cases.apply_import(
                            upload, actor=user, unit=target, progress=TerminalProgress("导入案件", stream=self.stderr)
                        )
            except FileNotFoundError as missing:
                raise CommandError(f"找不到文件：{path}") from missing
            except (SheetError, Refused) as problem:
                raise CommandError(str(problem.message)) from problem
            if plan.errors:
                for error in plan.errors:
                    self.stderr.write(f"第 {error.row} 行 · {error.column} · {error.reason}")
                raise CommandError(f"{len(plan.errors)} 个问题，未导入任何内容。")
        seconds = time.monotonic() - started
        summary = (
            f"诉求 {len(plan.demands)} 件、劳动争议 {len(plan.disputes)} 件；"
            f"已导入过而跳过诉求 {plan.skipped_demands} 件、劳动争议 {plan.skipped_disputes} 件"
        )
        if check:
            self.stdout.write(f"检查通过：{plan.rows} 行，待导入{summary}。")
            return
        self.stdout.write(f"已导入{summary}。用时 {seconds:.1f} 秒。")
