"""The system administrator imports units from Excel: errors first, then a preview, then the tree."""

import io

from openpyxl import Workbook
from playwright.sync_api import Page, expect

from tests.journeys import sign_in

HEADER = ["单位编码", "单位名称", "单位类型", "上级单位编码"]


def workbook(path, rows):
    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_admin_fixes_a_bad_row_previews_and_imports_new_units(page: Page, site, tmp_path):
    bad = workbook(tmp_path / "bad.xlsx", [["320922T101", "新港街道工会", "乡镇（街道）工会", "999999"]])
    good = workbook(
        tmp_path / "good.xlsx",
        [
            ["320922T101", "新港街道工会", "乡镇（街道）工会", "320922"],
            ["320922E101", "滨海新港物流有限公司", "企业", "320922T101"],
        ],
    )
    page.goto(f"{site}/orgs/import/")
    sign_in(page, site, "admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("导入组织机构")

    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_role("button", name="上传并校验").click()
    expect(page.get_by_test_id("import-errors")).to_have_text("发现 1 个问题，未导入任何内容。")
    row = page.locator("tr.qd-row-error")
    expect(row).to_contain_text("上级单位编码“999999”不存在。")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)

    page.locator("input[type=file]").set_input_files(str(good))
    page.get_by_role("button", name="上传并校验").click()
    expect(page.get_by_test_id("import-preview")).to_contain_text("已校验 2 行：新增 2 个，修改 0 个，不变 0 个。")
    page.get_by_role("button", name="确认导入").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("组织机构")
    expect(page.get_by_role("alert")).to_have_text("导入完成：新增 2 个，修改 0 个，不变 0 个。")
    page.get_by_placeholder("名称或编码").fill("新港")
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name="新港街道工会").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新港街道工会")
    expect(page.get_by_role("link", name="滨海新港物流有限公司")).to_be_visible()
