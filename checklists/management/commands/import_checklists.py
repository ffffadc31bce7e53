import time

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from checklists import imports
from orgs.models import Role, User
from qingdan.errors import Refused
from qingdan.progress import TerminalProgress
from qingdan.spreadsheets import SheetError


class Command(BaseCommand):
    help = (
        "Issue lists from an .xlsx file (one row per item, lists grouped by 清单编号) as an office clerk; "
        "nothing is written unless every row is valid, and lists imported before are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            help="the .xlsx file (columns 清单编号, 清单标题, 责任单位编码, 协办单位编码, 文号, 类别, 事项内容, "
            "完成标准, 完成时限, 需深度验收, 责任人)",
        )
        parser.add_argument("--as", dest="username", required=True, help="the office clerk who issues the lists")
        parser.add_argument("--check", action="store_true", help="check the file and report; write nothing")

    def handle(self, *args, path, username, check, **options):
        actor = User.objects.filter(username=username, is_active=True).select_related("org_unit").first()
        if actor is None or not actor.has_role(Role.OFFICE) or actor.org_unit is None:
            raise CommandError(f"{username!r} 不是在用的督办人员账号。")
        started = time.monotonic()
        with translation.override("zh-hans"):
            try:
                with open(path, "rb") as handle:
                    upload = File(handle, name=path)
                    if check:
                        plan = imports.read_and_check(upload, actor=actor)
                    else:
                        plan = imports.apply_import(upload, actor=actor, progress=TerminalProgress("下达清单"))
            except FileNotFoundError as missing:
                raise CommandError(f"找不到文件：{path}") from missing
            except (SheetError, Refused) as problem:
                raise CommandError(problem.message) from problem
            if plan.errors:
                for error in plan.errors:
                    self.stderr.write(f"第 {error.row} 行 · {error.column} · {error.reason}")
                raise CommandError(f"{len(plan.errors)} 个问题，未导入任何内容。")
            for warning in plan.load_warnings:
                self.stderr.write(
                    f"提示：{warning.unit.name}本月已收到{warning.received}项，本次{warning.new}项，"
                    f"超过{warning.limit}项的提示线。"
                )
        seconds = time.monotonic() - started
        rate = plan.rows / seconds if seconds else 0
        if check:
            self.stdout.write(
                f"检查通过：{plan.rows} 行，待下达清单 {len(plan.new_lists)} 份、事项 {plan.new_items} 项，"
                f"已导入过 {len(plan.skipped_lists)} 份。"
            )
            return
        self.stdout.write(
            f"已下达清单 {plan.created_lists} 份、事项 {plan.created_items} 项；"
            f"已导入过而跳过 {len(plan.skipped_lists)} 份。用时 {seconds:.1f} 秒（每秒 {rate:,.0f} 行）。"
        )
