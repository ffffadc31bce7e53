"""The worker's pages (no log-in): sending from the QR poster, the code shown once, following with the code,
rating, reopening, and the throttles."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client

from cases import demand_flow, public_demands
from cases.models import Demand, DemandStatus
from cases.views_demands import poster_key

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sept16")]
FOLLOW = "/w/demand/"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    caches["polls"].clear()
    yield
    caches["polls"].clear()


def _text(response):
    return response.content.decode()


def _code_on(page):
    return page.split('data-testid="receipt-code">')[1].split("<")[0]


def test_a_worker_sends_from_the_poster_and_sees_the_code_once(firm_a, town_a):
    client = Client()
    url = f"/w/demand/{poster_key(firm_a)}/"
    page = _text(client.get(url))
    assert firm_a.name in page and 'name="content"' in page
    response = client.post(
        url,
        {"category": "hours", "content": "每天加班4小时", "worker_name": "周七", "worker_phone": "", "group_size": "8"},
    )
    assert response.status_code == 302 and response["Location"] == "/w/demand/sent/"
    page = _text(client.get("/w/demand/sent/"))
    code = _code_on(page)
    assert "请立即保存回执码" in page
    demand = Demand.objects.get()
    assert demand.status == DemandStatus.SUBMITTED and demand.org_unit == town_a and demand.group_size == 8
    assert demand_flow.find_by_code(code) == demand
    assert 'data-testid="receipt-code"' not in _text(client.get("/w/demand/sent/"))


def test_a_made_up_poster_link_is_not_found():
    response = Client().get("/w/demand/12-notasignature/")
    assert response.status_code == 404 and "该二维码或链接无效" in _text(response)


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"group_size": "0"}, "涉及职工人数至少为 1 人。"),
        ({"group_size": "-2"}, "涉及职工人数至少为 1 人。"),
        ({"content": "工资\x07未发"}, "含有不可见的控制字符"),
    ],
)
def test_bad_input_on_the_phone_form_is_explained_and_nothing_is_sent(firm_a, facts, message):
    data = {"category": "wages", "content": "欠薪", "worker_name": "周七", "group_size": "1", **facts}
    response = Client().post(f"/w/demand/{poster_key(firm_a)}/", data)
    assert response.status_code == 422 and message in _text(response)
    assert not Demand.objects.exists()


def test_sending_is_throttled_per_address(firm_a, monkeypatch):
    monkeypatch.setattr(public_demands, "SENDS_PER_ADDRESS", 2)
    client = Client()
    data = {"category": "wages", "content": "欠薪", "worker_name": "周七", "group_size": "1"}
    for _n in range(2):
        assert client.post(f"/w/demand/{poster_key(firm_a)}/", data).status_code == 302
    response = client.post(f"/w/demand/{poster_key(firm_a)}/", data)
    assert response.status_code == 429 and "您所在网络刚刚提交了较多诉求。" in _text(response)
    assert Demand.objects.count() == 2


@pytest.fixture
def replied(make_demand, reporter, office):
    demand, code = make_demand()
    demand_flow.add_note(demand=demand, actor=reporter, text_="内部：老板很难沟通")
    demand = demand_flow.reply_demand(
        demand=demand, actor=reporter, version=demand.version, reply="企业已补发工资", result="resolved"
    )
    return demand, code


def test_the_worker_reads_the_reply_but_no_notes_nor_staff_names(replied, reporter, dept_a):
    _demand, code = replied
    page = _text(Client().post(FOLLOW, {"code": code.lower()}))
    assert "企业已补发工资" in page and "已解决" in page and dept_a.name in page
    assert "老板很难沟通" not in page and reporter.display_name not in page and "13812345678" not in page


def test_a_wrong_code_is_refused_and_guessing_is_throttled(replied, monkeypatch):
    monkeypatch.setattr(public_demands, "WRONG_CODES_PER_ADDRESS", 3)
    client = Client()
    for _n in range(3):
        response = client.post(FOLLOW, {"code": "ABCDE-FGHJK"})
        assert response.status_code == 404 and "没有与该回执码对应的诉求，请核对回执上的回执码。" in _text(response)
    _demand, code = replied
    response = client.post(FOLLOW, {"code": code})  # even the right code waits now
    assert response.status_code == 429 and "输入错误回执码的次数过多" in _text(response)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's transactions begin IMMEDIATE: one at a time")
def test_guesses_sent_at_once_are_counted_one_by_one(monkeypatch, at_once):
    """A script sends twelve guesses at the same moment from one address: three are looked up and told the code is
    unknown, the other nine are refused, as if they had come one after another."""
    monkeypatch.setattr(public_demands, "WRONG_CODES_PER_ADDRESS", 3)
    statuses = at_once(lambda: Client().post(FOLLOW, {"code": "ABCDE-FGHJK"}).status_code, 12)
    assert sorted(statuses) == [404] * 3 + [429] * 9


def test_the_worker_rates_once(replied):
    demand, code = replied
    client = Client()
    page = _text(client.post(FOLLOW, {"action": "rate", "rate-code": code, "rate-rating": "satisfied"}))
    assert "谢谢，您的评价已保存。" in page and 'data-testid="rate-form"' not in page
    demand.refresh_from_db()
    assert demand.rating == "satisfied"
    response = client.post(FOLLOW, {"action": "rate", "rate-code": code, "rate-rating": "dissatisfied"})
    assert response.status_code == 422 and "您已评价过该答复，每次答复只能评价一次。" in _text(response)
    demand.refresh_from_db()
    assert demand.rating == "satisfied"


def test_a_rating_with_a_wrong_code_changes_nothing(replied):
    response = Client().post(FOLLOW, {"action": "rate", "rate-code": "ABCDEFGHJK", "rate-rating": "satisfied"})
    assert response.status_code == 404
    assert not Demand.objects.exclude(rating="").exists()


def test_reopen_button_is_gone_after_the_period(replied, sept16):
    _demand, code = replied
    client = Client()
    assert 'data-testid="reopen-form"' in _text(client.post(FOLLOW, {"code": code}))
    sept16.move_to(datetime(2026, 10, 17, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert 'data-testid="reopen-form"' not in _text(client.post(FOLLOW, {"code": code}))
    response = client.post(FOLLOW, {"action": "reopen", "reopen-code": code, "reopen-reason": "没解决"})
    assert response.status_code == 422 and "答复已超过 30 天，不能再申请重新办理" in _text(response)


def test_the_worker_reopens_within_the_period(replied):
    demand, code = replied
    page = _text(Client().post(FOLLOW, {"action": "reopen", "reopen-code": code, "reopen-reason": "只补发了一半"}))
    assert "您的诉求已重新办理" in page
    demand.refresh_from_db()
    assert demand.status == DemandStatus.ASSIGNED and demand.reopened == 1 and demand.reply_due == date(2026, 9, 20)
