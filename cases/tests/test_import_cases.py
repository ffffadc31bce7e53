"""The import of historic demands and disputes: every row checked first (sheet, row, column and reason shown),
nothing written unless all are valid, the case number as the key so a second import adds nothing, the colour
computed by the federation's rule, a receipt hash nobody holds, one audit record, a bomb refused, and the same
from the terminal with a progress bar."""

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from audit.models import AuditEvent
from cases import imports_cases
from cases.models import Colour, Demand, DemandStatus, Dispute, DisputeStatus
from cases.tests.conftest import valid_code

DEMAND_HEADER = imports_cases.header(imports_cases.DEMAND_COLUMNS)
DISPUTE_HEADER = imports_cases.header(imports_cases.DISPUTE_COLUMNS)


def demand_row(key="LG-1", code=None):
    row = dict(zip(DEMAND_HEADER, [key, code or valid_code(1), "2025-03-02", "联席会议", "工资报酬", "张建国",
                                   "13812345678", "12", "加班费未按规定计发", "2025-03-05", "2025-03-04", "已协调补发",
                                   "已解决", "满意", "2025-03-10"], strict=True))  # fmt: skip
    return [row[h] for h in DEMAND_HEADER]


def dispute_row(key="XT-1", code=None):
    row = dict(zip(DISPUTE_HEADER, [key, code or valid_code(1), "2025-04-01", "欠薪", "来访", "李红梅", "13912345678",
                                    "40", "2", "96000", "拖欠四十名职工两个月工资", "乡镇（街道）", "达成协议",
                                    "2025-04-20", "90000", "90000", "2025-05-30"], strict=True))  # fmt: skip
    return [row[h] for h in DISPUTE_HEADER]


def workbook(demands=(), disputes=()):
    book = Workbook()
    sheet = book.active
    sheet.title = "诉求"
    sheet.append(DEMAND_HEADER)
    for row in demands:
        sheet.append(row)
    other = book.create_sheet("劳动争议")
    other.append(DISPUTE_HEADER)
    for row in disputes:
        other.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(data, name="历史案件.xlsx"):
    return SimpleUploadedFile(name, data)


@pytest.fixture
def good_file(firm_a):
    waiting = {"结果": "", "答复日期": "", "答复": "", "职工评价": "", "办结日期": ""}
    mediating = {"结果": "", "达成协议日期": "", "协议金额（元）": "", "已支付金额（元）": "", "办结日期": ""}
    return workbook(
        [demand_row("LG-1"), _row_with(demand_row, waiting, "LG-2")],
        [dispute_row("XT-1"), _row_with(dispute_row, mediating, "XT-2")],
    )


def test_a_valid_file_is_previewed_then_imported_once(good_file, office, county_a, client_for):
    client = client_for(office)
    page = client.post(reverse("cases:cases_import"), {"unit": county_a.pk, "file": upload(good_file)})
    assert page.status_code == 200 and 'data-testid="import-preview"' in page.content.decode()
    token = page.context["token"]
    done = client.post(reverse("cases:cases_import"), {"confirm": "1", "token": token, "unit": county_a.pk})
    assert done.status_code == 302
    assert Demand.objects.filter(org_unit=county_a).count() == 2
    closed = Demand.objects.get(import_key="LG-1")
    assert closed.status == DemandStatus.CLOSED and closed.result == "resolved" and closed.replied_on_time is True
    assert closed.rating == "satisfied" and len(closed.receipt_hash) == 64
    assert Demand.objects.get(import_key="LG-2").status == DemandStatus.ASSIGNED
    agreed = Dispute.objects.get(import_key="XT-1")
    # 2 months is orange; 40 workers raise it one level: red, with the reason
    assert agreed.colour == Colour.RED and "40" in agreed.colour_reason
    assert agreed.status == DisputeStatus.CLOSED and agreed.amount_paid == Decimal("90000")
    assert Dispute.objects.get(import_key="XT-2").status == DisputeStatus.MEDIATING
    assert AuditEvent.objects.filter(action="cases.cases_imported").count() == 1

    again = imports_cases.apply_import(upload(good_file), actor=office, unit=county_a)
    assert again.ok and (again.skipped_demands, again.skipped_disputes) == (2, 2)
    assert Demand.objects.count() == 2 and Dispute.objects.count() == 2


def test_the_receipt_codes_of_imported_demands_are_random(good_file, office, county_a):
    imports_cases.apply_import(upload(good_file), actor=office, unit=county_a)
    hashes = set(Demand.objects.values_list("receipt_hash", flat=True))
    assert len(hashes) == 2


