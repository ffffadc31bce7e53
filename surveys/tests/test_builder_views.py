"""The questionnaire builder pages as office staff use them: create, add, move, delete, preview,
copy a frozen questionnaire, and the questionnaire's own .xlsx import and export."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from audit.models import AuditEvent
from qingdan import clock
from surveys import services
from surveys.models import Question, QuestionKind, Questionnaire
from surveys.tests.helpers import HEADER, heilongjiang_rows, xlsx

pytestmark = pytest.mark.django_db


def builder(questionnaire):
    return f"/surveys/q/{questionnaire.pk}/"


def codes(questionnaire):
    return list(questionnaire.questions.order_by("section__position", "position", "id").values_list("code", flat=True))


def shape(questionnaire):
    """Everything a respondent would notice about the questions, for comparing two questionnaires."""
    rows = []
    for q in (
        questionnaire.questions.select_related("section", "show_if_question", "show_if_option")
        .prefetch_related("options")
        .order_by("section__position", "position", "id")
    ):
        rows.append(
            (
                q.section.title,
                q.code,
                q.text,
                q.kind,
                q.required,
                q.help_text,
                q.min_value,
                q.max_value,
                q.scale_max,
                [(o.value, o.label, o.score) for o in q.options.all()],
                (q.show_if_question.code, q.show_if_option.label) if q.show_if_question_id else None,
            )
        )
    return rows


def freeze(questionnaire, office, reporter):
    """Send the questionnaire to the reporter's unit and save a draft: it now has a response."""
    today = clock.today()
    distribution = services.distribute(
        questionnaire=questionnaire,
        title="试填",
        units=[reporter.org_unit],
        opens_on=today,
        closes_on=today + timedelta(days=7),
        actor=office,
    )
    target = distribution.targets.get()
    q1 = questionnaire.questions.get(code="Q1")
    services.save_unit_response(
        target=target, raw={q1.pk: [q1.options.get(label="是").value]}, actor=reporter, submit=False, version=0
    )
    assert questionnaire.is_frozen


def add_form(**fields):
    data = {
        "section_title": "制度机制",
        "code": "Q6",
        "text": "是否建立职代会制度",
        "kind": "single",
        "required": "on",
        "help_text": "",
        "options": "是=100\n否=0",
        "min_value": "",
        "max_value": "",
        "scale_max": "",
        "show_if_code": "",
        "show_if_option": "",
    }
    data.update(fields)
    return data


def page_text(response):
    return response.content.decode()


# --- list and create -------------------------------------------------------------------------


