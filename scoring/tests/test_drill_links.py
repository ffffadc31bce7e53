"""The drill-down from a score links only to pages the reader may open: the survey pages behind the survey
figures are the office's and the leaders', so a town reporter reads those records without a link."""

import re
from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client

from orgs.models import User
from qingdan.metrics import Record, RecordPage
from qingdan.permissions import may_open
from scoring import drill
from scoring.models import Round, RoundStatus, Score

pytestmark = pytest.mark.django_db
HREF = re.compile(r'href="(/[^"#]*)"')


def test_may_open_asks_the_pages_own_role_gate(reporter, leader, office):
    assert not may_open(reporter, "/surveys/distributions/3/")
    assert may_open(leader, "/surveys/distributions/3/") and may_open(office, "/surveys/polls/4/")
    assert may_open(reporter, "/lists/items/5/")  # no role gate: the page scopes its own records
    assert not may_open(reporter, "https://elsewhere.example/x/") and not may_open(reporter, "/no-such-page/")


def test_a_record_keeps_its_link_only_for_a_reader_who_may_open_it(reporter, office):
    page = RecordPage(
        rows=[
            Record(day=date(2026, 6, 30), text="年中调查 · 县交通运输局 · 已提交", url="/surveys/distributions/3/"),
            Record(day=date(2026, 6, 30), text="事项", url="/lists/items/5/"),
        ],
        total=2,
    )
    assert [row.url for row in drill.linked_for(reporter, page).rows] == ["", "/lists/items/5/"]
    assert [row.url for row in drill.linked_for(office, page).rows] == [row.url for row in page.rows]
    assert drill.linked_for(reporter, page).total == 2


def test_a_town_reporters_drill_down_has_no_link_it_cannot_open():
    """Crawl, as 东坎's reporter, every score page of the published round and every link on them."""
    call_command("load_demo")
    dongkan = User.objects.get(username="dongkan")
    client = Client()
    client.force_login(dongkan)
    published = Round.objects.get(status=RoundStatus.PUBLISHED)
    scores = Score.objects.filter(round=published, unit=dongkan.org_unit, criterion__metric__gt="")
    assert scores.filter(criterion__metric__in=["survey_completeness", "satisfaction_rate"]).exists()
    pages = [f"/assessment/rounds/{published.pk}/units/{dongkan.org_unit_id}/"]
    pages += [f"/assessment/scores/{pk}/" for pk in scores.values_list("pk", flat=True)]
    links = set()
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        links.update(HREF.findall(response.content.decode()))
    links = {link.replace("&amp;", "&") for link in links if not link.startswith(("/static/", "/i18n/"))}
    refused = [link for link in sorted(links) if client.get(link).status_code == 403]
    assert refused == []
    assert not any(link.startswith("/surveys/distributions/") for link in links)
