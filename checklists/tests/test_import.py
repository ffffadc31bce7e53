"""Bulk issue from .xlsx: every bad row kind is reported with row, column and reason and nothing
is written; the same file twice issues nothing new; 127 lists to 86 units in one upload."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from checklists import imports
from checklists.models import Category, Checklist, Item, ItemEvent
from orgs.models import OrgKind
from orgs.tests.factories import OrgUnitFactory
from qingdan import clock
from qingdan.spreadsheets import RowError

pytestmark = pytest.mark.django_db
TODAY = clock.today
HEADER = [
    "清单编号",
    "清单标题",
    "责任单位编码",
    "协办单位编码",
    "文号",
    "类别",
    "事项内容",
    "完成标准",
    "完成时限",
    "需深度验收",
    "责任人",
]


def later(days=60):
    return (TODAY() + timedelta(days=days)).isoformat()


def xlsx(rows, header=HEADER, name="清单.xlsx", text_cells=()):
    """An upload; ``text_cells`` are (row, column) cells written as text even when they begin with "="."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for row, column in text_cells:
        sheet.cell(row=row, column=column).data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def row(key="QD-1", title="技术工人队伍建设责任清单", unit="A-D1", co="", doc="滨产改办〔2026〕3号", category="产业工人队伍建设",
        content="改善技术人才居住条件", standard="人才公寓改造完成并入住", deadline=None, deep="否", person="张三"):  # fmt: skip
    return [key, title, unit, co, doc, category, content, standard, deadline or later(), deep, person]


@pytest.fixture
def co_unit(county_a):
    return OrgUnitFactory(code="A-D2", name="县人社局", kind=OrgKind.DEPARTMENT, parent=county_a)


def test_a_valid_file_issues_its_lists_grouped_by_key(office, dept_a, co_unit):
    upload = xlsx(
        [
            row(co="A-D2", deadline=date(2099, 9, 30)),  # an Excel date cell
            row(title="", unit="", doc="", category="", content="开展职工技能竞赛", deadline="2099/9/30", deep="是"),
            row(key="QD-2", title="职工之家建设清单", category="", content="建成职工之家", deadline="2099年9月30日"),
        ]
    )
    plan = imports.apply_import(upload, actor=office)
    assert plan.ok, plan.errors
    assert (plan.created_lists, plan.created_items) == (2, 3)
    first = Checklist.objects.get(issuing_unit=office.org_unit, import_key="QD-1")
    assert (first.title, first.responsible_unit, first.doc_number, first.category.name) == (
        "技术工人队伍建设责任清单",
        dept_a,
        "滨产改办〔2026〕3号",
        "产业工人队伍建设",
    )
    assert list(first.co_units.all()) == [co_unit]
    items = list(first.items.order_by("position"))
    assert [(i.content, i.deadline.isoformat(), i.deep_review_required) for i in items] == [
        ("改善技术人才居住条件", "2099-09-30", False),
        ("开展职工技能竞赛", "2099-09-30", True),
    ]
    assert Checklist.objects.get(import_key="QD-2").category is None
    events = ItemEvent.objects.filter(item__checklist__issuing_unit=office.org_unit)
    assert sorted(events.values_list("item_id", "kind", "actor", "data", "document")) == sorted(
        (pk, "issued", office.pk, {}, None) for pk in Item.objects.values_list("pk", flat=True)
    )
    assert all(abs(clock.now() - event.at) < timedelta(minutes=1) for event in events)