def test_list_shows_the_questionnaires_of_the_users_organisation(client_for, office, outsider, questionnaire):
    services.create_questionnaire(
        title="临河县职工满意度测评", owner_unit=outsider.org_unit, actor=outsider, kind="worker"
    )
    page = page_text(client_for(office).get("/surveys/"))
    assert "基层工会建设情况调查" in page and "新建问卷" in page
    assert "单位调查" in page and "可编辑" in page
    assert "临河县职工满意度测评" not in page
    row = re.search(r"基层工会建设情况调查</a></td>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r'<td class="text-end">(\d+)</td>', row) == ["1", "5"]  # version 1, five questions

    theirs = page_text(client_for(outsider).get("/surveys/"))
    assert "临河县职工满意度测评" in theirs and "基层工会建设情况调查" not in theirs


def test_list_marks_a_frozen_questionnaire_and_needs_the_same_queries_for_more_rows(
    client_for, office, reporter, questionnaire
):
    client = client_for(office)
    client.get("/surveys/")
    with CaptureQueriesContext(connection) as few:
        client.get("/surveys/")
    freeze(questionnaire, office, reporter)
    for n in range(12):
        services.create_questionnaire(title=f"问卷{n}", owner_unit=office.org_unit, actor=office)
    with CaptureQueriesContext(connection) as many:
        page = page_text(client.get("/surveys/"))
    assert "已冻结" in page
    assert len(many) == len(few)


def test_office_creates_a_questionnaire_and_lands_on_the_builder(client_for, office):
    response = client_for(office).post(
        "/surveys/new/", {"title": "2026年职工满意度测评", "kind": "worker", "description": "请如实填写"}, follow=True
    )
    created = Questionnaire.objects.get(title="2026年职工满意度测评")
    assert response.redirect_chain[-1][0] == builder(created)
    assert (created.kind, created.owner_unit, created.version, created.description) == (
        "worker",
        office.org_unit,
        1,
        "请如实填写",
    )
    assert "问卷已创建" in page_text(response)
    assert AuditEvent.objects.filter(action="surveys.questionnaire_created").count() == 1


def test_a_questionnaire_needs_a_title(client_for, office):
    response = client_for(office).post("/surveys/new/", {"title": "", "kind": "unit"})
    assert response.status_code == 200 and "这个字段是必填项" in page_text(response)
    assert not Questionnaire.objects.exists()


# --- the builder -------------------------------------------------------------------------------


def test_builder_groups_questions_by_dimension_with_options_scores_and_conditions(client_for, office, questionnaire):
    page = page_text(client_for(office).get(builder(questionnaire)))
    for text in ("维度：人员配备", "维度：阵地服务", "维度：资金使用", "5 道题目，共 3 个维度"):
        assert text in page
    assert "是</li>" not in page and "（100 分）" in page and "（0 分）" in page
    assert "仅当第 Q1 题选择“否”时显示" in page
    assert "量表 1–5 分" in page and "取值范围：0–500" in page
    assert f'href="/surveys/q/{questionnaire.pk}/stats/"' in page
    assert f'href="/surveys/q/{questionnaire.pk}/distribute/"' in page
    assert f'href="/surveys/q/{questionnaire.pk}/polls/new/"' in page
    assert page.count('data-testid="question-controls"') == 5 and "添加题目" in page


def test_office_adds_a_question_with_scores_and_a_condition(client_for, office, questionnaire):
    client = client_for(office)
    response = client.post(f"/surveys/q/{questionnaire.pk}/questions/add/", add_form(), follow=True)
    assert "已添加第 Q6 题。" in page_text(response)
    q6 = questionnaire.questions.get(code="Q6")
    assert (q6.section.title, q6.kind, q6.required) == ("制度机制", "single", True)
    assert [(o.label, o.score) for o in q6.options.all()] == [("是", 100), ("否", 0)]

    client.post(
        f"/surveys/q/{questionnaire.pk}/questions/add/",
        add_form(
            code="Q7",
            text="未建立的原因",
            kind="long_text",
            options="",
            required="",
            show_if_code="Q6",
            show_if_option="否",
        ),
    )
    q7 = questionnaire.questions.get(code="Q7")
    assert (q7.show_if_question, q7.show_if_option.label, q7.required) == (q6, "否", False)
    client.post(
        f"/surveys/q/{questionnaire.pk}/questions/add/",
        add_form(code="Q8", text="职代会召开次数", kind="number", options="", min_value="0", max_value="12"),
    )
    client.post(
        f"/surveys/q/{questionnaire.pk}/questions/add/",
        add_form(code="Q9", text="总体评价", kind="rating", options="", scale_max="10"),
    )
    client.post(
        f"/surveys/q/{questionnaire.pk}/questions/add/",
        add_form(code="Q10", text="总体满意度", kind="satisfaction", options=""),
    )
    q8, q9, q10 = (questionnaire.questions.get(code=c) for c in ("Q8", "Q9", "Q10"))
    assert (q8.min_value, q8.max_value, q9.scale_max) == (0, 12, 10)
    assert [o.label for o in q10.options.all()] == ["非常满意", "满意", "基本满意", "不满意"]
    assert codes(questionnaire)[-5:] == ["Q6", "Q7", "Q8", "Q9", "Q10"]


def test_a_duplicate_question_number_is_refused_with_the_message(client_for, office, questionnaire):
    before = shape(questionnaire)
    response = client_for(office).post(f"/surveys/q/{questionnaire.pk}/questions/add/", add_form(code="Q3"))
    assert response.status_code == 200
    page = page_text(response)
    assert "题号 Q3 重复。" in page
    assert 'value="是否建立职代会制度"' in page  # the form keeps what was typed
    assert shape(questionnaire) == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"options": "是=100"}, "选择题至少需要两个选项。"),
        ({"options": "是=120\n否=0"}, "选项“是”的分值应在 0 到 100 之间。"),
        ({"options": "是=很多\n否=0"}, "选项“是”的分值不是数字。"),
        ({"options": "是\n是"}, "有两个选项的文字相同。"),
        ({"kind": "short_text", "options": "是\n否"}, "只有选择题才有选项。"),
        ({"kind": "number", "options": "", "min_value": "10", "max_value": "1"}, "最大值小于最小值。"),
        ({"kind": "rating", "options": "", "scale_max": "11"}, "评分题的量表应为 2 到 10 分。"),
        ({"show_if_code": "Q1"}, "请同时填写显示条件的题号和选项，或都不填。"),
        ({"show_if_code": "Q9", "show_if_option": "是"}, "显示条件引用的第 Q9 题不在本题之前。"),
        ({"show_if_code": "Q1", "show_if_option": "也许"}, "第 Q1 题没有选项“也许”。"),
        ({"code": ""}, "这个字段是必填项。"),
        # 人员配备 comes before 资金使用, so a question there cannot wait for Q5's answer.
        (
            {"section_title": "人员配备", "show_if_code": "Q5", "show_if_option": "培训"},
            "显示条件引用的第 Q5 题不在本题之前。",
        ),
    ],
)
def test_bad_question_input_gets_a_clear_error_and_changes_nothing(client_for, office, questionnaire, fields, message):
    before = shape(questionnaire)
    response = client_for(office).post(f"/surveys/q/{questionnaire.pk}/questions/add/", add_form(**fields))
    assert response.status_code == 200
    assert message in page_text(response)
    assert shape(questionnaire) == before


