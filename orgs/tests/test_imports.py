import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from audit.models import AuditEvent
from orgs.imports import apply_import, read_and_check
from orgs.models import OrgKind, OrgUnit
from qingdan.spreadsheets import SheetError

pytestmark = pytest.mark.django_db

HEADER = ["单位编码", "单位名称", "单位类型", "上级单位编码"]
GOOD_ROWS = [
    ["A-T1", "东坎街道工会", "乡镇（街道）工会", "A"],
    ["A-E1", "江苏苏盐阀门机械有限公司", "企业", "A-T1"],
    ["A-G1", "县人民医院工会", "grassroots", "A"],  # the English code is accepted too
    ["A-E2", "滨海港务集团有限公司", "Enterprise", "A-T1"],  # and the English label
]


def xlsx(rows, header=HEADER, name="orgs.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_import_creates_the_tree_and_a_second_import_changes_nothing(sysadmin, county_a):
    plan = apply_import(xlsx(GOOD_ROWS), actor=sysadmin)
    assert plan.ok and (plan.created, plan.updated, plan.unchanged) == (4, 0, 0)
    firm = OrgUnit.objects.get(code="A-E1")
    assert firm.parent.code == "A-T1" and firm.kind == OrgKind.ENTERPRISE and firm.path.startswith(county_a.path)
    events = AuditEvent.objects.count()
    units = list(OrgUnit.objects.order_by("pk").values_list("pk", "code", "name", "kind", "parent_id", "path"))

    again = apply_import(xlsx(GOOD_ROWS), actor=sysadmin)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert list(OrgUnit.objects.order_by("pk").values_list("pk", "code", "name", "kind", "parent_id", "path")) == units
    assert AuditEvent.objects.count() == events + 1  # only the summary of the second import
    assert AuditEvent.objects.filter(action="orgs.imported").count() == 2


def test_children_may_come_before_their_parents_in_the_file(sysadmin, county_a):
    plan = apply_import(xlsx(list(reversed(GOOD_ROWS))), actor=sysadmin)
    assert plan.ok and OrgUnit.objects.get(code="A-E2").parent.code == "A-T1"


@pytest.mark.parametrize(
    ("bad_row", "column", "reason"),
    [
        (["A-X", "某单位", "企业", "NOPE"], "上级单位编码", "上级单位编码“NOPE”不存在。"),
        (["A-T1", "重复单位", "企业", "A"], "单位编码", "单位编码“A-T1”与第 2 行重复。"),
        (["A-X", "某单位", "合作社", "A"], "单位类型", "未知的单位类型“合作社”"),
        (["A-X", "", "企业", "A"], "单位名称", "单位名称不能为空。"),
        (["", "某单位", "企业", "A"], "单位编码", "单位编码不能为空。"),
        (["A-X", "长" * 101, "企业", "A"], "单位名称", "单位名称不能超过 100 个字符。"),
        (["A-" + "9" * 40, "某单位", "企业", "A"], "单位编码", "单位编码不能超过 32 个字符。"),
        (["A-X", "某单位", "企业", ""], "上级单位编码", "上级单位编码不能为空。"),
        (["A-X", "某单位", "企业", "A-X"], "上级单位编码", "单位的上级不能是它自己。"),
        (["B-D1", "抢来的单位", "企业", "A"], "单位编码", "已被您管辖范围以外的单位使用"),
        (["A-X", "某单位", "企业", "B"], "上级单位编码", "上级单位编码“B”不存在。"),
    ],
)
def test_each_bad_row_is_reported_and_nothing_is_written(bad_row, column, reason, sysadmin, county_a, dept_b):
    before = list(OrgUnit.objects.values_list("code", "name", "parent_id"))
    plan = apply_import(xlsx([*GOOD_ROWS, bad_row]), actor=sysadmin)
    assert not plan.ok
    assert [(e.row, e.column) for e in plan.errors] == [(6, column)]
    assert reason in plan.errors[0].reason
    assert list(OrgUnit.objects.values_list("code", "name", "parent_id")) == before
    assert not AuditEvent.objects.filter(action="orgs.imported").exists()


def test_a_loop_of_parents_is_reported_on_every_row_in_it(sysadmin, county_a):
    plan = read_and_check(xlsx([["A-P", "甲", "企业", "A-Q"], ["A-Q", "乙", "企业", "A-P"]]), actor=sysadmin)
    assert [(e.row, e.column) for e in plan.errors] == [(2, "上级单位编码"), (3, "上级单位编码")]
    assert "A-P → A-Q → A-P" in plan.errors[0].reason


def test_a_loop_message_never_names_units_above_ones_own(sysadmin, county_a):
    plan = read_and_check(
        xlsx([["A-P", "甲", "企业", "A-Q"], ["A-Q", "乙", "企业", "A-P"], ["A-R", "丙", "企业", "A-P"]]), actor=sysadmin
    )
    assert all("C1" not in e.reason for e in plan.errors)


def test_a_deep_chain_listed_children_first_imports(sysadmin, county_a):
    rows = [["A-0", "第0级", "企业", "A"]] + [[f"A-{i}", f"第{i}级", "企业", f"A-{i - 1}"] for i in range(1, 15)]
    plan = apply_import(xlsx(list(reversed(rows))), actor=sysadmin)
    assert plan.ok and OrgUnit.objects.get(code="A-14").depth == county_a.depth + 15


def test_a_tree_deeper_than_twenty_levels_is_refused(sysadmin, county_a):
    rows = [["A-0", "第0级", "企业", "A"]] + [[f"A-{i}", f"第{i}级", "企业", f"A-{i - 1}"] for i in range(1, 25)]
    plan = apply_import(xlsx(rows), actor=sysadmin)
    assert not plan.ok and plan.errors[0].reason == "此处组织机构将超过 20 级。"
    assert not OrgUnit.objects.filter(code="A-0").exists()


def test_a_broken_zip_is_refused_with_a_message(sysadmin, county_a):
    with pytest.raises(SheetError) as refused:
        read_and_check(SimpleUploadedFile("orgs.xlsx", b"PK\x03\x04 not really a zip"), actor=sysadmin)
    assert "不是 Excel 工作簿" in refused.value.message


def test_a_loop_through_an_existing_unit_is_refused(sysadmin, county_a):
    apply_import(xlsx(GOOD_ROWS), actor=sysadmin)
    plan = read_and_check(xlsx([["A-T1", "东坎街道工会", "乡镇（街道）工会", "A-E1"]]), actor=sysadmin)
    assert "形成循环" in plan.errors[0].reason


def test_own_unit_cannot_be_moved(sysadmin, county_a, county_b):
    for parent in ("B", "C1"):  # a wrong guess and the right one get the same answer
        plan = read_and_check(xlsx([["A", "滨海县总工会", "县（区）总工会", parent]]), actor=sysadmin)
        assert plan.errors[0].reason == "本单位的上级单位编码请留空：导入不能移动本单位。"


def test_import_moves_a_unit_and_its_subtree(sysadmin, county_a):
    apply_import(xlsx(GOOD_ROWS), actor=sysadmin)
    moved = [["A-T2", "五汛镇工会", "乡镇（街道）工会", "A"], ["A-T1", "东坎街道工会", "乡镇（街道）工会", "A-T2"]]
    plan = apply_import(xlsx(moved), actor=sysadmin)
    assert (plan.created, plan.updated) == (1, 1)
    firm = OrgUnit.objects.get(code="A-E1")
    t2 = OrgUnit.objects.get(code="A-T2")
    assert firm.path.startswith(t2.path) and firm.depth == t2.depth + 2


def test_missing_header_column_is_refused(sysadmin, county_a):
    with pytest.raises(SheetError) as refused:
        read_and_check(xlsx(GOOD_ROWS, header=["单位编码", "单位名称", "单位类型"]), actor=sysadmin)
    assert "缺少“上级单位编码”列" in refused.value.message


def test_a_title_row_merged_above_the_header_is_skipped_and_rows_keep_their_numbers(sysadmin, county_a):
    book = Workbook()
    sheet = book.active
    sheet.append(["滨海县总工会所属单位名册（2026年9月）"])
    sheet.merge_cells("A1:D1")
    sheet.append([])
    sheet.append(HEADER)
    for row in [*GOOD_ROWS, ["A-E3", "", "企业", "A-T1"]]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    plan = read_and_check(SimpleUploadedFile("orgs.xlsx", buffer.getvalue()), actor=sysadmin)
    # The header is row 3; the unnamed unit is on row 8 of the file, as Excel numbers it.
    assert [(e.row, e.column, e.reason) for e in plan.errors] == [(8, "单位名称", "单位名称不能为空。")]


def test_a_sheet_without_a_header_in_its_first_rows_names_the_missing_column(sysadmin, county_a):
    with pytest.raises(SheetError) as refused:
        read_and_check(xlsx(GOOD_ROWS, header=["编码", "名称"]), actor=sysadmin)
    assert refused.value.message == "前 10 行中找不到表头：缺少“单位编码”列。"


def test_codes_typed_full_width_are_the_same_codes(sysadmin, county_a):
    plan = apply_import(
        xlsx(
            [
                ["Ａ－Ｔ１", "东坎街道工会", "乡镇（街道）工会", "Ａ"],
                ["３２０９２２", "县职工服务中心", "其他单位", "Ａ－Ｔ１"],
            ]
        ),
        actor=sysadmin,
    )
    assert plan.ok, plan.errors
    assert OrgUnit.objects.get(code="320922").parent == OrgUnit.objects.get(code="A-T1")
    # The names keep their full-width brackets: only codes are narrowed.
    assert OrgUnit.objects.get(code="A-T1").name == "东坎街道工会"


def test_a_control_character_in_a_cell_stops_the_import_naming_row_and_column(sysadmin, county_a):
    with pytest.raises(SheetError) as refused:
        # XML forbids the C0 controls in a workbook, not the C1 ones: U+009B is the terminal's escape (CSI).
        apply_import(xlsx([GOOD_ROWS[0], ["A-E1", "江苏苏盐\x9b阀门", "企业", "A-T1"]]), actor=sysadmin)
    assert refused.value.message == "第 3 行“单位名称”列含有不可见的控制字符（U+009B，第 5 个字符），请删除后重试。"
    assert not OrgUnit.objects.filter(code="A-T1").exists()


def test_a_file_that_is_not_xlsx_is_refused(sysadmin, county_a):
    with pytest.raises(SheetError) as refused:
        read_and_check(SimpleUploadedFile("orgs.xlsx", "编码,名称\n".encode()), actor=sysadmin)
    assert "不是 Excel 工作簿" in refused.value.message


def test_an_oversize_file_is_refused(sysadmin, county_a, settings):
    settings.QINGDAN_MAX_IMPORT_BYTES = 1024
    with pytest.raises(SheetError) as refused:
        read_and_check(xlsx(GOOD_ROWS * 40), actor=sysadmin)
    assert "超过了" in refused.value.message


def test_numeric_codes_typed_in_excel_are_read_as_text(sysadmin, county_a):
    plan = apply_import(xlsx([[320922101, "县职工服务中心", "其他单位", "A"]]), actor=sysadmin)
    assert plan.ok and OrgUnit.objects.filter(code="320922101").exists()


def test_export_then_import_changes_nothing(client_for, sysadmin, county_a):
    apply_import(xlsx(GOOD_ROWS), actor=sysadmin)
    client = client_for(sysadmin)
    response = client.get("/orgs/export/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert rows[1] == ("A", "滨海县总工会", "县（区）总工会", None)  # own unit: parent left out
    assert len(rows) == 1 + 5
    plan = apply_import(SimpleUploadedFile("export.xlsx", response.content), actor=sysadmin)
    assert plan.ok and (plan.created, plan.updated, plan.unchanged) == (0, 0, 5)


def test_import_page_previews_then_confirms(client_for, sysadmin, county_a):
    client = client_for(sysadmin)
    page = client.post("/orgs/import/", {"file": xlsx(GOOD_ROWS)}).content.decode()
    assert "已校验 4 行：新增 4 个，修改 0 个，不变 0 个。" in page
    assert not OrgUnit.objects.filter(code="A-T1").exists()  # nothing written before confirmation
    token = page.split('name="token" value="')[1].split('"')[0]
    response = client.post("/orgs/import/", {"confirm": "1", "token": token}, follow=True)
    assert "导入完成：新增 4 个，修改 0 个，不变 0 个。" in response.content.decode()
    assert OrgUnit.objects.filter(code="A-T1").exists()
    # The same confirmation cannot be replayed.
    again = client.post("/orgs/import/", {"confirm": "1", "token": token}, follow=True).content.decode()
    assert "该上传已失效或已导入" in again


def test_import_page_shows_row_errors_in_a_table(client_for, sysadmin, county_a):
    page = client_for(sysadmin).post("/orgs/import/", {"file": xlsx([["A-X", "", "合作社", "NOPE"]])}).content.decode()
    assert "发现 3 个问题，未导入任何内容。" in page
    assert "<td>2</td><td>单位名称</td><td>单位名称不能为空。</td>" in page
    assert 'name="confirm"' not in page


def test_import_page_refuses_a_non_excel_file_with_a_message(client_for, sysadmin, county_a):
    page = client_for(sysadmin).post("/orgs/import/", {"file": SimpleUploadedFile("a.xlsx", b"hello")}).content.decode()
    assert "不是 Excel 工作簿" in page


def test_a_token_from_another_session_is_refused(client_for, sysadmin, county_a):
    first = client_for(sysadmin)
    page = first.post("/orgs/import/", {"file": xlsx(GOOD_ROWS)}).content.decode()
    token = page.split('name="token" value="')[1].split('"')[0]
    second = client_for(sysadmin)
    page = second.post("/orgs/import/", {"confirm": "1", "token": token}, follow=True).content.decode()
    assert "该上传已失效或已导入" in page and not OrgUnit.objects.filter(code="A-T1").exists()


def test_only_system_administrators_import(client_for, office):
    assert client_for(office).get("/orgs/import/").status_code == 403


def test_template_download_has_the_header(client_for, sysadmin):
    response = client_for(sysadmin).get("/orgs/import/template/")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows == [tuple(HEADER)]


def test_import_command_shows_progress_and_refuses_a_bad_file(sysadmin, county_a, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(GOOD_ROWS).read())
    call_command("import_orgs", str(good), "--as", "sysadmin")
    captured = capsys.readouterr()
    assert "导入完成：新增 4 个" in captured.out and "4/4 100.0%" in captured.err
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([["A-X", "", "企业", "A"]]).read())
    with pytest.raises(CommandError, match="1 个问题"):
        call_command("import_orgs", str(bad), "--as", "sysadmin")
    assert "第 2 行 · 单位名称 · 单位名称不能为空。" in capsys.readouterr().err
    assert not OrgUnit.objects.filter(code="A-X").exists()
