import time

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from assistance import imports
from orgs.models import OrgUnit, Role, User
from orgs.queries import within
from qingdan.errors import Refused
from qingdan.progress import TerminalProgress
from qingdan.spreadsheets import SheetError


class Command(BaseCommand):
    help = (
        "Archive hardship household files from an .xlsx file (one row per member, grouped by 档案编号) as an office "
        "clerk; nothing is written unless every row is valid, and files imported before are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .xlsx file (columns as in the template of the import page)")
        parser.add_argument("--unit", required=True, help="the code of the unit managing files that name none")
        parser.add_argument("--actor", required=True, help="the office clerk who imports them")
        parser.add_argument("--check", action="store_true", help="check the file and report; write nothing")

    def handle(self, *args, path, unit, actor, check, **options):
        clerk = User.objects.filter(username=actor, is_active=True).select_related("org_unit").first()
        if clerk is None or not clerk.has_role(Role.OFFICE) or clerk.org_unit is None:
            raise CommandError(f"{actor!r} 不是在用的督办人员账号。")
        managing = OrgUnit.objects.filter(within(clerk.org_unit), code=unit).first()
        if managing is None:
            raise CommandError(f"{clerk.org_unit.name}下没有编码为 {unit} 的单位。")
        started = time.monotonic()
        with translation.override("zh-hans"):
            try:
                with open(path, "rb") as handle:
                    upload = File(handle, name=path)
                    if check:
                        plan = imports.check_household_file(upload, actor=clerk, unit=managing)
                    else:
                        plan = imports.import_households(
                            upload,
                            actor=clerk,
                            unit=managing,
                            progress=TerminalProgress("建档", stream=self.stderr._out),
                        )
            except FileNotFoundError as missing:
                raise CommandError(f"找不到文件：{path}") from missing
            except (SheetError, Refused) as problem:
                raise CommandError(problem.message) from problem
            if plan.errors:
                for error in plan.errors:
                    self.stderr.write(f"第 {error.row} 行 · {error.column} · {error.reason}")
                raise CommandError(f"{len(plan.errors)} 个问题，未导入任何内容。")
        seconds = time.monotonic() - started
        if check:
            self.stdout.write(
                f"检查通过：{plan.rows} 行，待建档 {len(plan.households)} 户（{plan.members} 人），"
                f"已导入过 {len(plan.skipped)} 户。"
            )
            return
        self.stdout.write(
            f"已建档 {plan.created} 户、{plan.members_created} 人；已导入过而跳过 {len(plan.skipped)} 户。"
            f"用时 {seconds:.1f} 秒。"
        )
