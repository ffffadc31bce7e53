"""A worker answers a satisfaction poll on a phone from a one-time link (no log-in)."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from qingdan import clock
from tests.test_phone import PHONE, page_overflow


@pytest.fixture
def poll(demo):
    """A satisfaction poll of 滨海县总工会 with three one-time links, built as the office would."""
    from orgs.models import User
    from surveys import services

    office = User.objects.get(username="office")
    questionnaire = services.create_questionnaire(
        title="职工满意度测评问卷", owner_unit=office.org_unit, actor=office, kind="worker"
    )
    services.add_question(
        questionnaire=questionnaire,
        section_title="满意度",
        code="S1",
        text="您对本单位工会工作的总体评价",
        kind="satisfaction",
        actor=office,
    )
    services.add_question(
        questionnaire=questionnaire,
        section_title="满意度",
        code="S2",
        text="您对工会工作还有什么意见和建议？",
        kind="long_text",
        required=False,
        actor=office,
    )
    return services.create_poll(
        questionnaire=questionnaire,
        title="2026年职工满意度测评",
        subject_unit=office.org_unit,
        closes_at=clock.now() + timedelta(days=7),
        actor=office,
        token_count=3,
    )


@pytest.mark.browser_context_args(**PHONE)
def test_worker_answers_a_poll_on_a_phone_and_the_link_then_refuses_a_second_answer(
    page: Page, live_server, poll, screenshots_dir
):
    from surveys.models import Response

    token = poll.tokens.order_by("id").first()
    s1 = poll.questionnaire.questions.get(code="S1")
    link = f"{live_server.url}/p/{poll.slug}/{token.token}/"
    page.goto(link)

    expect(page.get_by_role("heading", level=1)).to_have_text("2026年职工满意度测评")
    expect(page.locator('fieldset[data-code="S1"]')).to_contain_text("您对本单位工会工作的总体评价")
    assert page.evaluate("window.innerWidth") == 390
    assert page_overflow(page) <= 0, "the poll page scrolls sideways on a phone"
    # Large touch targets: every choice is at least 44 CSS pixels high.
    for box in page.locator(".qd-choice").all():
        assert box.bounding_box()["height"] >= 44

    # Sending without the required answer names the question and keeps the page.
    page.get_by_role("button", name="提交").tap()
    expect(page.locator(f"#error-q{s1.pk}")).to_have_text(
        re.compile(r"^第 S1 题“您对本单位工会工作的总体评价” ?为必答题")
    )
    assert Response.objects.filter(poll=poll).count() == 0

    page.get_by_label("满意", exact=True).tap()
    expect(page.get_by_label("满意", exact=True)).to_be_checked()
    page.get_by_role("textbox", name="您对工会工作还有什么意见和建议？").fill("希望多组织职工文体活动。")
    page.screenshot(path=screenshots_dir / "poll-phone.png", full_page=True)
    page.get_by_role("button", name="提交").tap()

    expect(page).to_have_url(f"{live_server.url}/p/{poll.slug}/thanks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("提交成功，感谢您的参与！")
    expect(page.get_by_test_id("poll-thanks")).to_contain_text("您对“2026年职工满意度测评”的答卷已收到。")
    assert page_overflow(page) <= 0, "the thank-you page scrolls sideways on a phone"
    page.screenshot(path=screenshots_dir / "poll-phone-thanks.png", full_page=True)

    # The same link again (e.g. the QR code scanned twice): a clear refusal, no second form.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("无法参加本次测评")
    expect(page.get_by_test_id("poll-refused-reason")).to_have_text("该链接已提交过答卷，每个链接只能作答一次。")
    expect(page.locator("form#poll-form")).to_have_count(0)
    page.screenshot(path=screenshots_dir / "poll-phone-refused.png", full_page=True)

    response = Response.objects.get(poll=poll)
    assert response.token_id == token.pk
    assert sorted(response.answers.values_list("question__code", flat=True)) == ["S1", "S2"]
