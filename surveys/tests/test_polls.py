"""Worker polls (职工测评): the office starts a poll and reads its figures; anonymous workers
answer on a phone by a one-time link or an open link with a cap."""

import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from qingdan import clock
from qingdan.errors import Refused
from surveys import services, stats
from surveys.models import Answer, Poll, PollMode, PollToken, Response
from surveys.public import DEVICE_COOKIE

pytestmark = pytest.mark.django_db

LEVELS = ["very_satisfied"] * 4 + ["satisfied"] * 3 + ["basic"] * 2 + ["unsatisfied"]


@pytest.fixture
def questionnaire(office):
    q = services.create_questionnaire(
        title="职工满意度测评问卷", owner_unit=office.org_unit, actor=office, kind="worker"
    )
    services.add_question(
        questionnaire=q,
        section_title="满意度",
        code="S1",
        text="您对本单位工会工作的总体评价",
        kind="satisfaction",
        actor=office,
    )
    return q


def make_poll(questionnaire, office, *, mode=PollMode.TOKENS, tokens=10, cap=None, unit=None):
    return services.create_poll(
        questionnaire=questionnaire,
        title="2026年职工满意度测评",
        subject_unit=unit or office.org_unit,
        closes_at=clock.now() + timedelta(days=7),
        actor=office,
        mode=mode,
        token_count=tokens if mode == PollMode.TOKENS else 0,
        cap=cap,
    )


def question(poll, code="S1"):
    return poll.questionnaire.questions.get(code=code)


def worker():
    """A worker's phone: an anonymous browser that checks CSRF like a real one."""
    return Client(enforce_csrf_checks=True)


