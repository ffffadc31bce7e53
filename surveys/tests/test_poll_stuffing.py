"""Poll stuffing, as the probe did it: a script answering an open link many times a second. A poll that decides
something (a satisfaction question: the close-out and the assessment count it) takes one answer per worker by
construction, through one-time links; an open link is for opinions, throttled per address and per poll, and the
poll's page says so and shows the bursts."""

import json
import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from checklists.workflow import satisfaction_questionnaire
from qingdan import clock, metrics
from qingdan.errors import Refused
from qingdan.throttles import Throttled
from surveys import services, stats
from surveys.models import Poll, PollMode, Response

pytestmark = pytest.mark.django_db

FACTORY_NAT = "36.112.40.7"  # the one address a factory's Wi-Fi shows the internet


@pytest.fixture
def satisfaction(office):
    q = services.create_questionnaire(
        title="职工满意度测评问卷", owner_unit=office.org_unit, actor=office, kind="worker"
    )
    services.add_question(
        questionnaire=q, section_title="满意度", code="S1", text="您对本单位工会工作的总体评价",
        kind="satisfaction", actor=office,
    )  # fmt: skip
    return q


def open_poll(opinion, office, cap=500):
    return services.create_poll(
        questionnaire=opinion,
        title="职工活动意见征集",
        subject_unit=office.org_unit,
        closes_at=clock.now() + timedelta(days=7),
        actor=office,
        mode=PollMode.OPEN,
        cap=cap,
    )


def phone(address=FACTORY_NAT):
    """A fresh phone (or a script's fresh cookie jar) behind ``address``."""
    return Client(enforce_csrf_checks=True, REMOTE_ADDR=address)


def send(client, poll, data, url=None):
    """What the script does: open the page for its cookies and CSRF token, then post the answers."""
    url = url or f"/p/{poll.slug}/"
    page = client.get(url)
    assert page.status_code == 200, page.content.decode()[:300]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


def o1(poll):
    return f"q{poll.questionnaire.questions.get(code='O1').pk}"


def on_a_whole_minute(frozen_clock):
    """Start at the next whole minute, so that answers sent within a few seconds fall in one clock minute."""
    now = clock.now()
    frozen_clock.move_to(now.replace(second=0, microsecond=0) + timedelta(minutes=1))


# --- the attack on an open link -------------------------------------------------------------


def test_sixty_scripted_answers_in_five_seconds_stop_at_thirty_and_the_worker_sees_why(opinion, office, frozen_clock):
    poll = open_poll(opinion, office)
    field = o1(poll)
    sent = []
    for _ in range(60):  # 60 answers in 5 seconds from one address, each with a fresh cookie jar
        sent.append(send(phone(), poll, {field: "o2"}))
        frozen_clock.shift(timedelta(milliseconds=80))

    assert [r.status_code for r in sent] == [302] * 30 + [429] * 30
    assert Response.objects.filter(poll=poll).count() == 30  # a throttled answer is never counted
    # What the worker sees: the form again, in Chinese, with the choice made still ticked.
    refused = sent[-1]
    html = refused.content.decode()
    notice = re.search(r'data-testid="poll-notice">([^<]+)<', html).group(1)
    assert notice == "此刻从您所在网络提交的答卷太多，您的答卷尚未提交。您填写的内容仍在本页，请 1 分钟后再点“提交”。"
    assert re.search(rf'name="{field}" [^>]*value="o2"[^>]* checked', html)
    assert 'id="poll-submit"' in html
    assert 0 < int(refused["Retry-After"]) <= 60

    # A minute after the first of them, the next worker on that network gets through.
    frozen_clock.shift(timedelta(seconds=56))
    assert send(phone(), poll, {field: "o1"}).status_code == 302
    assert Response.objects.filter(poll=poll).count() == 31


def test_a_workshop_of_forty_on_one_address_answering_over_three_minutes_is_not_throttled(
    opinion, office, frozen_clock
):
    poll = open_poll(opinion, office)
    field = o1(poll)
    for n in range(40):
        assert send(phone(), poll, {field: ["o1", "o2", "o3"][n % 3]}).status_code == 302
        frozen_clock.shift(timedelta(seconds=4.5))
    assert Response.objects.filter(poll=poll).count() == 40


