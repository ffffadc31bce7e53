from datetime import timedelta

import pytest

from checklists import services
from orgs.models import Role
from orgs.tests.factories import OrgUnitFactory, UserFactory
from qingdan import clock
from surveys.tests.conftest import questionnaire  # noqa: F401 - a survey whose findings become problem lists


@pytest.fixture
def evaluator(county_a):
    unit = OrgUnitFactory(code="A-Q3", name="第三方评估组", parent=county_a)
    return UserFactory(username="evaluator", org_unit=unit, roles=[Role.EVALUATOR])


@pytest.fixture
def co_reporter(county_a):
    unit = OrgUnitFactory(code="A-D2", name="县人社局", parent=county_a)
    return UserFactory(username="co-reporter", org_unit=unit, roles=[Role.REPORTER])


@pytest.fixture
def checklist(office, dept_a, co_reporter):
    county_a = office.org_unit
    county_a.document_prefix = "滨产改办"
    county_a.save(update_fields=["document_prefix"])
    office.org_unit.refresh_from_db()
    today = clock.today()
    return services.issue_checklist(
        actor=office,
        responsible_unit=dept_a,
        title="技术工人队伍建设责任清单",
        doc_number="滨产改办〔2026〕3号",
        co_units=[co_reporter.org_unit],
        items=[
            {
                "content": "改善技术人才居住条件",
                "standard": "人才公寓改造完成并入住",
                "deadline": today + timedelta(days=30),
            },
            {
                "content": "开展职工技能竞赛",
                "standard": "全年不少于2场",
                "deadline": today + timedelta(days=10),
                "deep_review_required": True,
            },
        ],
    )


@pytest.fixture
def item(checklist):
    return checklist.items.get(position=1)


@pytest.fixture
def deep_item(checklist):
    return checklist.items.get(position=2)


@pytest.fixture(autouse=True)
def _kept_figures_match_the_records(kept_figures_checked):
    """Every test here ends with the kept figures equal to the records (``kept_figures_checked``)."""