@pytest.mark.parametrize(
    ("rows", "text_cells", "expected"),
    [
        pytest.param(
            [row(unit="X-404")],
            (),
            [(2, "责任单位编码", "本单位管辖范围内没有编码为“X-404”的单位。")],
            id="unknown unit",
        ),
        pytest.param(
            [row(unit="B-D1")], (), [(2, "责任单位编码", "本单位管辖范围内没有编码为“B-D1”的单位。")], id="other county"
        ),
        pytest.param(
            [row(co="A-D1")], (), [(2, "协办单位编码", "责任单位不能同时作为协办单位。")], id="co-unit is lead"
        ),
        pytest.param(
            [row(deadline=(TODAY() - timedelta(days=1)).isoformat())],
            (),
            [(2, "完成时限", f"完成时限 {(TODAY() - timedelta(days=1)).isoformat()} 已过。")],
            id="past deadline",
        ),
        pytest.param(
            [row(deadline="明年九月")],
            (),
            [(2, "完成时限", "无法识别日期“明年九月”，请写成 2026-09-30 的格式。")],
            id="bad date",
        ),
        pytest.param(
            [row(deadline="2099-02-30")],
            (),
            [(2, "完成时限", "无法识别日期“2099-02-30”，请写成 2026-09-30 的格式。")],
            id="no such day",
        ),
        pytest.param([row(content="")], (), [(2, "事项内容", "事项内容为空。")], id="empty content"),
        pytest.param([row(), row(title="")], (), [(3, "事项内容", "与本清单第 2 行的事项重复。")], id="duplicate item"),
        pytest.param([row(content="=1+1")], (), [(2, "事项内容", "不能包含公式")], id="formula"),
        pytest.param([row(person="=HYPERLINK(1)")], [(2, 11)], [(2, "责任人", "不能包含公式")], id="formula text"),
        pytest.param(
            [row(), row(title="另一个标题", content="第二项")],
            (),
            [(3, "清单标题", "与同一清单第 2 行不一致（“技术工人队伍建设责任清单”）。")],
            id="disagreeing title",
        ),
        pytest.param(
            [row(), row(unit="A-D2", content="第二项")],
            (),
            [(3, "责任单位编码", "与同一清单第 2 行不一致（“A-D1”）。")],
            id="disagreeing unit",
        ),
        pytest.param([row(title="长" * 201)], (), [(2, "清单标题", "超过200个字符。")], id="long title"),
        pytest.param([row(key="K" * 61)], (), [(2, "清单编号", "超过60个字符。")], id="long key"),
        pytest.param([row(deep="也许")], (), [(2, "需深度验收", "请填写“是”或“否”。")], id="bad yes/no"),
        pytest.param([row(key="")], (), [(2, "清单编号", "清单编号为空。")], id="empty key"),
        pytest.param([row(unit="")], (), [(2, "责任单位编码", "责任单位编码为空。")], id="empty unit"),
    ],
)
def test_each_bad_row_is_reported_and_nothing_is_written(office, dept_a, co_unit, dept_b, rows, text_cells, expected):
    good = row(key="QD-9", content="一个正确的事项")
    plan = imports.apply_import(xlsx([*rows, good], text_cells=text_cells), actor=office)
    assert [(e.row, e.column, e.reason) for e in plan.errors] == expected
    assert not Checklist.objects.exists() and not Item.objects.exists() and not Category.objects.exists()


def test_the_page_shows_row_column_and_reason_in_red_and_writes_nothing(client_for, office, dept_a):
    client = client_for(office)
    response = client.post("/lists/import/", {"file": xlsx([row(), row(unit="X-404", key="QD-2", content="=SUM(1)")])})
    text = response.content.decode()
    assert "qd-row-error" in text and "不能包含公式" in text and "没有编码为“X-404”的单位" in text
    assert "2 个问题，未导入任何内容" in text or "个问题" in text
    assert 'name="confirm"' not in text
    assert not Checklist.objects.exists()


def test_upload_preview_confirm_and_the_same_file_twice_issues_nothing_new(client_for, office, dept_a, co_unit):
    client = client_for(office)
    rows = [row(), row(title="", content="开展职工技能竞赛"), row(key="QD-2", unit="A-D2", content="建成职工之家")]
    preview = client.post("/lists/import/", {"file": xlsx(rows)})
    text = preview.content.decode()
    assert 'data-testid="import-preview"' in text
    assert "将向 2 个单位下达清单 2 份、事项 3 项" in text and "将新增类别：产业工人队伍建设" in text
    assert not Checklist.objects.exists()  # the preview writes nothing
    token = preview.context["token"]
    done = client.post("/lists/import/", {"confirm": "1", "token": token}, follow=True)
    assert "导入完成：下达清单 2 份、事项 3 项；0 份清单此前已导入" in done.content.decode()
    assert (Checklist.objects.count(), Item.objects.count()) == (2, 3)
    # The token is used up: posting it again imports nothing.
    again = client.post("/lists/import/", {"confirm": "1", "token": token}, follow=True)
    assert "请重新上传文件" in again.content.decode()

    second = client.post("/lists/import/", {"file": xlsx(rows)})
    text = second.content.decode()
    assert "本文件中有 2 份清单已导入过，将跳过" in text and "没有需要新下达的清单" in text
    # Even confirming the same file directly creates nothing new.
    plan = imports.apply_import(xlsx(rows), actor=office)
    assert plan.ok and (plan.created_lists, len(plan.skipped_lists)) == (0, 2)
    assert (Checklist.objects.count(), Item.objects.count(), Category.objects.count()) == (2, 3, 1)


def test_a_file_imported_before_may_carry_deadlines_now_past(office, dept_a):
    imports.apply_import(xlsx([row()]), actor=office)
    Checklist.objects.update(import_key="QD-1")
    plan = imports.check_rows(
        [(2, dict(zip(imports.header_keys(), row(deadline=(TODAY() - timedelta(days=3)).isoformat()), strict=True)))],
        actor=office,
    )
    assert plan.ok and len(plan.skipped_lists) == 1 and not plan.new_lists


def test_127_lists_to_86_units_in_one_upload(office, county_a):
    units = [OrgUnitFactory(code=f"A-U{i:02d}", name=f"责任单位{i}", parent=county_a) for i in range(86)]
    categories = [f"改革内容{i + 1}" for i in range(26)]
    rows = []
    for n in range(127):
        unit = units[n % 86]
        for k in range(1 + n % 3):
            rows.append(
                row(
                    key=f"BH-{n:03d}",
                    title=f"第{n + 1}号责任清单",
                    unit=unit.code,
                    category=categories[n % 26],
                    content=f"事项{k + 1}",
                    deadline=later(30 + n),
                )
            )
    plan = imports.apply_import(xlsx(rows), actor=office)
    assert plan.ok, plan.errors[:3]
    assert (plan.created_lists, plan.created_items) == (127, len(rows))
    assert Checklist.objects.values("responsible_unit").distinct().count() == 86
    assert Category.objects.filter(owner_unit=county_a).count() == 26