def test_office_moves_questions_within_their_dimension(client_for, office, questionnaire):
    client = client_for(office)
    q5 = questionnaire.questions.get(code="Q5")
    response = client.post(f"/surveys/q/{questionnaire.pk}/questions/{q5.pk}/move/", {"direction": "up"})
    assert response.status_code == 302 and response["Location"] == f"{builder(questionnaire)}#q{q5.pk}"
    assert codes(questionnaire) == ["Q1", "Q2", "Q3", "Q5", "Q4"]
    client.post(f"/surveys/q/{questionnaire.pk}/questions/{q5.pk}/move/", {"direction": "down"})
    assert codes(questionnaire) == ["Q1", "Q2", "Q3", "Q4", "Q5"]


def test_a_question_cannot_move_above_the_question_it_depends_on(client_for, office, questionnaire):
    q2 = questionnaire.questions.get(code="Q2")
    response = client_for(office).post(
        f"/surveys/q/{questionnaire.pk}/questions/{q2.pk}/move/", {"direction": "up"}, follow=True
    )
    assert "题目必须排在它所依赖的题目之后。" in page_text(response)
    assert codes(questionnaire) == ["Q1", "Q2", "Q3", "Q4", "Q5"]


def test_office_deletes_a_question(client_for, office, questionnaire):
    q5 = questionnaire.questions.get(code="Q5")
    response = client_for(office).post(f"/surveys/q/{questionnaire.pk}/questions/{q5.pk}/delete/", follow=True)
    assert "已删除第 Q5 题。" in page_text(response)
    assert codes(questionnaire) == ["Q1", "Q2", "Q3", "Q4"]
    assert AuditEvent.objects.filter(action="surveys.question_deleted").count() == 1


def test_a_question_others_depend_on_cannot_be_deleted(client_for, office, questionnaire):
    q1 = questionnaire.questions.get(code="Q1")
    response = client_for(office).post(f"/surveys/q/{questionnaire.pk}/questions/{q1.pk}/delete/", follow=True)
    assert "有其他题目依赖本题显示，请先修改那道题的显示条件。" in page_text(response)
    assert codes(questionnaire) == ["Q1", "Q2", "Q3", "Q4", "Q5"]


# --- frozen questionnaires and copies ------------------------------------------------------------


def test_a_frozen_questionnaire_shows_no_edit_controls_but_offers_a_copy(client_for, office, reporter, questionnaire):
    freeze(questionnaire, office, reporter)
    page = page_text(client_for(office).get(builder(questionnaire)))
    assert "已冻结" in page and "该问卷已有答卷，题目不能再修改" in page
    assert "复制为新版本" in page
    for control in ('data-testid="question-controls"', "添加题目", "/questions/add/", "/move/", "/delete/", "/import/"):
        assert control not in page