@pytest.mark.parametrize(
    ("sheet", "cells", "column", "reason"),
    [
        ("demands", {"统一社会信用代码": valid_code(77)}, "统一社会信用代码", "组织内没有统一社会信用代码为"),
        ("demands", {"类别": "加薪"}, "类别", "未知的值“加薪”"),
        ("demands", {"受理日期": "2025-13-40"}, "受理日期", "不是日期"),
        ("demands", {"受理日期": "2027-01-01"}, "受理日期", "晚于今天"),
        ("demands", {"答复日期": "2025-03-01"}, "答复日期", "早于受理日期"),
        ("disputes", {"已支付金额（元）": "95000"}, "已支付金额（元）", "已支付金额大于协议金额"),
        ("disputes", {"涉及金额（元）": "-1"}, "涉及金额（元）", "不能为负数"),
        ("disputes", {"争议类型": "吵架"}, "争议类型", "未知的值“吵架”"),
        ("disputes", {"结果": "转劳动仲裁"}, "协议金额（元）", "需要处理结果为"),
    ],
)
def test_a_bad_row_is_named_with_sheet_row_column_and_reason_and_nothing_is_written(
    firm_a, office, county_a, sheet, cells, column, reason
):
    rows = {"demands": [demand_row("A1"), demand_row("A2")], "disputes": [dispute_row("B1")]}
    make_row = demand_row if sheet == "demands" else dispute_row
    rows[sheet].append(_row_with(make_row, cells))
    plan = imports_cases.apply_import(upload(workbook(rows["demands"], rows["disputes"])), actor=office, unit=county_a)
    assert not plan.ok
    sheet_name = "诉求" if sheet == "demands" else "劳动争议"
    assert any(e.column == f"{sheet_name} · {column}" and reason in e.reason for e in plan.errors), plan.errors
    assert Demand.objects.count() == 0 and Dispute.objects.count() == 0
    assert not AuditEvent.objects.filter(action="cases.cases_imported").exists()


def _row_with(make_row, cells, key="BAD"):
    header = DEMAND_HEADER if make_row is demand_row else DISPUTE_HEADER
    row = make_row(key)
    for title, value in cells.items():
        row[header.index(title)] = value
    return row


def test_another_countys_enterprise_and_a_repeated_case_number_are_row_errors(firm_a, firm_b, office, county_a,
                                                                           client_for):  # fmt: skip
    data = workbook([demand_row("LG-1"), demand_row("LG-1")], [dispute_row("XT-1", code=firm_b.credit_code)])
    page = client_for(office).post(reverse("cases:cases_import"), {"unit": county_a.pk, "file": upload(data)})
    html = page.content.decode()
    assert 'data-testid="import-errors"' in html and page.context["token"] is None
    errors = page.context["plan"].errors
    assert any("已出现在第 2 行" in e.reason and e.row == 3 for e in errors)
    assert any(e.column == "劳动争议 · 统一社会信用代码" and firm_b.credit_code in e.reason for e in errors)
    assert Demand.objects.count() == 0


def test_a_spreadsheet_bomb_is_refused_with_its_reason(firm_a, office, county_a, client_for, settings):
    settings.QINGDAN_MAX_IMPORT_UNPACKED_BYTES = 1024 * 1024
    source = zipfile.ZipFile(io.BytesIO(workbook([demand_row()])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member.filename, source.read(member))
        target.writestr("xl/padding.xml", b"a" * (3 * 1024 * 1024))
    page = client_for(office).post(reverse("cases:cases_import"), {"unit": county_a.pk, "file": upload(out.getvalue())})
    assert "解压后超过 1 MB" in page.content.decode()
    assert Demand.objects.count() == 0


def test_the_template_has_both_sheets_with_their_chinese_columns(office, client_for):
    response = client_for(office).get(reverse("cases:cases_import_template"))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["诉求", "劳动争议"]
    assert [c.value for c in book["诉求"][1]] == DEMAND_HEADER and DEMAND_HEADER[0] == "案件编号"
    assert [c.value for c in book["劳动争议"][1]] == DISPUTE_HEADER


def test_only_office_staff_import(reporter, leader, client_for):
    for user in (reporter, leader):
        assert client_for(user).get(reverse("cases:cases_import")).status_code == 403


def test_office_staff_cannot_import_into_another_county(good_file, office, county_b, client_for):
    response = client_for(office).post(reverse("cases:cases_import"), {"unit": county_b.pk, "file": upload(good_file)})
    assert response.status_code == 200 and response.context["form"].errors.get("unit")
    assert Demand.objects.count() == 0


def test_the_command_imports_with_a_progress_bar(good_file, office, county_a, tmp_path, capsys):
    path = tmp_path / "cases.xlsx"
    path.write_bytes(good_file)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cases", str(path), unit=county_a.code, actor=office.username, stdout=out, stderr=err)
    assert "已导入诉求 2 件、劳动争议 2 件" in out.getvalue()
    assert re.search(r"导入案件 \[█+\] 4/4 100\.0%", err.getvalue())
    call_command("import_cases", str(path), unit=county_a.code, actor=office.username, stdout=out, stderr=err)
    assert "跳过诉求 2 件、劳动争议 2 件" in out.getvalue() and Demand.objects.count() == 2


def test_the_command_refuses_a_bad_file_and_another_countys_unit(firm_a, office, county_b, county_a, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook([_row_with(demand_row, {"类别": "加薪"}, "X")]))
    with pytest.raises(CommandError, match="1 个问题，未导入任何内容"):
        call_command("import_cases", str(path), unit=county_a.code, actor=office.username, stderr=io.StringIO())
    with pytest.raises(CommandError, match="不是可导入"):
        call_command("import_cases", str(path), unit=county_b.code, actor=office.username)


def test_the_templates_example_rows_check_clean(firm_a, office, county_a):
    plan = imports_cases.read_and_check(upload(imports_cases.template_xlsx()), actor=office, unit=county_a)
    assert plan.ok and (len(plan.demands), len(plan.disputes)) == (1, 1), plan.errors
