import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _translated(entry):
    # A word with a context (``pgettext("audit", "Kind")``) is looked up with it.
    return translation.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else translation.gettext(entry.msgid)


def test_every_interface_string_has_a_chinese_translation_in_the_compiled_catalogue():
    entries = [e for e in polib.pofile(str(PO)) if not e.obsolete and not e.msgid_plural]
    assert len(entries) > 150
    with translation.override("zh-hans"):
        untranslated = [e.msgid for e in entries if _translated(e) == e.msgid]
    assert untranslated == []


def test_no_template_loads_anything_from_another_host():
    pattern = re.compile(r"""(src|href)=["']https?://""")
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and "node_modules" not in path.parts and pattern.search(path.read_text())
    ]
    assert offenders == []


@pytest.mark.django_db
def test_language_switch_turns_the_page_english_and_back(client_for, office):
    client = client_for(office)
    assert "工作台" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "Workbench" in page and "Sign out" in page and 'lang="en"' in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "退出登录" in client.get("/").content.decode()


@pytest.mark.django_db
def test_home_shows_unit_and_roles_and_counts(client_for, office, dept_a):
    page = client_for(office).get("/").content.decode()
    assert "滨海县总工会" in page and "督办人员" in page
    assert re.search(r'data-testid="unit-count">1<', page)  # the units below (县交通运输局), not the county itself


@pytest.mark.django_db
def test_static_assets_are_served_by_the_app(client):
    from django.contrib.staticfiles import finders

    for asset in ("vendor/bootstrap/css/bootstrap.min.css", "vendor/htmx/htmx.min.js", "vendor/echarts/echarts.min.js"):
        assert finders.find(asset), asset


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_until_the_user_switches(client):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page and "登录" in page


FULL_WIDTH = re.compile("[：，（）。；]")


def test_no_english_msgid_carries_full_width_punctuation():
    """English text uses English punctuation; the Chinese msgstr carries the full-width marks. (The 、 of
    "Separate codes with 、 or commas" is not punctuation there but the character the user types.)"""
    entries = [e for e in polib.pofile(str(PO)) if not e.obsolete]
    offenders = [e.msgid for e in entries if FULL_WIDTH.search(e.msgid) or FULL_WIDTH.search(e.msgid_plural or "")]
    assert offenders == []