def test_edits_of_a_frozen_questionnaire_are_refused_with_a_message(client_for, office, reporter, questionnaire):
    freeze(questionnaire, office, reporter)
    before = shape(questionnaire)
    client = client_for(office)
    refusal = "该问卷已下发或已有答卷，不能再修改；请复制为新版本后修改。"
    q4, q5 = questionnaire.questions.get(code="Q4"), questionnaire.questions.get(code="Q5")
    assert refusal in page_text(client.post(f"/surveys/q/{questionnaire.pk}/questions/add/", add_form(), follow=True))
    moved = client.post(f"/surveys/q/{questionnaire.pk}/questions/{q5.pk}/move/", {"direction": "up"}, follow=True)
    assert refusal in page_text(moved)
    deleted = client.post(f"/surveys/q/{questionnaire.pk}/questions/{q4.pk}/delete/", follow=True)
    assert refusal in page_text(deleted)
    imported = client.post(f"/surveys/q/{questionnaire.pk}/import/", {"file": xlsx(heilongjiang_rows())})
    assert refusal in page_text(imported)
    assert shape(questionnaire) == before


def test_copy_makes_version_2_with_the_same_questions_and_conditions(client_for, office, reporter, questionnaire):
    freeze(questionnaire, office, reporter)
    response = client_for(office).post(f"/surveys/q/{questionnaire.pk}/copy/", follow=True)
    copy = Questionnaire.objects.exclude(pk=questionnaire.pk).get()
    assert response.redirect_chain[-1][0] == builder(copy)
    assert (copy.version, copy.copied_from, copy.title) == (2, questionnaire, questionnaire.title)
    assert shape(copy) == shape(questionnaire)
    q2 = copy.questions.get(code="Q2")
    assert q2.show_if_question.questionnaire == copy and q2.show_if_option.question.questionnaire == copy
    page = page_text(response)
    assert "已生成第 2 版" in page and "可编辑" in page and 'data-testid="question-controls"' in page


def test_an_editable_questionnaire_can_be_copied_too(client_for, office, questionnaire):
    client_for(office).post(f"/surveys/q/{questionnaire.pk}/copy/")
    assert Questionnaire.objects.filter(copied_from=questionnaire, version=2).exists()


# --- preview ----------------------------------------------------------------------------------------


def test_preview_renders_every_question_type_as_the_respondent_sees_it(client_for, office, questionnaire):
    client = client_for(office)
    for code, kind in (("Q6", "satisfaction"), ("Q7", "long_text")):
        client.post(
            f"/surveys/q/{questionnaire.pk}/questions/add/",
            add_form(code=code, text=f"题目{code}", kind=kind, options=""),
        )
    q = {x.code: x for x in questionnaire.questions.prefetch_related("options")}
    page = page_text(client.get(f"/surveys/q/{questionnaire.pk}/preview/"))
    yes, no = q["Q1"].options.get(label="是"), q["Q1"].options.get(label="否")
    assert (
        f'type="radio" name="q{q["Q1"].pk}" id="q{q["Q1"].pk}-{yes.pk}" value="{yes.value}" data-option="{yes.pk}"'
        in page
    )
    assert f'data-show-if-question="{q["Q1"].pk}" data-show-if-option="{no.pk}"' in page
    assert "仅当第 Q1 题选择“否”时显示" in page
    assert f'type="text" maxlength="200" name="q{q["Q2"].pk}"' in page
    assert [f'value="{n}"' in page for n in range(1, 6)] and f'id="q{q["Q3"].pk}-r5"' in page
    assert f'id="q{q["Q3"].pk}-r6"' not in page
    assert f'type="number" step="any" inputmode="decimal" name="q{q["Q4"].pk}"' in page and 'min="0" max="500"' in page
    assert page.count(f'type="checkbox" name="q{q["Q5"].pk}"') == 3
    assert page.count(f'type="radio" name="q{q["Q6"].pk}"') == 4 and "非常满意" in page
    assert f'<textarea class="form-control" rows="4" maxlength="5000" name="q{q["Q7"].pk}"' in page
    assert "qingdan/showif.js" in page and "预览" in page


def test_the_field_include_shows_given_values_and_the_error(office, questionnaire):
    from django.template.loader import render_to_string

    q1 = questionnaire.questions.get(code="Q1")
    yes = q1.options.get(label="是")
    html = render_to_string(
        "surveys/questionnaire_field.html", {"question": q1, "values": [yes.value], "error": "第 Q1 题为必答题"}
    )
    assert f'value="{yes.value}" data-option="{yes.pk}" checked' in html
    assert "第 Q1 题为必答题" in html and "is-invalid" in html
    q3 = questionnaire.questions.get(code="Q3")
    assert 'value="4" autocomplete="off" checked' in render_to_string(
        "surveys/questionnaire_field.html", {"question": q3, "values": ["4"]}
    )


