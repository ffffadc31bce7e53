"""The menu: its entries grouped by area under headings, each entry still shown only to its roles."""

import re

import pytest
from django.test import RequestFactory

from qingdan.context_processors import NAVIGATION, SECTIONS, navigation, section_of


def _menu(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    return navigation(request)


def _sections(user, path="/"):
    return [
        (str(section["label"]) if section["label"] else None, [str(item["label"]) for item in section["items"]])
        for section in _menu(user, path)["nav_sections"]
    ]


def test_every_menu_entry_belongs_to_one_section():
    for _label, name, _icon, _roles in NAVIGATION:
        assert SECTIONS[section_of(name)]  # raises StopIteration for an entry of no section


def test_the_leaders_overview_is_kept_room_in_the_workbench_section():
    assert section_of("overview:dashboard") == section_of("home") == 0


@pytest.mark.django_db
def test_office_sees_every_area_under_its_heading_in_order(office):
    sections = _sections(office)
    assert [label for label, _items in sections] == [
        None,
        "清单督办",
        "问卷测评",
        "量化考核",
        "诉求与争议",
        "困难帮扶",
        "设置",
    ]
    assert sections[0] == (None, ["工作台", "驾驶舱", "我的后台任务"])
    assert sections[1] == ("清单督办", ["责任清单", "事项", "统计"])
    assert sections[6] == ("设置", ["工作规则", "工作日历", "组织机构"])


@pytest.mark.django_db
def test_reporter_sees_only_their_entries_and_no_empty_heading(reporter):
    sections = dict(_sections(reporter))
    assert sections["清单督办"] == ["事项"]
    assert sections["问卷测评"] == ["我的填报任务"]
    assert sections["设置"] == ["组织机构"]
    assert "系统" not in sections


@pytest.mark.django_db
def test_separated_duties_see_only_the_system_section(sysadmin, secadmin, auditor):
    assert [label for label, _items in _sections(sysadmin)] == [None, "设置", "系统"]
    assert dict(_sections(sysadmin))["系统"] == ["用户管理", "权限变更复核", "后台管理"]
    assert dict(_sections(auditor))["系统"] == ["权限变更复核", "审计日志"]
    assert "用户管理" in dict(_sections(secadmin))["系统"]


@pytest.mark.django_db
def test_the_page_open_is_the_one_active_entry(office):
    menu = _menu(office, "/lists/items/?status=overdue")
    assert [str(item["label"]) for item in menu["nav_items"] if item["active"]] == ["事项"]
    assert not any(
        item["active"] for item in _menu(office, "/lists/items/1/")["nav_items"] if item["label"] == "工作台"
    )


@pytest.mark.django_db
def test_the_sidebar_shows_each_section_as_a_labelled_list(client_for, office):
    html = client_for(office).get("/").content.decode()
    heading = re.search(r'<div class="qd-nav-heading" id="(qd-nav-\d+)">清单督办</div>', html)
    assert heading
    assert f'aria-labelledby="{heading.group(1)}"' in html
    assert html.index('href="#content"') < html.index("<header")  # the skip link is the first tab stop
    assert '<main id="content" tabindex="-1"' in html


def _sidebar(client, path="/"):
    html = client.get(path).content.decode()
    return html[html.index('<nav id="qd-nav"') : html.index("<main")]


def _active(sidebar):
    return re.findall(r'<a class="nav-link active" aria-current="page" href="([^"]+)"', sidebar)


@pytest.mark.django_db
def test_the_kept_menu_is_each_readers_own(client_for, office, reporter, auditor):
    """The rendered menu is kept per roles, language and active entry: a reader after another on the same page
    sees their own entries and roles, never the menu kept for the first."""
    for _round in range(2):
        office_menu = _sidebar(client_for(office))
        reporter_menu = _sidebar(client_for(reporter))
        auditor_menu = _sidebar(client_for(auditor))
        assert "督办人员" in office_menu and "督办人员" not in reporter_menu
        assert "责任单位填报员" in reporter_menu and "责任单位填报员" not in office_menu
        assert 'href="/lists/figures/"' in office_menu and 'href="/lists/figures/"' not in reporter_menu
        assert "审计日志" in auditor_menu and "事项" not in auditor_menu


@pytest.mark.django_db
def test_the_kept_menu_marks_the_page_open_and_speaks_the_readers_language(client_for, office):
    client = client_for(office)
    assert _active(_sidebar(client, "/")) == ["/"]
    assert _active(_sidebar(client, "/lists/items/")) == ["/lists/items/"]
    assert _active(_sidebar(client, "/lists/figures/")) == ["/lists/figures/"]
    assert _active(_sidebar(client, "/")) == ["/"]
    assert "清单督办" in _sidebar(client)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = _sidebar(client)
    assert "Close-out supervision" in english and "清单督办" not in english
