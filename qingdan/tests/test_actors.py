"""The platform acts as ``SYSTEM``, explicitly; a missing actor is refused like anyone without the right."""

import ast
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from qingdan import clock
from qingdan.actors import SYSTEM, person
from qingdan.errors import Refused
from qingdan.tests.test_clock import ROOT, product_modules


def test_no_product_code_passes_a_missing_actor():
    offenders = [
        f"{module}:{node.lineno}"
        for module in product_modules()
        for node in ast.walk(ast.parse((ROOT / module).read_text(encoding="utf-8")))
        if isinstance(node, ast.keyword)
        and node.arg == "actor"
        and isinstance(node.value, ast.Constant)
        and node.value.value is None
    ]
    assert offenders == []


def test_the_system_is_recorded_as_nobody():
    assert person(SYSTEM) is None and not SYSTEM.has_role("office") and SYSTEM.org_unit is None


@pytest.mark.django_db
def test_a_missing_actor_is_refused_everywhere(office, dept_a):
    from checklists import services, workflow
    from orgs import services as org_services
    from orgs.models import Role
    from surveys import services as survey_services

    with pytest.raises(PermissionDenied):
        org_services.set_roles(user=office, roles=[Role.LEADER], actor=None)
    with pytest.raises(Refused, match="只有督办人员"):
        services.issue_checklist(actor=None, responsible_unit=dept_a, title="无人下达", items=[])
    checklist = services.issue_checklist(
        actor=office,
        responsible_unit=dept_a,
        title="清单",
        items=[{"content": "事项", "deadline": clock.today() + timedelta(days=30)}],
    )
    item = checklist.items.get()
    with pytest.raises(Refused, match="不允许"):
        workflow.apply_for_closeout(item=item, actor=None, report="无人申请")
    questionnaire = survey_services.create_questionnaire(title="问卷", owner_unit=office.org_unit, actor=office)
    survey_services.add_question(
        questionnaire=questionnaire, section_title="基本情况", code="Q1", text="会员人数", kind="number", actor=office
    )
    with pytest.raises(Refused, match="不允许此操作"):
        survey_services.distribute(
            questionnaire=questionnaire,
            title="问卷",
            units=[dept_a],
            actor=None,
            opens_on=clock.today(),
            closes_on=clock.today() + timedelta(days=9),
        )
