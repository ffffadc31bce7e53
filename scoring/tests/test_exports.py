"""The results as .xlsx and the results bulletin (.docx and print), read back as a clerk would open them."""

import io
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from documents.official import cn_date, plain_text
from orgs.models import OrgKind
from qingdan import clock
from scoring import bulletin, exports, workflow
from scoring.tests import test_result_pages as pages

# The round of three county departments that the results pages are tested on.
units, rubric, records, open_round = pages.units, pages.rubric, pages.records, pages.open_round
zh = pages.zh


@pytest.fixture
def funded(office, open_round):
    workflow.set_funds(
        round=open_round,
        actor=office,
        method="per_grade",
        per_grade={"excellent": "50000", "good": "30000", "pass": "10000", "fail": "0"},
    )
    workflow.start_review(round=open_round, actor=office)
    round = workflow.publish(round=open_round, actor=office)
    round.refresh_from_db()
    return round


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    return sheet, [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_xlsx_holds_rank_unit_sections_total_grade_veto_and_funds(client_for, office, funded, units, rubric):
    dept_a, d2, d3 = units
    _sheet_read, rows = _sheet(client_for(office).get(f"/assessment/rounds/{funded.pk}/results/export/"))
    with translation.override("zh-hans"):
        header = exports.header(exports.top_sections([(s, [], []) for s in rubric.sections.filter(parent=None)]))
        note = _("%(grade)s: ¥%(amount)s per unit") % {"grade": _("Excellent"), "amount": "50,000.00"}
    assert rows[0] == header
    assert rows[0][:3] == [zh("Rank"), zh("Unit"), "业务工作"] and rows[0][5] == zh("Total points")
    assert rows[1] == [1, d3.name, 60, 38, 0, 98, zh("Excellent"), None, 50000, note]
    assert rows[2][:7] == [2, dept_a.name, 15, 36, -4, 47, zh("Fail")]
    assert rows[3][:7] == [3, d2.name, 0, 30, -2, 28, zh("Fail")]
    assert len(rows) == 6


def test_the_xlsx_ends_with_mean_points_and_a_total_of_funds_as_formatted_numbers(client_for, office, funded):
    sheet, rows = _sheet(client_for(office).get(f"/assessment/rounds/{funded.pk}/results/export/"))
    three = zh("%(n)s units in all", n=3)
    # points are means (98, 47, 28 → 57.67), labelled as such; the funds add up (50,000 + 0 + 0)
    assert rows[4][:6] == ["平均分", three, 25, 34.67, -2, 57.67]
    assert rows[5] == ["合计", three, None, None, None, None, None, 0, 50000, None]
    assert sheet["F2"].number_format == "0.00" and sheet["I2"].number_format == "#,##0.00"
    assert sheet["I6"].number_format == "#,##0.00" and sheet["I6"].font.bold


def test_the_xlsx_follows_the_sort_and_filter_of_the_page(client_for, office, funded, units):
    client = client_for(office)
    _s, lowest = _sheet(client.get(f"/assessment/rounds/{funded.pk}/results/export/", {"sort": "total"}))
    assert [row[1] for row in lowest[1:-2]] == [units[1].name, units[0].name, units[2].name]
    _s, excellent = _sheet(client.get(f"/assessment/rounds/{funded.pk}/results/export/", {"grade": "excellent"}))
    assert [row[1] for row in excellent[1:]] == [units[2].name]  # one unit: no mean or total under it


def test_a_unit_name_that_looks_like_a_formula_stays_text(client_for, office, funded, units):
    unit = units[0]
    unit.name = '=HYPERLINK("http://example.invalid","点我")'
    unit.save(update_fields=["name"])
    sheet, rows = _sheet(client_for(office).get(f"/assessment/rounds/{funded.pk}/results/export/"))
    cell = next(c for c in sheet["B"] if c.value == unit.name)
    assert cell.data_type == "s"


def test_an_assessed_unit_exports_only_its_own_row_before_publication(client_for, reporter, open_round, units):
    _s, rows = _sheet(client_for(reporter).get(f"/assessment/rounds/{open_round.pk}/results/export/"))
    assert [row[1] for row in rows[1:]] == [units[0].name]


def test_the_bulletin_reads_back_with_number_units_grades_and_funds(client_for, reporter, funded, units):
    response = client_for(reporter).get(f"/assessment/rounds/{funded.pk}/bulletin/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    text = plain_text(response.content)
    assert funded.bulletin_number and funded.bulletin_number.startswith("滨总考〔")
    assert funded.bulletin_number in text
    assert zh("On the results of %(name)s", name=funded.name) in text
    assert zh("%(units)s and all units concerned", units=zh("all competent departments")) in text
    assert zh("The units rated excellent are: %(names)s.", names="县教育局") in text
    with translation.override("zh-hans"):
        grades = "，".join(
            [_("%(grade)s: %(n)s") % {"grade": _(g), "n": n} for g, n in (("Excellent", 1), ("Fail", 2))]
        )
    assert grades in text
    assert zh("%(amount)s ten-thousand yuan", amount="5.00") in text  # ¥50,000 in all, in 万元
    assert "1\t县教育局\t98.00\t" + zh("Excellent") + "\t50,000.00" in text
    assert "3\t县人社局\t28.00\t" + zh("Fail") + "\t0.00" in text
    assert "合计\t共 3 个单位\t平均 57.67\t\t50,000.00" in text  # the funds add up; the points' mean says so
    assert "滨海县总工会" in text
    assert cn_date(timezone.localtime(funded.published_at).date()) in text


def test_the_printable_bulletin_shows_the_same_document(client_for, office, funded):
    page = client_for(office).get(f"/assessment/rounds/{funded.pk}/bulletin/print/").content.decode()
    assert 'class="official-document"' in page and funded.bulletin_number in page and "县教育局" in page


def test_no_bulletin_before_publication(client_for, office, open_round):
    client = client_for(office)
    assert client.get(f"/assessment/rounds/{open_round.pk}/bulletin/").status_code == 404
    assert client.get(f"/assessment/rounds/{open_round.pk}/bulletin/print/").status_code == 404
    page = client.get(f"/assessment/rounds/{open_round.pk}/results/").content.decode()
    assert 'data-testid="bulletin"' not in page and 'data-testid="results-export"' in page


def test_the_addressee_names_the_kind_only_when_all_units_share_it(open_round, units):
    results = list(open_round.results.select_related("unit"))
    with translation.override("zh-hans"):
        assert bulletin.addressee(results) == _("%(units)s and all units concerned") % {
            "units": _("all competent departments")
        }
        results[0].unit.kind = OrgKind.TOWN
        assert bulletin.addressee(results) == _("All units concerned")


def test_a_pool_bulletin_states_the_base_and_pool_in_ten_thousand_yuan(office, open_round):
    workflow.set_funds(round=open_round, actor=office, method="pool", pool="300000", base="20000", floor="60")
    workflow.start_review(round=open_round, actor=office)
    round = workflow.publish(round=open_round, actor=office)
    results = list(round.results.select_related("unit"))
    assert sum(r.fund_amount for r in results) == Decimal("300000.00")
    document = bulletin.document(round, results)
    with translation.override("zh-hans"):
        assert any(
            _("%(amount)s ten-thousand yuan") % {"amount": "30.00"} in p
            and _("%(amount)s ten-thousand yuan") % {"amount": "2.00"} in p
            for p in document.paragraphs
        )


def test_the_downloads_are_named_for_the_owner_the_round_and_the_filter(client_for, office, funded):
    from urllib.parse import unquote

    def name(response):
        return unquote(response["Content-Disposition"].split("filename*=UTF-8''", 1)[1])

    client = client_for(office)
    day = f"{clock.today():%Y%m%d}"  # 20260916 at the suite's default moment
    results = f"/assessment/rounds/{funded.pk}/results/export/"
    assert name(client.get(results)) == f"滨海县总工会-2026年度县直单位目标考核-考核结果-{day}.xlsx"
    assert name(client.get(results, {"grade": "excellent"})) == (
        f"滨海县总工会-2026年度县直单位目标考核-考核结果-优秀-{day}.xlsx"
    )
    bulletin_name = name(client.get(f"/assessment/rounds/{funded.pk}/bulletin/"))
    assert bulletin_name == f"滨海县总工会-2026年度县直单位目标考核-考核结果通报-{funded.bulletin_number}.docx"
