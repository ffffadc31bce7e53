"""Export file names say what they hold: whose, what, which filters, the day; Chinese in ``filename*``."""

from urllib.parse import quote, unquote

import pytest
from django import forms

from qingdan import clock
from qingdan.pages import export_stem, form_filters

pytestmark = pytest.mark.django_db


def _name(response):
    """The UTF-8 file name of a download (RFC 6266 ``filename*``), with the ASCII fallback beside it."""
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="export') or disposition.startswith('attachment; filename="')
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert encoded == quote(unquote(encoded))  # percent-encoded, nothing raw
    return unquote(encoded)


def test_a_stem_names_the_unit_what_and_the_filters_and_drops_what_a_file_system_refuses(county_a):
    assert export_stem(county_a, "清单事项", "当前逾期") == "滨海县总工会-清单事项-当前逾期"
    assert export_stem(county_a, "清单事项", "", None, "滨海县总工会") == "滨海县总工会-清单事项"
    assert export_stem("县局", 'a/b\\c:d*e?"f<g>h|i') == "县局-a b c d e f g h i"
    assert len(export_stem(county_a, "很长" * 100)) == 60


def test_form_filters_read_a_choice_by_its_label_a_tick_by_its_field_and_skip_what_is_asked():
    class Filters(forms.Form):
        q = forms.CharField(required=False)
        status = forms.ChoiceField(choices=[("", "全部"), ("overdue", "已逾期")], required=False)
        mine = forms.BooleanField(label="待我处理", required=False)
        since = forms.DateField(required=False)

    form = Filters({"q": "王某", "status": "overdue", "mine": "on", "since": "2026-09-01"})
    assert form_filters(form) == ["王某", "已逾期", "待我处理", "2026-09-01"]
    assert form_filters(form, skip=("q",)) == ["已逾期", "待我处理", "2026-09-01"]
    assert form_filters(Filters({})) == [] and form_filters(None) == []


def test_the_item_export_is_named_for_the_unit_and_its_filters(client_for, office):
    day = f"{clock.today():%Y%m%d}"  # 20260916 at the suite's default moment
    response = client_for(office).get("/lists/items/export/", {"overdue": "1"})
    assert response.status_code == 200
    assert _name(response) == f"滨海县总工会-清单事项-当前逾期-{day}.xlsx"


def test_the_figures_exports_are_named_for_the_unit_and_the_grouping(client_for, office):
    day = f"{clock.today():%Y%m%d}"
    client = client_for(office)
    assert _name(client.get("/lists/figures/export/")) == f"滨海县总工会-销号统计-按责任单位-{day}.xlsx"
    assert _name(client.get("/lists/figures/export/", {"group": "month"})) == (
        f"滨海县总工会-销号统计-按下达月份-{day}.xlsx"
    )
    assert _name(client.get("/cases/figures/export/", {"year": "2026"})) == (
        f"滨海县总工会-诉求争议统计-2026-按下级单位-{day}.xlsx"
    )
    assert _name(client.get("/assistance/figures/export/", {"year": "2026", "group": "county"})) == (
        f"滨海县总工会-困难职工帮扶统计-2026-按县（区）总工会-{day}.xlsx"
    )
