"""A leader reads the survey distributions and the worker polls, as they read the questionnaires and their
statistics, and acts on none of them: distributing, reminding, sending back and handing out poll links stay
with the office."""

from datetime import timedelta

import pytest

from qingdan import clock
from surveys import services
from surveys.models import ResponseStatus, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def distribution(questionnaire, office, dept_a):
    made = services.distribute(
        questionnaire=questionnaire,
        title="年中调查",
        units=[dept_a],
        opens_on=clock.today() - timedelta(days=5),
        closes_on=clock.today() + timedelta(days=5),
        actor=office,
    )
    Target.objects.filter(distribution=made).update(status=ResponseStatus.SUBMITTED)
    return made


@pytest.fixture
def poll(opinion, office, dept_a):
    return services.create_poll(
        questionnaire=opinion,
        title="职工活动意见征集",
        subject_unit=dept_a,
        closes_at=clock.now() + timedelta(days=3),
        actor=office,
        token_count=3,
    )


def test_the_leader_reads_the_distributions_without_their_actions(client_for, leader, distribution):
    client = client_for(leader)
    target = distribution.targets.get()
    listing = client.get("/surveys/distributions/")
    assert listing.status_code == 200 and "年中调查" in listing.content.decode()
    assert "/surveys/distributions/new/" not in listing.content.decode()  # no 下发 form
    detail = client.get(f"/surveys/distributions/{distribution.pk}/")
    page = detail.content.decode()
    assert detail.status_code == 200 and "县交通运输局" in page
    assert "/remind/" not in page and "/return/" not in page
    response = client.get(f"/surveys/distributions/{distribution.pk}/responses/{target.pk}/")
    assert response.status_code == 200 and "/return/" not in response.content.decode()
    assert client.get(f"/surveys/distributions/{distribution.pk}/units.xlsx").status_code == 200


def test_the_leader_is_refused_every_distribution_action(client_for, leader, distribution, questionnaire):
    client = client_for(leader)
    target = distribution.targets.get()
    assert client.get(f"/surveys/distributions/new/?questionnaire={questionnaire.pk}").status_code == 403
    assert client.get(f"/surveys/q/{questionnaire.pk}/distribute/").status_code == 403
    assert client.post(f"/surveys/distributions/{distribution.pk}/remind/").status_code == 403
    returned = client.post(f"/surveys/distributions/{distribution.pk}/responses/{target.pk}/return/", {"reason": "x"})
    assert returned.status_code == 403
    target.refresh_from_db()
    assert target.status == ResponseStatus.SUBMITTED


def test_the_leader_reads_the_polls_without_their_links(client_for, leader, poll, opinion):
    client = client_for(leader)
    listing = client.get("/surveys/polls/")
    assert listing.status_code == 200 and "职工活动意见征集" in listing.content.decode()
    assert "/surveys/polls/new/" not in listing.content.decode()
    detail = client.get(f"/surveys/polls/{poll.pk}/")
    page = detail.content.decode()
    assert detail.status_code == 200
    assert f"/surveys/polls/{poll.pk}/print/" not in page and f"/surveys/polls/{poll.pk}/links.xlsx" not in page
    assert client.get(f"/surveys/polls/{poll.pk}/print/").status_code == 403
    assert client.get(f"/surveys/polls/{poll.pk}/links.xlsx").status_code == 403
    assert client.get(f"/surveys/polls/new/?questionnaire={opinion.pk}").status_code == 403
    assert client.get(f"/surveys/q/{opinion.pk}/polls/new/").status_code == 403


def test_the_office_keeps_its_actions(client_for, office, distribution, poll):
    page = client_for(office).get(f"/surveys/distributions/{distribution.pk}/").content.decode()
    assert "/return/" in page
    page = client_for(office).get(f"/surveys/polls/{poll.pk}/").content.decode()
    assert f"/surveys/polls/{poll.pk}/print/" in page


def test_the_leader_finds_both_pages_in_the_menu(client_for, leader):
    page = client_for(leader).get("/").content.decode()
    assert 'href="/surveys/distributions/"' in page and 'href="/surveys/polls/"' in page
