"""Poll stuffing: a poll that decides something (a satisfaction question: the close-out and the assessment count it)
takes one answer per worker by construction, through one-time links; an open link, one answer per phone by a cookie
a script throws away, is for opinions and counts towards nothing."""

import json
import re
from datetime import timedelta

import pytest

from checklists.workflow import satisfaction_questionnaire
from qingdan import clock, metrics
from qingdan.errors import Refused
from surveys import services, stats
from surveys.models import Poll, PollMode

pytestmark = pytest.mark.django_db


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
        services.submit_poll_response(poll=poll, raw=raw, device_id=f"device-{n:012d}")
    assert stats.final_responses(satisfaction, poll=poll).count() == 5
    assert not stats.counted_poll_responses(poll).exists()
    today = clock.today()

    def counted():
        return metrics.get("satisfaction_rate")([county_a], today, today + timedelta(days=1))[county_a.pk].denominator

    assert counted() == 0
    Poll.objects.filter(pk=poll.pk).update(mode=PollMode.TOKENS)  # the same answers through one-time links count
    assert counted() == 5
