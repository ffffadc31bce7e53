import pytest
from django.core.management import call_command

from checklists.demo import close_out_rate
from checklists.models import Checklist, Item, ItemStatus
from orgs.models import OrgUnit, User
from orgs.queries import subtree
from surveys import stats
from surveys.demo import POLL_TITLE, TITLE
from surveys.models import Poll, Questionnaire, ResponseStatus

pytestmark = pytest.mark.django_db


def test_demo_loads_twice_with_the_same_result(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "office" in out and "Qingdan@2026" in out
    call_command("load_demo")
    binhai = OrgUnit.objects.get(name="滨海县总工会")
    assert subtree(binhai).count() - 1 == 86  # the units that receive lists in seed 000
    assert (
        User.objects.filter(
            username__in=[
                "admin",
                "security",
                "auditor",
                "office",
                "reporter",
                "reviewer",
                "evaluator",
                "leader",
                "office2",
            ]
        ).count()
        == 9
    )
    assert User.objects.get(username="office2").org_unit.name == "临河县总工会"
    survey = Questionnaire.objects.get(title=TITLE)
    distribution = survey.distributions.get()
    statuses = list(distribution.targets.values_list("status", flat=True))
    assert len(statuses) == 33 and statuses.count(ResponseStatus.SUBMITTED) == 23
    lists = Checklist.objects.filter(issuing_unit=binhai)
    assert lists.count() == 127 and lists.values("responsible_unit").distinct().count() == 86
    assert 0.89 <= close_out_rate() <= 0.93
    assert set(Item.objects.values_list("status", flat=True)) == set(ItemStatus)
    assert Item.objects.filter(urgings__gt=0).exists()
    poll = Poll.objects.get(title=POLL_TITLE)
    question = poll.questionnaire.questions.get(code="S1")
    rate = stats.satisfaction_rate(stats.final_responses(poll.questionnaire, poll=poll), question)
    assert rate == pytest.approx(17 / 20)
