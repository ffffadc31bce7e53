from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from orgs.models import Role, User
from qingdan.errors import Refused
from qingdan.progress import TerminalProgress
from qingdan.spreadsheets import SheetError
from surveys import services
from surveys.imports import import_questions, read_and_check
from surveys.models import QuestionnaireKind


class Command(BaseCommand):
    help = (
        "Create a questionnaire for the user's unit and load its questions from an .xlsx file "
        "(one row per question); nothing is written unless every row is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            help="the .xlsx file (columns 维度, 题号, 题目, 题型, 必答, 选项, 最小值, 最大值, 量表分数, 说明, 显示条件)",
        )
        parser.add_argument(
            "--as", dest="username", required=True, help="an office clerk whose unit owns the questionnaire"
        )
        parser.add_argument("--title", required=True, help="the questionnaire's title")
        parser.add_argument("--kind", choices=QuestionnaireKind.values, default=QuestionnaireKind.UNIT)
        parser.add_argument("--description", default="")

    def handle(self, *args, path, username, title, kind, description, **options):
        actor = User.objects.filter(username=username, is_active=True).select_related("org_unit").first()
        if actor is None or not actor.has_role(Role.OFFICE) or actor.org_unit is None:
            raise CommandError(f"{username!r} 不是在用的督办人员账号。")
        title = title.strip()
        if not title or len(title) > 200:
            raise CommandError("问卷标题不能为空，且不能超过 200 个字符。")
        with translation.override("zh-hans"):
            try:
                with open(path, "rb") as handle:
                    upload = File(handle, name=path)
                    # Check every row before creating anything, so a bad file leaves no empty questionnaire.
                    questions, errors = read_and_check(upload)
                    if not errors:
                        upload.seek(0)
                        with transaction.atomic():
                            questionnaire = services.create_questionnaire(
                                title=title, description=description, kind=kind, owner_unit=actor.org_unit, actor=actor
                            )
                            errors = import_questions(
                                questionnaire=questionnaire,
                                uploaded=upload,
                                actor=actor,
                                progress=TerminalProgress("导入题目"),
                            )
                            if errors:
                                transaction.set_rollback(True)
            except FileNotFoundError as missing:
                raise CommandError(f"找不到文件：{path}") from missing
            except SheetError as problem:
                raise CommandError(problem.message) from problem
            except Refused as refused:
                raise CommandError(refused.message) from refused
        if errors:
            for error in errors:
                self.stderr.write(f"第 {error.row} 行 · {error.column} · {error.reason}")
            raise CommandError(f"{len(errors)} 个问题，未导入任何内容。")
        sections = len({q["section_title"] for q in questions})
        self.stdout.write(
            f"已创建问卷《{questionnaire.title}》（编号 {questionnaire.pk}，第 {questionnaire.version} 版），"
            f"导入 {len(questions)} 道题目，共 {sections} 个维度。"
        )