# --- import and export ------------------------------------------------------------------------------


def test_a_bad_row_is_shown_with_row_column_and_reason_and_nothing_is_written(client_for, office, questionnaire):
    before = shape(questionnaire)
    rows = [
        ["人员配备", "Q1", "是否配备专职工会干部", "单选题", "是", "是=100|否=0", "", "", "", "", ""],
        ["人员配备", "Q2", "配备人数", "填空题", "是", "", "", "", "", "", ""],
        ["人员配备", "Q1", "重复的题号", "简答题", "是", "", "", "", "", "", ""],
    ]
    response = client_for(office).post(f"/surveys/q/{questionnaire.pk}/import/", {"file": xlsx(rows)})
    page = page_text(response)
    assert "发现 2 个问题，未导入任何内容。" in page
    cells = re.findall(r'<tr class="qd-row-error"><td>(\d+)</td><td>(.*?)</td><td>(.*?)</td></tr>', page)
    assert cells == [("3", "题型", "未知的题型“填空题”。"), ("4", "题号", "题号 Q1 与第 2 行重复。")]
    assert "确认导入" not in page
    assert shape(questionnaire) == before


def test_a_file_that_is_not_a_workbook_is_refused(client_for, office, questionnaire):
    fake = SimpleUploadedFile("问卷.xlsx", b"not a workbook")
    page = page_text(client_for(office).post(f"/surveys/q/{questionnaire.pk}/import/", {"file": fake}))
    assert "该文件不是 Excel 工作簿（.xlsx）" in page
    assert len(codes(questionnaire)) == 5


def test_a_good_file_is_previewed_then_imported_on_confirmation(client_for, office):
    client = client_for(office)
    target = services.create_questionnaire(title="黑龙江县级工会调查", owner_unit=office.org_unit, actor=office)
    response = client.post(f"/surveys/q/{target.pk}/import/", {"file": xlsx(heilongjiang_rows())})
    page = page_text(response)
    assert "文件校验通过：共 56 道题目，5 个维度。" in page
    assert re.findall(r"<tr><td>(.*?)</td><td class=\"text-end\">(\d+)</td></tr>", page) == [
        ("人员配备", "12"),
        ("阵地服务", "11"),
        ("资金使用", "11"),
        ("制度机制", "11"),
        ("作用发挥", "11"),
    ]
    assert not target.questions.exists()  # nothing until confirmed
    token = response.context["token"]
    done = client.post(f"/surveys/q/{target.pk}/import/", {"confirm": "1", "token": token}, follow=True)
    assert done.redirect_chain[-1][0] == builder(target)
    assert "导入完成：问卷现有 56 道题目。" in page_text(done)
    assert target.questions.count() == 56 and target.sections.count() == 5
    again = client.post(f"/surveys/q/{target.pk}/import/", {"confirm": "1", "token": token}, follow=True)
    assert "该上传已失效或已导入" in page_text(again)
    assert target.questions.count() == 56


def test_export_then_import_into_a_new_questionnaire_gives_the_same_questions(client_for, office, questionnaire):
    client = client_for(office)
    exported = client.get(f"/surveys/q/{questionnaire.pk}/export/")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(exported.content)).active
    assert [c.value for c in sheet[1]] == HEADER

    target = services.create_questionnaire(title="新问卷", owner_unit=office.org_unit, actor=office)
    upload = SimpleUploadedFile("导出.xlsx", exported.content)
    token = client.post(f"/surveys/q/{target.pk}/import/", {"file": upload}).context["token"]
    client.post(f"/surveys/q/{target.pk}/import/", {"confirm": "1", "token": token})
    assert shape(target) == shape(questionnaire)


def test_the_import_template_has_the_header_and_two_examples_that_import_cleanly(client_for, office):
    client = client_for(office)
    response = client.get("/surveys/import-template/")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER and len(rows) == 3
    target = services.create_questionnaire(title="模板试导", owner_unit=office.org_unit, actor=office)
    page = page_text(
        client.post(f"/surveys/q/{target.pk}/import/", {"file": SimpleUploadedFile("t.xlsx", response.content)})
    )
    assert "文件校验通过：共 2 道题目，1 个维度。" in page