def test_a_script_on_many_addresses_is_stopped_by_the_limit_of_the_poll(opinion, office, frozen_clock):
    poll = open_poll(opinion, office)
    raw = {poll.questionnaire.questions.get(code="O1").pk: ["o1"]}
    for n in range(120):
        services.submit_poll_response(poll=poll, raw=raw, device_id=f"device-{n:012d}", address=f"10.1.{n}.9")
        frozen_clock.shift(timedelta(milliseconds=100))
    with pytest.raises(Throttled) as throttled:
        services.submit_poll_response(poll=poll, raw=raw, device_id="device-the-121st", address="10.2.0.1")
    assert throttled.value.message.startswith("此刻参加本次测评的人太多，您的答卷尚未提交。")
    assert Response.objects.filter(poll=poll).count() == 120


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writes")
def test_forty_answers_sent_at_once_from_one_address_store_exactly_thirty(opinion, office):
    poll = open_poll(opinion, office)
    raw = {poll.questionnaire.questions.get(code="O1").pk: ["o1"]}
    barrier, outcomes = threading.Barrier(40), []

    def script(n):
        barrier.wait()
        try:
            services.submit_poll_response(poll=poll, raw=raw, device_id=f"device-{n:012d}", address=FACTORY_NAT)
            outcomes.append("stored")
        except Throttled:
            outcomes.append("throttled")
        except Exception as error:  # noqa: BLE001 - reported below
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=script, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["stored"] * 30 + ["throttled"] * 10
    assert Response.objects.filter(poll=poll).count() == 30