def answer(phone, url, data):
    """Open the page (which sets the CSRF and device cookies), then send the form."""
    page = phone.get(url)
    assert page.status_code == 200, page.content.decode()[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return phone.post(url, {**data, "csrfmiddlewaretoken": token})


def token_url(poll, token):
    return f"/p/{poll.slug}/{token.token}/"


def open_url(poll):
    return f"/p/{poll.slug}/"


# --- answering ------------------------------------------------------------------------------


def test_satisfaction_poll_with_ten_answers_reports_70_percent(questionnaire, office, client_for):
    poll = make_poll(questionnaire, office, tokens=10)
    s1 = question(poll)
    for token, level in zip(poll.tokens.order_by("id"), LEVELS, strict=True):
        sent = answer(worker(), token_url(poll, token), {f"q{s1.pk}": level})
        assert sent.status_code == 302
        assert sent["Location"] == f"/p/{poll.slug}/thanks/"

    responses = stats.final_responses(questionnaire, poll=poll)
    assert responses.count() == 10
    assert stats.satisfaction_rate(responses, s1) == pytest.approx(0.7)

    page = client_for(office).get(f"/surveys/polls/{poll.pk}/").content.decode()
    assert 'data-testid="satisfaction-rate">70.0%<' in page
    assert 'data-testid="poll-tokens">10 / 10<' in page
    assert "非常满意" in page and "满意率" in page


def test_thank_you_page_is_chinese_and_the_device_cookie_is_long_lived_and_http_only(questionnaire, office):
    poll = make_poll(questionnaire, office, tokens=1)
    phone = worker()
    page = phone.get(token_url(poll, poll.tokens.get()))
    cookie = page.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["max-age"] > 365 * 24 * 3600
    assert "您对本单位工会工作的总体评价" in page.content.decode()
    assert "退出登录" not in page.content.decode()  # the bare worker layout, not the office frame

    answer(phone, token_url(poll, poll.tokens.get()), {f"q{question(poll).pk}": "satisfied"})
    thanks = phone.get(f"/p/{poll.slug}/thanks/")
    assert "提交成功，感谢您的参与！" in thanks.content.decode()
    # The device stored is a hash of the cookie, never the cookie itself.
    stored = Response.objects.get(poll=poll).device
    assert stored == services.device_hash(cookie.value) and cookie.value not in stored


def test_used_token_is_refused_with_a_clear_message_and_stores_nothing(questionnaire, office):
    poll = make_poll(questionnaire, office, tokens=2)
    token = poll.tokens.order_by("id").first()
    s1 = question(poll)
    assert answer(worker(), token_url(poll, token), {f"q{s1.pk}": "satisfied"}).status_code == 302

    # Another phone opens the same link: refused on sight.
    other = worker()
    page = other.get(token_url(poll, token))
    assert page.status_code == 403
    assert "该链接已提交过答卷，每个链接只能作答一次。" in page.content.decode()
    assert "Traceback" not in page.content.decode()

    # A form opened before the first answer came in is refused when sent, and nothing is stored.
    late = Client()
    sent = late.post(token_url(poll, token), {f"q{s1.pk}": "unsatisfied"})
    assert sent.status_code == 403
    assert "无法参加本次测评" in sent.content.decode()
    assert Response.objects.filter(poll=poll).count() == 1
    assert Answer.objects.filter(response__poll=poll).get().option.value == "satisfied"


def test_the_service_refuses_a_used_token_with_its_own_message(questionnaire, office):
    poll = make_poll(questionnaire, office, tokens=1)
    token = poll.tokens.get()
    raw = {question(poll).pk: ["satisfied"]}
    services.submit_poll_response(poll=poll, raw=raw, token=token.token, device_id="phone-one-0123456789")
    with pytest.raises(Refused) as refused:
        services.submit_poll_response(poll=poll, raw=raw, token=token.token, device_id="phone-two-0123456789")
    assert refused.value.message == "该链接已使用过或无效。"
    assert Response.objects.filter(poll=poll).count() == 1


def test_unknown_token_or_slug_is_a_chinese_404_page(questionnaire, office):
    poll = make_poll(questionnaire, office, tokens=1)
    for url in (f"/p/{poll.slug}/no-such-token/", "/p/no-such-poll/", "/p/no-such-poll/abc/"):
        page = Client().get(url)
        assert page.status_code == 404
        assert "链接无效" in page.content.decode()
        assert "未找到该测评链接" in page.content.decode()
    # A token of another poll does not open this one.
    other = make_poll(questionnaire, office, tokens=1)
    assert Client().get(f"/p/{poll.slug}/{other.tokens.get().token}/").status_code == 404


def test_a_token_poll_cannot_be_answered_without_a_token(questionnaire, office):
    poll = make_poll(questionnaire, office, tokens=1)
    page = Client().get(open_url(poll))
    assert page.status_code == 403
    assert "专用链接" in page.content.decode()
    sent = Client().post(open_url(poll), {f"q{question(poll).pk}": "satisfied"})
    assert sent.status_code == 403
    assert not Response.objects.filter(poll=poll).exists()


def test_closed_poll_is_refused(questionnaire, office):
    poll = make_poll(questionnaire, office, tokens=1)
    token = poll.tokens.get()
    phone = worker()
    assert phone.get(token_url(poll, token)).status_code == 200
    Poll.objects.filter(pk=poll.pk).update(closes_at=clock.now() - timedelta(minutes=1))

    page = phone.get(token_url(poll, token))
    assert page.status_code == 403
    assert "本次测评已截止。" in page.content.decode()
    sent = Client().post(token_url(poll, token), {f"q{question(poll).pk}": "satisfied"})
    assert sent.status_code == 403
    assert "本次测评已截止。" in sent.content.decode()
    assert not Response.objects.filter(poll=poll).exists()
    assert PollToken.objects.get(pk=token.pk).used_at is None


def test_cap_of_an_open_link_is_enforced(opinion, office):
    poll = make_poll(opinion, office, mode=PollMode.OPEN, cap=2)
    field = f"q{question(poll, 'O1').pk}"
    third = worker()
    third_page = third.get(open_url(poll))  # opened before the cap was reached
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', third_page.content.decode()).group(1)
    for _ in range(2):
        assert answer(worker(), open_url(poll), {field: "o1"}).status_code == 302

    sent = third.post(open_url(poll), {field: "o1", "csrfmiddlewaretoken": csrf})
    assert sent.status_code == 403
    assert "本次测评的答卷已满。" in sent.content.decode()
    assert "本次测评的答卷已满。" in worker().get(open_url(poll)).content.decode()
    assert Response.objects.filter(poll=poll).count() == 2


def test_the_same_phone_cannot_answer_an_open_link_twice(opinion, office):
    poll = make_poll(opinion, office, mode=PollMode.OPEN, cap=100)
    field = f"q{question(poll, 'O1').pk}"
    phone = worker()
    first = phone.get(open_url(poll))
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', first.content.decode()).group(1)
    assert phone.post(open_url(poll), {field: "o1", "csrfmiddlewaretoken": csrf}).status_code == 302

    again = phone.get(open_url(poll))
    assert again.status_code == 403
    assert "这部手机已参加过本次测评。" in again.content.decode()
    # Sending the old form again (back button) is refused too.
    resent = phone.post(open_url(poll), {field: "o2", "csrfmiddlewaretoken": csrf})
    assert resent.status_code == 403
    assert "这部手机已参加过本次测评。" in resent.content.decode()
    assert Response.objects.filter(poll=poll).count() == 1


def test_missing_required_answer_reshows_the_form_naming_the_question_and_stores_nothing(questionnaire, office):
    services.add_question(
        questionnaire=questionnaire,
        section_title="满意度",
        code="S2",
        text="您对工会工作的意见建议",
        kind="short_text",
        actor=office,
    )
    poll = make_poll(questionnaire, office, tokens=1)
    token = poll.tokens.get()
    s2 = question(poll, "S2")
    page = answer(worker(), token_url(poll, token), {f"q{s2.pk}": "多组织文体活动"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "答卷尚未提交，请检查下方标红的题目。" in html
    s1 = question(poll, "S1")
    error = re.search(rf'id="error-q{s1.pk}" role="alert">([^<]+)<', html).group(1)
    assert error.startswith("第 S1 题“您对本单位工会工作的总体评价”") and "为必答题" in error
    assert f'id="error-q{s2.pk}"' not in html
    assert 'value="多组织文体活动"' in html  # the answer given is kept
    assert not Response.objects.filter(poll=poll).exists()
    assert PollToken.objects.get(pk=token.pk).used_at is None


def test_an_answer_that_is_not_an_option_is_refused_naming_the_question(questionnaire, office):
    poll = make_poll(questionnaire, office, tokens=1)
    page = answer(worker(), token_url(poll, poll.tokens.get()), {f"q{question(poll).pk}": "great"})
    assert page.status_code == 200
    assert "第 S1 题“您对本单位工会工作的总体评价”" in page.content.decode()
    assert not Response.objects.filter(poll=poll).exists()


def test_a_post_without_csrf_token_is_rejected(questionnaire, office):
    poll = make_poll(questionnaire, office, tokens=1)
    token = poll.tokens.get()
    phone = worker()
    phone.get(token_url(poll, token))
    assert phone.post(token_url(poll, token), {f"q{question(poll).pk}": "satisfied"}).status_code == 403
    assert not Response.objects.filter(poll=poll).exists()


def test_show_if_question_is_hidden_until_its_condition_is_answered(office):
    q = services.create_questionnaire(title="职工之家测评", owner_unit=office.org_unit, actor=office, kind="worker")
    services.add_question(
        questionnaire=q,
        section_title="服务",
        code="A1",
        text="是否去过职工之家",
        kind="single",
        options=[("去过", None), ("没去过", None)],
        actor=office,
    )
    services.add_question(
        questionnaire=q,
        section_title="服务",
        code="A2",
        text="对职工之家的评价",
        kind="satisfaction",
        show_if=("A1", "去过"),
        actor=office,
    )
    poll = make_poll(q, office, tokens=2)
    a1, a2 = question(poll, "A1"), question(poll, "A2")
    first, second = poll.tokens.order_by("id")

    # The page's script hides A2 until A1 is answered 去过; the server applies the same rule.
    page = Client().get(token_url(poll, first)).content.decode()
    went_option = a1.options.get(label="去过")
    assert f'data-code="A2" data-show-if-question="{a1.pk}" data-show-if-option="{went_option.pk}"' in page
    assert "/static/qingdan/showif.js" in page

    went = answer(worker(), token_url(poll, first), {f"q{a1.pk}": "o1", f"q{a2.pk}": "satisfied"})
    assert went.status_code == 302
    skipped = answer(worker(), token_url(poll, second), {f"q{a1.pk}": "o2"})
    assert skipped.status_code == 302
    assert Answer.objects.filter(response__poll=poll, question=a2).count() == 1


# --- the office's pages ---------------------------------------------------------------------


def test_office_creates_a_token_poll_from_the_form(questionnaire, office, dept_a, client_for):
    client = client_for(office)
    form = client.get(f"/surveys/q/{questionnaire.pk}/polls/new/")
    assert form.status_code == 200
    assert "发起职工测评" in form.content.decode()
    closes = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    sent = client.post(
        f"/surveys/q/{questionnaire.pk}/polls/new/",
        {
            "title": "交通运输局职工测评",
            "subject_unit": dept_a.pk,
            "mode": "tokens",
            "token_count": 25,
            "closes_at": closes,
        },
    )
    poll = Poll.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/surveys/polls/{poll.pk}/"
    assert (poll.subject_unit, poll.mode, poll.tokens.count()) == (dept_a, PollMode.TOKENS, 25)
    detail = client.get(sent["Location"]).content.decode()
    assert "测评“交通运输局职工测评”已创建。" in detail
    assert 'data-testid="poll-tokens">0 / 25<' in detail


def test_office_creates_an_open_poll_and_sees_its_link(opinion, office, client_for):
    client = client_for(office)
    closes = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        f"/surveys/q/{opinion.pk}/polls/new/",
        {"title": "公开测评", "subject_unit": office.org_unit.pk, "mode": "open", "cap": 300, "closes_at": closes},
    )
    poll = Poll.objects.get()
    assert poll.cap == 300
    detail = client.get(f"/surveys/polls/{poll.pk}/").content.decode()
    assert f"http://testserver/p/{poll.slug}/" in detail
    assert 'data-testid="poll-cap">0 / 300<' in detail
    printed = client.get(f"/surveys/polls/{poll.pk}/print/").content.decode()
    assert printed.count('<svg viewBox="0 0 ') == 1
    assert f"http://testserver/p/{poll.slug}/" in printed


def test_a_refused_poll_shows_the_reason_and_creates_nothing(questionnaire, opinion, office, client_for):
    client = client_for(office)
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page = client.post(
        f"/surveys/q/{questionnaire.pk}/polls/new/",
        {"title": "测评", "subject_unit": office.org_unit.pk, "mode": "tokens", "token_count": 5, "closes_at": past},
    )
    assert page.status_code == 200
    assert "截止时间已过。" in page.content.decode()
    missing_cap = client.post(
        f"/surveys/q/{opinion.pk}/polls/new/",
        {"title": "测评", "subject_unit": office.org_unit.pk, "mode": "open", "closes_at": past},
    )
    assert "请填写公开链接的答卷上限。" in missing_cap.content.decode()
    assert not Poll.objects.exists()


def test_subject_unit_must_be_in_the_office_subtree(questionnaire, office, dept_b, client_for):
    closes = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    page = client_for(office).post(
        f"/surveys/q/{questionnaire.pk}/polls/new/",
        {"title": "测评", "subject_unit": dept_b.pk, "mode": "tokens", "token_count": 5, "closes_at": closes},
    )
    assert page.status_code == 200
    assert not Poll.objects.exists()


def test_poll_list_shows_the_polls_in_a_fixed_number_of_queries(questionnaire, opinion, office, client_for):
    client = client_for(office)
    make_poll(questionnaire, office, tokens=3)
    client.get("/surveys/polls/")
    with CaptureQueriesContext(connection) as few:
        client.get("/surveys/polls/")
    for _ in range(4):
        make_poll(opinion, office, mode=PollMode.OPEN, cap=50)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/surveys/polls/")
    assert len(many) == len(few)
    html = page.content.decode()
    assert html.count("2026年职工满意度测评") == 5
    assert "0 / 3" in html and "0 / 50" in html and "一次性链接" in html


def test_print_page_has_one_svg_qr_per_unused_token(questionnaire, office, client_for):
    poll = make_poll(questionnaire, office, tokens=5)
    tokens = list(poll.tokens.order_by("id"))
    for token in tokens[:2]:
        answer(worker(), token_url(poll, token), {f"q{question(poll).pk}": "satisfied"})

    page = client_for(office).get(f"/surveys/polls/{poll.pk}/print/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('<svg viewBox="0 0 ') == 3
    assert html.count('data-testid="qr"') == 3
    for token in tokens[2:]:
        assert f"http://testserver/p/{poll.slug}/{token.token}/" in html
    for token in tokens[:2]:
        assert token.token not in html
    assert "@page { size: A4" in html
    # Only the print button's script, served by the app; no other address than the links themselves.
    assert re.findall(r'<script src="([^"]+)"', html) == ["/static/qingdan/actions.js"]
    assert "http://" not in re.sub(r"http://testserver/p/[^<\" ]+", "", html)


def test_links_download_lists_every_token_with_its_state(questionnaire, office, client_for):
    poll = make_poll(questionnaire, office, tokens=3)
    first = poll.tokens.order_by("id").first()
    answer(worker(), token_url(poll, first), {f"q{question(poll).pk}": "satisfied"})
    download = client_for(office).get(f"/surveys/polls/{poll.pk}/links.xlsx")
    assert download.status_code == 200
    rows = list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("序号", "链接", "状态", "使用时间")
    assert len(rows) == 4
    assert rows[1][1] == f"http://testserver/p/{poll.slug}/{first.token}/"
    assert rows[1][2] == "已使用" and rows[2][2] == "未使用"


@pytest.mark.parametrize("suffix", ["", "print/", "links.xlsx"])
def test_other_county_office_gets_404_on_poll_pages(questionnaire, office, outsider, client_for, suffix):
    poll = make_poll(questionnaire, office, tokens=2)
    assert client_for(outsider).get(f"/surveys/polls/{poll.pk}/{suffix}").status_code == 404


def test_other_county_office_cannot_start_a_poll_on_our_questionnaire(questionnaire, outsider, client_for):
    client = client_for(outsider)
    assert client.get(f"/surveys/q/{questionnaire.pk}/polls/new/").status_code == 404
    assert client.get(f"/surveys/polls/new/?questionnaire={questionnaire.pk}").status_code == 404
    assert "职工满意度测评问卷" not in client.get("/surveys/polls/").content.decode()


def test_other_county_office_does_not_see_our_polls_in_the_list(questionnaire, office, outsider, client_for):
    make_poll(questionnaire, office, tokens=1)
    page = client_for(outsider).get("/surveys/polls/").content.decode()
    assert "2026年职工满意度测评" not in page
    assert "暂无职工测评。" in page


def test_a_reporter_may_not_open_the_office_poll_pages(questionnaire, office, reporter, client_for):
    poll = make_poll(questionnaire, office, tokens=1)
    assert client_for(reporter).get(f"/surveys/polls/{poll.pk}/").status_code == 403