# --- who may do what -----------------------------------------------------------------------------------


def builder_urls(questionnaire):
    q1 = questionnaire.questions.get(code="Q1")
    base = builder(questionnaire)
    reads = [base, f"{base}preview/", f"{base}export/"]
    writes = [
        (f"{base}questions/add/", add_form()),
        (f"{base}questions/{q1.pk}/move/", {"direction": "down"}),
        (f"{base}questions/{q1.pk}/delete/", {}),
        (f"{base}copy/", {}),
        (f"{base}import/", {"file": xlsx(heilongjiang_rows())}),
    ]
    return reads, writes


def test_the_other_county_gets_404_on_every_builder_url(client_for, outsider, questionnaire):
    client = client_for(outsider)
    before = shape(questionnaire)
    reads, writes = builder_urls(questionnaire)
    for url in [*reads, f"{builder(questionnaire)}import/"]:
        assert client.get(url).status_code == 404, url
    for url, data in writes:
        assert client.post(url, data).status_code == 404, url
    assert shape(questionnaire) == before
    assert Questionnaire.objects.count() == 1


def test_a_reporter_gets_403_on_every_builder_page(client_for, reporter, questionnaire):
    client = client_for(reporter)
    reads, writes = builder_urls(questionnaire)
    for url in ["/surveys/", "/surveys/new/", "/surveys/import-template/", *reads]:
        assert client.get(url).status_code == 403, url
    for url, data in [("/surveys/new/", {"title": "x", "kind": "unit"}), *writes]:
        assert client.post(url, data).status_code == 403, url
    assert Questionnaire.objects.count() == 1


def test_a_leader_may_look_but_not_change(client_for, leader, questionnaire):
    client = client_for(leader)
    before = shape(questionnaire)
    reads, writes = builder_urls(questionnaire)
    for url in ["/surveys/", *reads]:
        assert client.get(url).status_code == 200, url
    page = page_text(client.get(builder(questionnaire)))
    assert "复制为新版本" not in page and "添加题目" not in page and 'data-testid="question-controls"' not in page
    assert "新建问卷" not in page_text(client.get("/surveys/"))
    for url, data in [("/surveys/new/", {"title": "x", "kind": "unit"}), *writes]:
        assert client.post(url, data).status_code == 403, url
    assert shape(questionnaire) == before and Questionnaire.objects.count() == 1


# --- the management command ------------------------------------------------------------------------------


def test_the_command_imports_with_a_progress_bar(tmp_path, office, capsys):
    path = tmp_path / "hlj.xlsx"
    path.write_bytes(xlsx(heilongjiang_rows()).read())
    out = io.StringIO()
    call_command("import_questionnaire", str(path), "--as", "office", "--title", "县级工会调查", stdout=out)
    created = Questionnaire.objects.get(title="县级工会调查")
    assert created.owner_unit == office.org_unit and created.questions.count() == 56
    assert "导入 56 道题目，共 5 个维度" in out.getvalue()
    progress = capsys.readouterr().err
    assert "导入题目" in progress and "56/56" in progress and "100.0%" in progress


def test_the_command_refuses_a_bad_file_and_creates_nothing(tmp_path, office):
    rows = heilongjiang_rows()
    rows[3][3] = "填空题"
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx(rows).read())
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 个问题，未导入任何内容。"):
        call_command("import_questionnaire", str(path), "--as", "office", "--title", "坏文件", stderr=err)
    assert "第 5 行 · 题型 · 未知的题型“填空题”。" in err.getvalue()
    assert not Questionnaire.objects.exists() and not Question.objects.exists()


def test_the_command_needs_an_office_clerk(tmp_path, reporter):
    path = tmp_path / "hlj.xlsx"
    path.write_bytes(xlsx(heilongjiang_rows()).read())
    with pytest.raises(CommandError, match="不是在用的督办人员账号"):
        call_command("import_questionnaire", str(path), "--as", "reporter", "--title", "调查")
    assert not Questionnaire.objects.exists()


def test_question_kinds_all_have_a_rendering():
    # A new question type must get an input in questionnaire_field.html.
    assert set(QuestionKind.values) == {
        "single",
        "multiple",
        "rating",
        "satisfaction",
        "number",
        "short_text",
        "long_text",
    }