def test_the_throttle_counts_in_the_shared_database_cache_not_in_the_process(opinion, office, settings):
    from django.core.cache import caches

    assert settings.CACHES["polls"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    poll = open_poll(opinion, office)
    send(phone(), poll, {o1(poll): "o1"})
    kept = caches["polls"].get(f"poll-answers:{poll.slug}")
    assert kept == [clock.now().timestamp()]


def test_only_a_keyed_hash_of_the_address_is_kept_and_it_differs_between_polls(opinion, office):
    import hashlib

    first, second = open_poll(opinion, office), open_poll(opinion, office)
    for poll in (first, second):
        assert send(phone(), poll, {o1(poll): "o1"}).status_code == 302
    kept = [Response.objects.get(poll=poll).address for poll in (first, second)]
    assert kept[0] == services.address_hash(first, FACTORY_NAT) and len(kept[0]) == 32
    assert FACTORY_NAT not in kept[0] and hashlib.sha256(FACTORY_NAT.encode()).hexdigest()[:32] != kept[0]
    assert kept[0] != kept[1]


# --- a poll that decides cannot have an open link ----------------------------------------------


def test_the_office_cannot_start_a_satisfaction_poll_on_an_open_link(satisfaction, office, client_for):
    client = client_for(office)
    url = f"/surveys/q/{satisfaction.pk}/polls/new/"
    form = client.get(url).content.decode()
    assert re.search(r'<input type="radio" name="mode" value="open"[^>]* disabled', form)
    closes = (clock.local_now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    page = client.post(
        url,
        {"title": "满意度测评", "subject_unit": office.org_unit.pk, "mode": "open", "cap": 300, "closes_at": closes},
    )
    assert page.status_code == 200
    error = re.search(r'data-testid="field-error-mode">([^<]+)<', page.content.decode()).group(1)
    assert error == (
        "这份问卷含满意度题，答卷计入销号和考核得分，只能用一次性链接发放（每名职工一个二维码）；"
        "公开链接只用于不计分的意见征集。"
    )
    assert not Poll.objects.exists()


@pytest.mark.parametrize("form", ["office's", "close-out's"])
def test_the_service_refuses_an_open_link_for_any_questionnaire_that_decides(satisfaction, office, form):
    questionnaire = satisfaction if form == "office's" else satisfaction_questionnaire(office.org_unit, office)
    with pytest.raises(Refused, match="只能用一次性链接发放"):
        services.create_poll(
            questionnaire=questionnaire, title="测评", subject_unit=office.org_unit,
            closes_at=clock.now() + timedelta(days=1), actor=office, mode=PollMode.OPEN, cap=100,
        )  # fmt: skip
    assert not Poll.objects.exists()


def test_the_api_offers_no_way_to_start_a_poll_around_the_refusal(client):
    paths = json.loads(client.get("/api/v1/openapi.json").content)["paths"]
    poll_paths = {path: set(methods) for path, methods in paths.items() if "poll" in path}
    assert poll_paths == {"/api/v1/surveys/polls/{slug}/responses": {"post"}}  # answers with a one-time token only


def test_an_older_open_poll_with_a_satisfaction_question_counts_in_no_metric(satisfaction, office, county_a):
    poll = services.create_poll(
        questionnaire=satisfaction, title="旧的公开测评", subject_unit=office.org_unit,
        closes_at=clock.now() + timedelta(hours=1), actor=office, token_count=1,
    )  # fmt: skip
    Poll.objects.filter(pk=poll.pk).update(mode=PollMode.OPEN, cap=100)  # as one started before the rule
    poll.refresh_from_db()
    raw = {satisfaction.questions.get(code="S1").pk: ["very_satisfied"]}
    for n in range(5):
        services.submit_poll_response(poll=poll, raw=raw, device_id=f"device-{n:012d}", address=f"10.0.0.{n}")
    assert stats.final_responses(satisfaction, poll=poll).count() == 5
    assert not stats.counted_poll_responses(poll).exists()
    today = clock.today()

    def counted():
        return metrics.get("satisfaction_rate")([county_a], today, today + timedelta(days=1))[county_a.pk].denominator

    assert counted() == 0
    Poll.objects.filter(pk=poll.pk).update(mode=PollMode.TOKENS)  # the same answers through one-time links count
    assert counted() == 5


# --- the poll's page says it is open and shows the burst ---------------------------------------


def test_the_poll_page_says_the_link_is_open_and_flags_the_scripted_minute(opinion, office, client_for, frozen_clock):
    on_a_whole_minute(frozen_clock)
    poll = open_poll(opinion, office)
    field = o1(poll)
    for n in range(12):  # twelve workers on their own phone networks over two hours
        send(phone(f"112.0.{n}.1"), poll, {field: "o1"})
        frozen_clock.shift(timedelta(minutes=10))
    for _ in range(40):  # then the script: 30 get in within one minute, the rest are throttled
        send(phone(), poll, {field: "o3"})
        frozen_clock.shift(timedelta(milliseconds=100))

    html = client_for(office).get(f"/surveys/polls/{poll.pk}/").content.decode()
    assert "公开链接，仅供征集意见。" in html
    assert "答卷不计入销号，也不计入考核得分。" in html and "同一网络每 60 秒最多提交 30 份" in html
    assert 'data-testid="poll-answered">42<' in html
    assert 'data-testid="poll-bursts">1<' in html
    rows = re.findall(r'<tr class="table-danger">(.*?)</tr>', html, re.S)
    assert len(rows) == 1
    burst_minute = clock.local_now().strftime("%Y-%m-%d %H:%M")
    assert burst_minute in rows[0] and 'data-testid="burst-answers">30<' in rows[0]
    assert services.address_hash(poll, FACTORY_NAT)[:6].upper() in rows[0]
    chart = json.loads(re.search(r'id="timeline-data" type="application/json">(.*?)</script>', html).group(1))
    assert sum(chart["counts"]) == 42 and chart["flagged"].count(True) == 1
    assert chart["counts"][chart["flagged"].index(True)] == 30

    # The questionnaire's statistics, narrowed to this poll, say so too.
    scoped = client_for(office).get(f"/surveys/q/{opinion.pk}/stats/?poll={poll.pk}").content.decode()
    assert "公开链接，仅供征集意见。" in scoped and "这些答卷不计入销号，也不计入考核得分。" in scoped


def test_someone_answering_a_sheet_of_one_time_links_is_not_throttled_but_shows_as_a_burst(
    satisfaction, office, client_for, frozen_clock
):
    on_a_whole_minute(frozen_clock)
    poll = services.create_poll(
        questionnaire=satisfaction, title="满意度测评", subject_unit=office.org_unit,
        closes_at=clock.now() + timedelta(days=7), actor=office, token_count=40,
    )  # fmt: skip
    s1 = f"q{satisfaction.questions.get(code='S1').pk}"
    for token in poll.tokens.order_by("pk"):  # the printed QR sheet, answered by one person: 30, then 10 a minute
        url = f"/p/{poll.slug}/{token.token}/"
        assert send(phone("58.20.1.3"), poll, {s1: "very_satisfied"}, url).status_code == 302
        frozen_clock.shift(timedelta(seconds=2))
    assert Response.objects.filter(poll=poll).count() == 40  # each link is valid: one-time links are not throttled
    html = client_for(office).get(f"/surveys/polls/{poll.pk}/").content.decode()
    assert "公开链接，仅供征集意见。" not in html and 'data-testid="poll-bursts">2<' in html  # two clock minutes
    assert html.count('<tr class="table-danger">') == 2


def test_a_poll_without_a_burst_says_so_and_the_page_reads_as_many_queries_with_more_answers(
    opinion, office, client_for, frozen_clock
):
    poll = open_poll(opinion, office)
    client = client_for(office)
    for n in range(5):
        send(phone(f"112.0.{n}.1"), poll, {o1(poll): "o1"})
        frozen_clock.shift(timedelta(minutes=3))
    with CaptureQueriesContext(connection) as few:
        html = client.get(f"/surveys/polls/{poll.pk}/").content.decode()
    assert "没有集中提交：任何一分钟内，没有一个网络地址提交 10 份及以上答卷。" in html
    assert "每根柱子为 1 分钟" in html

    for _ in range(25):
        send(phone(), poll, {o1(poll): "o2"})
    with CaptureQueriesContext(connection) as many:
        html = client.get(f"/surveys/polls/{poll.pk}/").content.decode()
    assert 'data-testid="poll-bursts">1<' in html
    assert len(many) == len(few)
