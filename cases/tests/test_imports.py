"""The registry from .xlsx and back: each bad row named with its reason and nothing written; the same file twice
changes nothing; the export masks phones and imports back without losing them; preview then confirm on the page."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook, load_workbook

from audit.models import AuditEvent
from cases.imports import apply_import, read_and_check
from cases.models import Enterprise
from cases.tests.conftest import REAL_CODE, valid_code, wrong_digit
from orgs.models import OrgKind
from orgs.tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "企业名称",
    "统一社会信用代码",
    "所属单位编码",
    "村/社区",
    "行业",
    "职工人数",
    "是否建会",
    "工会单位编码",
    "地址",
    "联系电话",
]


def _full_width(code):
    """A code as a Chinese input method types it: ９１３２０９２２ＭＡ…"""
    return "".join(chr(ord(c) + 0xFEE0) for c in code)


def rows(union_code="A-E1"):
    return [
        [
            "滨海金桥建设工程有限公司",
            valid_code(1),
            "A-T1",
            "向阳社区",
            "建筑业",
            380,
            "是",
            union_code,
            "人民路1号",
            "13812345678",
        ],
        ["滨海恒润食品有限公司", REAL_CODE, "A-T1", "", "C", "290", "否", "", "", "0515-84123456"],
        ["八巨某纺织有限公司", _full_width(valid_code(3)), "A-T2", "五星村", "Manufacturing", 20, "否", "", "", ""],
    ]


def xlsx(data, header=HEADER, name="企业名录.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in data:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def towns(town_a, town_a2, union_a):
    return town_a, town_a2


def _snapshot():
    return list(Enterprise.objects.order_by("pk").values())


def test_import_registers_the_enterprises_and_the_same_file_again_changes_nothing(office, towns, union_a):
    plan = apply_import(xlsx(rows()), actor=office)
    assert plan.ok and (plan.created, plan.updated, plan.unchanged) == (3, 0, 0)
    firm = Enterprise.objects.get(credit_code=valid_code(1))
    assert firm.union_unit == union_a and firm.industry == "E" and firm.workers == 380
    assert Enterprise.objects.get(credit_code=valid_code(3)).org_unit.code == "A-T2"  # typed full-width
    before, events = _snapshot(), AuditEvent.objects.count()

    again = apply_import(xlsx(rows()), actor=office)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert _snapshot() == before
    assert AuditEvent.objects.count() == events + 1  # the import's own summary only


def test_a_changed_row_updates_its_enterprise_only(office, towns):
    apply_import(xlsx(rows()), actor=office)
    changed = rows()
    changed[1][5] = 310
    plan = apply_import(xlsx(changed), actor=office)
    assert (plan.created, plan.updated, plan.unchanged) == (0, 1, 2)
    food = Enterprise.objects.get(credit_code=REAL_CODE)
    assert food.workers == 310 and food.version == 1
    assert AuditEvent.objects.filter(action="cases.enterprise_changed").count() == 1


@pytest.mark.parametrize(
    ("column", "value", "title", "reason"),
    [
        (1, wrong_digit(valid_code(7)), "统一社会信用代码", "统一社会信用代码校验位不符，请对照营业执照核对。"),
        (1, "9132092200000", "统一社会信用代码", "统一社会信用代码应为18位，此处为 13 位。"),
        (1, REAL_CODE, "统一社会信用代码", f"统一社会信用代码 {REAL_CODE} 已在第 3 行出现。"),
        (2, "NOPE", "所属单位编码", "本单位管辖范围内没有编码为“NOPE”的单位。"),
        (2, "A-E1", "所属单位编码", "滨海金桥建设工程有限公司不是乡镇（街道）工会或总工会"),
        (4, "造船", "行业", "无法识别的行业“造船”"),
        (5, -3, "职工人数", "职工人数不能为负数。"),
        (5, "三百", "职工人数", "职工人数应为整数，不能是“三百”。"),
        (6, "不知道", "是否建会", "请填写“是”或“否”，不能是“不知道”。"),
        (7, "A-E1", "工会单位编码", "企业单位 A-E1 已是第 2 行企业的工会。"),
        (9, "138****5678", "联系电话", "联系电话带有星号（****），无法导入，请填写完整号码。"),
        (9, "电话号码", "联系电话", "联系电话只能由数字和连字符组成"),
    ],
)
def test_a_bad_row_is_named_with_its_reason_and_nothing_is_written(office, towns, column, value, title, reason):
    data = rows()
    data.append(["另一家有限公司", valid_code(7), "A-T1", "", "C", 10, "是", "", "", ""])
    data[3][column] = value
    with translation.override("zh-hans"):
        plan = apply_import(xlsx(data), actor=office)
    assert not plan.ok
    assert [(e.row, e.column) for e in plan.errors] == [(5, title)]
    assert plan.errors[0].reason.startswith(reason)
    assert not Enterprise.objects.exists()


def test_a_union_unit_given_for_a_firm_without_union_is_refused(office, towns):
    data = rows()
    data[0][6] = "否"
    with translation.override("zh-hans"):
        plan = read_and_check(xlsx(data), actor=office)
    assert [(e.row, e.column, e.reason) for e in plan.errors] == [
        (2, "工会单位编码", "填写了工会单位编码，但“是否建会”为“否”。")
    ]


def test_every_bad_row_of_a_file_is_reported_at_once(office, towns):
    data = rows()
    data[0][1] = wrong_digit(data[0][1])
    data[2][5] = -1
    with translation.override("zh-hans"):
        plan = apply_import(xlsx(data), actor=office)
    assert [(e.row, e.column) for e in plan.errors] == [(2, "统一社会信用代码"), (4, "职工人数")]
    assert not Enterprise.objects.exists()


def test_an_enterprise_of_another_county_is_not_touched(office, outsider, towns, town_b, make_enterprise):
    theirs = make_enterprise(town_b, 1, name="临河某公司")
    with translation.override("zh-hans"):
        plan = apply_import(xlsx(rows()), actor=office)
    assert [(e.row, e.reason) for e in plan.errors] == [(2, "该统一社会信用代码已由本单位管辖范围以外的单位登记。")]
    theirs.refresh_from_db()
    assert theirs.name == "临河某公司" and Enterprise.objects.count() == 1


def test_a_unit_of_another_county_is_unknown(office, towns, town_b):
    data = rows()
    data[0][2] = "B-T1"
    with translation.override("zh-hans"):
        plan = read_and_check(xlsx(data), actor=office)
    assert [e.reason for e in plan.errors] == ["本单位管辖范围内没有编码为“B-T1”的单位。"]


# --- the export, and back --------------------------------------------------------------------------------------------


def _sheet(content):
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_the_export_masks_phones_and_imports_back_changing_nothing(client_for, office, towns):
    apply_import(xlsx(rows()), actor=office)
    before = _snapshot()
    response = client_for(office).get("/cases/enterprises/export/", {"union": "no"})
    sheet = _sheet(response.content)
    assert sheet[0] == HEADER
    assert [r[0] for r in sheet[1:]] == ["八巨某纺织有限公司", "滨海恒润食品有限公司"]  # the filtered rows only
    assert sheet[2][9] == "051******3456" and "0515-84123456" not in str(sheet)

    everything = _sheet(client_for(office).get("/cases/enterprises/export/").content)
    assert "138****5678" in str(everything) and "13812345678" not in str(everything)
    plan = apply_import(xlsx([row for row in everything[1:]], header=everything[0]), actor=office)
    assert plan.ok and plan.unchanged == 3
    assert _snapshot() == before  # the masked numbers kept the numbers they mask


def test_the_page_previews_then_imports_on_confirmation(client_for, office, towns):
    client = client_for(office)
    preview = client.post("/cases/enterprises/import/", {"file": xlsx(rows())})
    page = preview.content.decode()
    assert 'data-testid="import-preview"' in page and "新增 3 个" in page
    assert not Enterprise.objects.exists()
    token = page.split('name="token" value="')[1].split('"')[0]
    done = client.post("/cases/enterprises/import/", {"token": token, "confirm": "1"})
    assert done.status_code == 302 and Enterprise.objects.count() == 3


def test_the_page_shows_the_row_errors_and_keeps_nothing(client_for, office, towns):
    data = rows()
    data[1][1] = wrong_digit(REAL_CODE)
    page = client_for(office).post("/cases/enterprises/import/", {"file": xlsx(data)}).content.decode()
    assert 'data-testid="import-errors"' in page and "统一社会信用代码校验位不符" in page
    assert 'name="token"' not in page and not Enterprise.objects.exists()


def test_a_reporter_cannot_import(client_for, reporter, towns):
    client = client_for(reporter)
    assert client.get("/cases/enterprises/import/").status_code == 403
    assert client.post("/cases/enterprises/import/", {"file": xlsx(rows())}).status_code == 403
    assert not Enterprise.objects.exists()


def test_a_grassroots_joint_union_may_be_named_on_several_rows(office, towns, town_a):
    OrgUnitFactory(code="A-G8", name="县建筑行业工会联合会", kind=OrgKind.GRASSROOTS, parent=town_a)
    data = rows(union_code="A-G8")
    data[1][6], data[1][7] = "是", "A-G8"
    plan = apply_import(xlsx(data), actor=office)
    assert plan.ok and Enterprise.objects.filter(union_unit__code="A-G8").count() == 2