def test_the_preview_warns_of_units_past_the_load_line(client_for, office, dept_a, rule):
    rule("closeout.unit_load_warning", 2)
    rows = [row(content=f"事项{i}") for i in range(3)]
    response = client_for(office).post("/lists/import/", {"file": xlsx(rows)})
    text = response.content.decode()
    assert 'data-testid="import-load-warnings"' in text
    assert "县交通运输局：本月已收到0项，本次3项，超过2项的提示线" in text


def test_a_clerks_file_with_a_title_above_the_header_and_full_width_codes_and_dates_imports(office, dept_a, co_unit):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["滨海县2026年度产业工人队伍建设改革责任清单"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(HEADER)
    sheet.append(row(unit="Ａ－Ｄ１", co="Ａ－Ｄ２", deadline="２０９９／９／３０"))
    sheet.append(row(content="开展职工技能竞赛", deadline="2099-09-3x"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = imports.read_and_check(SimpleUploadedFile("清单.xlsx", buffer.getvalue()), actor=office)
    # The header is found on row 2; the bad date is on row 4 of the file, as Excel numbers it.
    assert [(e.row, e.column) for e in plan.errors] == [(4, "完成时限")]
    good = [[*row(unit="Ａ－Ｄ１", co="Ａ－Ｄ２", deadline="２０９９／９／３０")]]
    plan = imports.apply_import(xlsx(good), actor=office)
    assert plan.ok, plan.errors
    checklist = Checklist.objects.get()
    assert checklist.responsible_unit == dept_a and list(checklist.co_units.all()) == [co_unit]
    assert checklist.items.get().deadline == date(2099, 9, 30)


def test_a_sheet_without_the_required_columns_is_refused(client_for, office):
    response = client_for(office).post("/lists/import/", {"file": xlsx([["x"]], header=["清单编号", "事项内容"])})
    assert "缺少" in response.content.decode() or "表头" in response.content.decode()
    assert not Checklist.objects.exists()


def test_a_file_that_is_not_xlsx_is_refused(client_for, office):
    upload = SimpleUploadedFile("清单.xlsx", b"not a workbook")
    response = client_for(office).post("/lists/import/", {"file": upload})
    assert response.context["form"].errors["file"]
    assert not Checklist.objects.exists()


def test_only_office_staff_import(client_for, reporter):
    assert client_for(reporter).get("/lists/import/").status_code == 403


def test_the_template_has_the_import_columns_and_the_unit_codes(client_for, office, dept_a):
    response = client_for(office).get("/lists/import/template/")
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    first, codes = workbook.worksheets
    assert [c.value for c in next(first.iter_rows())] == HEADER
    assert ["A-D1", "县交通运输局"] in [[c.value for c in r] for r in codes.iter_rows()]


def test_the_command_imports_with_progress_and_refuses_a_bad_file(office, dept_a, tmp_path, capsys):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([row(), row(title="", content="第二项")]).read())
    call_command("import_checklists", str(good), "--as", "office")
    out = capsys.readouterr()
    assert "已下达清单 1 份、事项 2 项" in out.out and "下达清单 [" in out.err
    call_command("import_checklists", str(good), "--as", "office")
    assert "已导入过而跳过 1 份" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([row(key="QD-3", unit="X-404")]).read())
    with pytest.raises(CommandError, match="1 个问题"):
        call_command("import_checklists", str(bad), "--as", "office")
    assert "第 2 行 · 责任单位编码" in capsys.readouterr().err
    assert Checklist.objects.count() == 1
    with pytest.raises(CommandError, match="督办人员"):
        call_command("import_checklists", str(good), "--as", "nobody")


def test_the_export_of_lists_reads_back_in_the_import_layout(client_for, office, dept_a):
    imports.apply_import(xlsx([row(), row(title="", content="第二项")]), actor=office)
    response = client_for(office).get("/lists/export/")
    rows = imports.read_rows(
        SimpleUploadedFile("e.xlsx", response.content),
        headers=imports._headers()[0],
        optional=imports._headers()[1],
        max_bytes=10**7,
    )
    assert [(r["key"], r["unit"], r["content"], r["deadline"][:10]) for _n, r in rows] == [
        ("QD-1", "A-D1", "改善技术人才居住条件", later()),
        ("QD-1", "A-D1", "第二项", later()),
    ]


def test_row_errors_are_row_error_values(office):
    plan = imports.check_rows([(2, dict.fromkeys(imports.header_keys(), ""))], actor=office)
    assert all(isinstance(e, RowError) for e in plan.errors)
