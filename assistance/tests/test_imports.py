"""Imports of household files and aid from .xlsx: every row checked first (row, column, reason), nothing written
unless the whole file is valid, the same file twice creates nothing twice, a spreadsheet bomb is refused; the
page's upload → preview → confirm, and the terminal command with its progress bar."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from assistance import identity, imports
from assistance.models import Aid, Event, FileStatus, Household, LivePerson, Member
from assistance.tests.factories import id_number, make_household
from orgs.models import OrgKind
from orgs.tests.factories import OrgUnitFactory
from qingdan.errors import Refused
from qingdan.protect import unseal
from qingdan.spreadsheets import SheetError

pytestmark = pytest.mark.django_db
D = datetime.date
HEADER = [chinese for _k, chinese, _o in imports.HOUSEHOLD_COLUMNS]
AID_HEADER = [chinese for _k, chinese, _o in imports.AID_COLUMNS]


def person(n):
    return id_number(n, born=D(1975, 5, 5), region="331002")  # 椒江区


def member_row(number, name, relation, pid, **facts):
    row = dict.fromkeys(HEADER, "")
    row.update({"档案编号": number, "姓名": name, "与户主关系": relation, "身份证号": pid, "个人年收入": "0"})
    row.update(facts)
    return [row[title] for title in HEADER]


def head_row(number, name, pid, **facts):
    values = {"困难类别": "deep", "主要致困原因": "illness", "家庭住址": "椒江区人民路1号", "联系电话": "13912345678",
              "开户银行": "农业银行", "银行账号": "6228480000012345678", "家庭年可支配收入": "18000",
              "刚性支出": "3000", "申请日期": "2026-03-01", "建档日期": "2026/4/15"}  # fmt: skip
    values.update(facts)
    return member_row(number, name, "户主", pid, **values)


def xlsx(header, rows, name="档案.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def good_file():
    return xlsx(
        HEADER,
        [
            head_row("JJ-001", "王建国", person(1)),
            member_row("JJ-001", "李秀英", "配偶", person(2)),
            member_row("JJ-001", "王小明", "子女", person(3), 就业状况="student"),
            head_row("JJ-002", "陈红", person(4), 困难类别="relative", 联系电话=""),
        ],
    )


def test_a_valid_file_archives_households_sealed_with_their_live_persons(office, county_a):
    plan = imports.import_households(good_file(), actor=office)
    assert plan.ok and plan.created == 2 and plan.members_created == 4
    first = Household.objects.get(number="JJ-001")
    assert (first.status, first.org_unit, first.head_name, first.archived_on) == (
        FileStatus.ARCHIVED, county_a, "王建国", D(2026, 4, 15),
    )  # fmt: skip
    assert first.phone == "13912345678" and first.bank_account == "6228480000012345678"
    head = first.members.get(relation="head")
    assert head.id_number == person(1) and head.id_masked == identity.mask(person(1))
    assert head.id_hash == identity.facts(person(1))[3] and head.birth_date == D(1975, 5, 5)
    assert LivePerson.objects.count() == 4
    assert Event.objects.filter(household=first, kind="archived").count() == 1


def test_ids_are_sealed_in_the_table(office):
    from django.db import connection

    imports.import_households(good_file(), actor=office)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM assistance_member")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and all(person(1) not in value for value in stored)
    assert person(1) in {unseal(value) for value in stored}


def test_the_same_file_twice_creates_nothing_twice(office):
    assert imports.import_households(good_file(), actor=office).created == 2
    again = imports.import_households(good_file(), actor=office)
    assert again.ok and again.created == 0 and again.skipped == ["JJ-001", "JJ-002"]
    assert Household.objects.count() == 2 and Member.objects.count() == 4


def errors_of(plan):
    """``[(row, column, reason)]`` as the preview shows them."""
    return [(e.row, e.column, e.reason) for e in plan.errors]


def test_a_wrong_check_digit_is_a_row_error_and_nothing_is_written(office):
    wrong = person(2)[:-1] + ("1" if person(2)[-1] != "1" else "2")
    upload = xlsx(HEADER, [head_row("JJ-001", "王建国", person(1)), member_row("JJ-001", "李秀英", "配偶", wrong)])
    plan = imports.import_households(upload, actor=office)
    assert errors_of(plan) == [(3, "身份证号", identity.problem(wrong))]
    assert not Household.objects.exists() and not LivePerson.objects.exists()


def test_bad_dates_and_amounts_below_zero_are_row_errors(office):
    upload = xlsx(HEADER, [head_row("JJ-001", "王建国", person(1), 申请日期="2026-02-30", 刚性支出="-5")])
    plan = imports.import_households(upload, actor=office)
    assert {(e.row, e.column) for e in plan.errors} == {(2, "申请日期"), (2, "刚性支出")}
    assert not Household.objects.exists()


def test_a_person_already_in_a_live_file_is_refused_wherever_it_is_filed(office, county_b):
    held = make_household(county_b, 1, size=1)  # in another county: the installation holds one file per person
    their_id = held.members.get().id_number
    plan = imports.import_households(xlsx(HEADER, [head_row("JJ-001", "王建国", their_id)]), actor=office)
    assert [(e.row, e.column) for e in plan.errors] == [(2, "身份证号")]
    assert plan.errors[0].reason == imports._(
        "This person is already in a live hardship file; one person is in one file only."
    )
    assert Household.objects.count() == 1


def test_a_person_twice_in_the_file_is_a_row_error(office):
    upload = xlsx(HEADER, [head_row("JJ-001", "王建国", person(1)), head_row("JJ-002", "王建国", person(1))])
    plan = imports.import_households(upload, actor=office)
    assert [(e.row, e.column) for e in plan.errors] == [(3, "身份证号")]
    assert "2" in plan.errors[0].reason


def test_a_household_without_a_head_or_with_two_is_refused(office):
    upload = xlsx(HEADER, [member_row("JJ-001", "李秀英", "配偶", person(2))])
    assert [(e.row, e.column) for e in imports.import_households(upload, actor=office).errors][0] == (2, "与户主关系")


def test_only_office_staff_import(reporter):
    with pytest.raises(Refused):
        imports.import_households(good_file(), actor=reporter)


def test_a_spreadsheet_bomb_is_refused_before_it_is_expanded(office, settings):
    settings.QINGDAN_MAX_IMPORT_UNPACKED_BYTES = 100_000
    data = io.BytesIO(good_file().read())
    with zipfile.ZipFile(data, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * 5_000_000)
    with pytest.raises(SheetError, match="MB"):
        imports.import_households(SimpleUploadedFile("炸弹.xlsx", data.getvalue()), actor=office)
    assert not Household.objects.exists()


# --- aid ----------------------------------------------------------------------------------------


def aid_file(rows):
    return xlsx(AID_HEADER, rows, "帮扶.xlsx")


def test_aid_is_recorded_once_for_archived_households(office, county_a):
    household = make_household(county_a, 1)
    rows = [[household.number, "两节慰问", "1000", "2026-01-20", "", "", "", ""],
            [household.number, "medical", "2500.50", "2026-08-01", "大病救助金", "张三", "", ""]]  # fmt: skip
    plan = imports.import_aid(aid_file(rows), actor=office)
    assert plan.ok and plan.created == 2 and plan.amount == Decimal("3500.50")
    assert Aid.objects.filter(household=household).count() == 2
    again = imports.import_aid(aid_file(rows), actor=office)
    assert again.ok and again.created == 0 and again.skipped == 2
    assert Aid.objects.count() == 2


def test_aid_to_a_household_not_archived_or_of_zero_yuan_is_refused(office, county_a, county_b):
    exited = make_household(county_a, 1, status=FileStatus.EXITED, exited_on=D(2026, 1, 1))
    held = make_household(county_a, 2)
    elsewhere = make_household(county_b, 3)
    rows = [[exited.number, "两节慰问", "1000", "2026-01-20", "", "", "", ""],
            [held.number, "两节慰问", "0", "2026-01-20", "", "", "", ""],
            [elsewhere.number, "两节慰问", "100", "2026-01-20", "", "", "", ""],
            [held.number, "烟酒", "100", "明天", "", "", "", ""]]  # fmt: skip
    plan = imports.import_aid(aid_file(rows), actor=office)
    assert {(e.row, e.column) for e in plan.errors} == {
        (2, "档案编号"), (3, "金额"), (4, "档案编号"), (5, "帮扶类别"), (5, "发放日期"),
    }  # fmt: skip
    assert not Aid.objects.exists()


# --- the page and the terminal ----------------------------------------------------------------


def test_the_page_previews_then_imports_on_confirmation(office, client_for):
    client = client_for(office)
    assert client.get("/assistance/import/households/").status_code == 200
    response = client.post("/assistance/import/households/", {"file": good_file()})
    body = response.content.decode()
    assert 'data-testid="import-preview"' in body and not Household.objects.exists()
    token = body.split('name="token" value="')[1].split('"')[0]
    response = client.post("/assistance/import/households/", {"confirm": "1", "token": token})
    assert response.status_code == 302 and Household.objects.count() == 2


def test_the_page_shows_row_errors_in_red_and_offers_no_confirmation(office, client_for):
    upload = xlsx(HEADER, [head_row("JJ-001", "王建国", "12345")])
    body = client_for(office).post("/assistance/import/households/", {"file": upload}).content.decode()
    assert "qd-row-error" in body and 'name="confirm"' not in body


def test_the_aid_page_and_the_templates(office, county_a, client_for):
    household = make_household(county_a, 1)
    client = client_for(office)
    for url in ("/assistance/import/households/template/", "/assistance/import/aid/template/"):
        assert client.get(url)["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = [[household.number, "两节慰问", "1000", "2026-01-20", "", "", "", ""]]
    body = client.post("/assistance/import/aid/", {"file": aid_file(rows)}).content.decode()
    assert 'data-testid="import-preview"' in body and "¥1,000.00" in body


def test_a_leader_may_not_import(leader, client_for):
    assert client_for(leader).get("/assistance/import/households/").status_code == 403


def test_the_command_imports_with_a_progress_bar(office, county_a, tmp_path):
    town = OrgUnitFactory(code="A-T1", name="东坎街道工会", kind=OrgKind.TOWN, parent=county_a)
    path = tmp_path / "档案.xlsx"
    path.write_bytes(good_file().read())
    out, err = io.StringIO(), io.StringIO()
    call_command("import_households", str(path), unit="A-T1", actor=office.username, stdout=out, stderr=err)
    assert "已建档 2 户、4 人" in out.getvalue() and "建档 [" in err.getvalue()
    assert set(Household.objects.values_list("org_unit", flat=True)) == {town.pk}
    with pytest.raises(CommandError, match="没有编码"):
        call_command("import_households", str(path), unit="B", actor=office.username, stdout=out, stderr=err)


def test_the_command_names_the_row_errors_and_writes_nothing(office, county_a, tmp_path):
    path = tmp_path / "坏.xlsx"
    path.write_bytes(xlsx(HEADER, [head_row("JJ-001", "王建国", "12345")]).read())
    err = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command("import_households", str(path), unit="A", actor=office.username, stdout=io.StringIO(), stderr=err)
    assert "第 2 行 · 身份证号" in err.getvalue()
    assert not Household.objects.exists()


def test_the_downloaded_template_imports_as_it_is(office, client_for):
    template = client_for(office).get("/assistance/import/households/template/").content
    plan = imports.import_households(SimpleUploadedFile("模板.xlsx", template), actor=office)
    assert plan.ok and plan.created == 1 and plan.members_created == 2
