import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from orgs.models import Role
from orgs.tests.factories import UserFactory
from qingdan import clock
from surveys import services
from surveys.models import Finding

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(questionnaire, office, dept_a, county_a):
    """Two units answer the small questionnaire: dept_a (yes, rating 5) and a town (no, rating 1)."""
    from orgs.tests.factories import OrgUnitFactory

    town = OrgUnitFactory(code="A-T1", name="东坎街道工会", parent=county_a)
    today = clock.today()
    distribution = services.distribute(
        questionnaire=questionnaire,
        title="2026年调查",
        units=[dept_a, town],
        opens_on=today,
        closes_on=today + timedelta(days=10),
        actor=office,
    )
    q = {x.code: x for x in questionnaire.questions.all()}
    answers = {
        dept_a: {q["Q1"].pk: ["o1"], q["Q3"].pk: ["5"], q["Q4"].pk: ["120"], q["Q5"].pk: ["o1", "o2"]},
        town: {q["Q1"].pk: ["o2"], q["Q2"].pk: ["没有编制"], q["Q3"].pk: ["1"], q["Q4"].pk: ["30"]},
    }
    for target in distribution.targets.all():
        reporter = UserFactory(org_unit=target.org_unit, roles=[Role.REPORTER])
        services.save_unit_response(
            target=target, raw=answers[target.org_unit], actor=reporter, submit=True, version=target.version
        )
    return distribution


def test_statistics_page_shows_counts_scores_and_text(client_for, office, questionnaire, answered):
    page = client_for(office).get(f"/surveys/q/{questionnaire.pk}/stats/?distribution={answered.pk}").content.decode()
    assert 'data-testid="response-count">2<' in page
    assert 'data-testid="completeness">100.0%<' in page
    # 人员配备: Q1 yes=100, no=0 → 50.0; 阵地服务: ratings 5 and 1 → 100 and 0 → 50.0
    assert page.count('data-testid="dimension-score">50.0<') == 2
    assert "没有编制" in page
    assert "1 · 50.0%" in page  # one unit of two picked 是


def test_the_score_by_unit_chart_shows_the_lowest_first(client_for, office, questionnaire, answered):
    """The town (no, rating 1: 0 points) comes before the department (100 points); the table keeps the ranking."""
    response = client_for(office).get(f"/surveys/q/{questionnaire.pk}/stats/?distribution={answered.pk}")
    units = response.context["charts"]["units"]
    assert units == {"names": ["东坎街道工会", "县交通运输局"], "values": [0.0, 100.0]}
    assert [row["unit"].name for row in response.context["unit_rows"]] == ["县交通运输局", "东坎街道工会"]
    assert 'data-testid="chart-toggle"' not in response.content.decode()  # two units: nothing to hide


def test_statistics_exports_follow_the_scope(client_for, office, questionnaire, answered):
    client = client_for(office)
    response = client.get(f"/surveys/q/{questionnaire.pk}/stats/responses/?distribution={answered.pk}")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("填报单位", "已提交", "Q1") and len(rows) == 3
    assert {r[0] for r in rows[1:]} == {"县交通运输局", "东坎街道工会"}
    stats_book = load_workbook(io.BytesIO(client.get(f"/surveys/q/{questionnaire.pk}/stats/export/").content))
    assert [r for r in stats_book.worksheets[1].iter_rows(values_only=True)][1] == ("人员配备", 50)


def test_statistics_of_another_county_are_404(client_for, outsider, questionnaire, answered):
    client = client_for(outsider)
    for url in (
        f"/surveys/q/{questionnaire.pk}/stats/",
        f"/surveys/q/{questionnaire.pk}/stats/export/",
        f"/surveys/q/{questionnaire.pk}/findings/",
    ):
        assert client.get(url).status_code == 404


def test_a_distribution_of_another_questionnaire_is_404(client_for, office, questionnaire, answered):
    other = services.create_questionnaire(title="另一份", owner_unit=office.org_unit, actor=office)
    assert client_for(office).get(f"/surveys/q/{other.pk}/stats/?distribution={answered.pk}").status_code == 404
    assert client_for(office).get(f"/surveys/q/{other.pk}/stats/?distribution=abc").status_code == 404


def test_reporter_cannot_read_statistics(client_for, reporter, questionnaire):
    assert client_for(reporter).get(f"/surveys/q/{questionnaire.pk}/stats/").status_code == 403


def test_leader_reads_statistics_but_cannot_record_findings(client_for, leader, questionnaire, answered):
    client = client_for(leader)
    assert client.get(f"/surveys/q/{questionnaire.pk}/stats/").status_code == 200
    page = client.post(f"/surveys/q/{questionnaire.pk}/findings/", {"note": "x"}, follow=True).content.decode()
    assert "只有督办人员可以记录问题。" in page and not Finding.objects.exists()


def test_office_records_a_finding_with_a_suggested_unit(client_for, office, questionnaire, answered, dept_a):
    q1 = questionnaire.questions.get(code="Q1")
    client = client_for(office)
    response = client.post(
        f"/surveys/q/{questionnaire.pk}/findings/",
        {
            "question": q1.pk,
            "distribution": answered.pk,
            "note": "部分单位未配备专职工会干部",
            "suggested_unit": dept_a.pk,
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert (finding.question, finding.suggested_unit, finding.distribution) == (q1, dept_a, answered)
    page = client.get(f"/surveys/q/{questionnaire.pk}/findings/").content.decode()
    assert "部分单位未配备专职工会干部" in page and "县交通运输局" in page


def test_an_empty_finding_is_refused(client_for, office, questionnaire):
    page = client_for(office).post(f"/surveys/q/{questionnaire.pk}/findings/", {"note": "  "}).content.decode()
    assert "这个字段是必填项。" in page and not Finding.objects.exists()


def test_a_finding_cannot_suggest_a_unit_of_another_county(client_for, office, questionnaire, dept_b):
    client_for(office).post(f"/surveys/q/{questionnaire.pk}/findings/", {"note": "问题", "suggested_unit": dept_b.pk})
    assert not Finding.objects.exists()
