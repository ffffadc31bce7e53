"""The results pages: the sortable table with its cards and charts, one unit's result, the drill-down
from a score to the records behind it, the office's adjustment, and who sees what."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext as _

from checklists import services
from checklists import workflow as closeout
from checklists.models import Document, DocumentKind
from evidence import services as library
from orgs.models import OrgKind, Role
from orgs.tests.factories import OrgUnitFactory, UserFactory
from qingdan import clock, metrics
from qingdan.metrics import Value
from scoring import drill, events, explain, workflow
from scoring.models import Criterion, EventKind, Kind, Level, Score, ScoreChange, Stage
from scoring.tests.conftest import build_rubric
from scoring.views_results import _regions

URGED = "未按要求报告督办事项"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def zh(text, **values):
    """What the page says in Chinese once the catalogue has this file's strings (English until then)."""
    with translation.override("zh-hans"):
        return _(text) % values if values else _(text)


@pytest.fixture
def units(county_a, dept_a):
    county_a.document_prefix = "滨总"
    county_a.save(update_fields=["document_prefix"])
    return [
        dept_a,
        OrgUnitFactory(code="A-D2", name="县人社局", kind=OrgKind.DEPARTMENT, parent=county_a),
        OrgUnitFactory(code="A-D3", name="县教育局", kind=OrgKind.DEPARTMENT, parent=county_a),
    ]


@pytest.fixture
def rubric(office):
    return build_rubric(
        office,
        [
            ("业务工作", 60, [{"name": "清单销号率", "kind": "ratio", "max_points": 60, "metric": "close_out_rate"}]),
            ("党的建设", 40, [{"name": "理论学习", "kind": "manual", "max_points": 40}]),
            {
                "name": "扣分项目",
                "points": 0,
                "floor": -20,
                "criteria": [
                    {
                        "name": URGED,
                        "description": "每次扣2分",
                        "kind": "per_occurrence",
                        "points_each": -2,
                        "metric": "urgings_received",
                    }
                ],
            },
        ],
        name="县直单位目标考核办法",
    )


def _period():
    today = clock.today()
    return today - timedelta(days=90), today


def _issue(office, unit, *, overdue, upcoming):
    today = clock.today()
    return services.issue_checklist(
        actor=office,
        responsible_unit=unit,
        title=f"{unit.name}责任清单",
        issued_on=today - timedelta(days=60),
        items=[{"content": f"逾期事项{k}", "deadline": today - timedelta(days=10)} for k in range(overdue)]
        + [{"content": f"在办事项{k}", "deadline": today + timedelta(days=20)} for k in range(upcoming)],
    )


@pytest.fixture
def records(office, reporter, reviewer, units):
    """dept_a: 4 items, 1 closed, 2 urged (−4); 县人社局: 2 items, 1 urged (−2); 县教育局: 1 item, closed."""
    dept_a, d2, d3 = units
    lists = {
        dept_a: _issue(office, dept_a, overdue=2, upcoming=2),
        d2: _issue(office, d2, overdue=1, upcoming=1),
        d3: _issue(office, d3, overdue=0, upcoming=1),
    }
    for unit in (dept_a, d2):
        for item in lists[unit].items.filter(content__startswith="逾期"):
            closeout.urge(item=item, actor=office)
    for unit in (dept_a, d3):
        item = lists[unit].items.filter(content__startswith="在办").order_by("position").first()
        applicant = reporter if unit == dept_a else UserFactory(org_unit=unit, roles=[Role.REPORTER])
        item = closeout.apply_for_closeout(item=item, actor=applicant, report="已完成。")
        closeout.verify(item=item, actor=reviewer, passed=True, opinion="验收通过。")
    return lists


def _manual(round, unit):
    return Score.objects.get(round=round, unit=unit, criterion__kind=Kind.MANUAL)


@pytest.fixture
def open_round(office, reporter, reviewer, rubric, units, records):
    start, end = _period()
    round = workflow.create_round(
        actor=office, rubric=rubric, name="2026年度县直单位目标考核", period_start=start, period_end=end, units=units
    )
    round = workflow.open_self_assessment(round=round, actor=office)
    workflow.self_assess(score=_manual(round, units[0]), actor=reporter, reason="全年学习12次。", points=36)
    for unit, given in zip(units[1:], (30, 38), strict=True):
        workflow.review(score=_manual(round, unit), actor=reviewer, reason="按台账核定。", points=given)
    round.refresh_from_db()
    return round


@pytest.fixture
def published(office, open_round):
    workflow.start_review(round=open_round, actor=office)
    round = workflow.publish(round=open_round, actor=office)
    round.refresh_from_db()
    return round


def _urging_score(round, unit):
    return Score.objects.get(round=round, unit=unit, criterion__name=URGED)


def _row_units(text):
    return [int(pk) for pk in re.findall(r'data-testid="result-row" data-unit="(\d+)"', text)]


# ---------------------------------------------------------------------------- the table


def test_the_table_sorts_by_total_both_ways_from_the_total_header(client_for, office, published, units):
    dept_a, d2, d3 = units
    client = client_for(office)
    totals = {r.unit_id: r.total for r in published.results.all()}
    # 销号率: 1/4 × 60 = 15, 0/2 = 0, 1/1 = 60; 理论学习 36, 30, 38; 扣分 −4, −2, 0.
    assert totals == {dept_a.pk: Decimal("47.00"), d2.pk: Decimal("28.00"), d3.pk: Decimal("98.00")}

    page = client.get(f"/assessment/rounds/{published.pk}/results/").content.decode()
    assert _row_units(page) == [d3.pk, dept_a.pk, d2.pk]  # rank order by default
    header = re.search(r'<a href="\?([^"]*)"[^>]*data-testid="sort-total"', page)
    assert header is not None and header.group(1) == "sort=-total"  # the visible “sort by score” on 总分

    highest = client.get(f"/assessment/rounds/{published.pk}/results/", {"sort": "-total"}).content.decode()
    assert _row_units(highest) == [d3.pk, dept_a.pk, d2.pk]
    assert 'href="?sort=total"' in highest  # clicking again turns it round
    lowest = client.get(f"/assessment/rounds/{published.pk}/results/", {"sort": "total"}).content.decode()
    assert _row_units(lowest) == [d2.pk, dept_a.pk, d3.pk]


def test_columns_sort_by_unit_rank_and_section_and_ignore_unknown_keys(client_for, office, published, units, rubric):
    dept_a, d2, d3 = units
    client = client_for(office)
    url = f"/assessment/rounds/{published.pk}/results/"
    deductions = rubric.sections.get(name="扣分项目")
    by_deduction = client.get(url, {"sort": f"s{deductions.pk}"}).content.decode()
    assert _row_units(by_deduction) == [dept_a.pk, d2.pk, d3.pk]  # −4, −2, 0
    assert _row_units(client.get(url, {"sort": f"-s{deductions.pk}"}).content.decode()) == [d3.pk, d2.pk, dept_a.pk]
    assert _row_units(client.get(url, {"sort": "-rank"}).content.decode()) == [d2.pk, dept_a.pk, d3.pk]
    names = sorted(units, key=lambda u: u.name)
    assert _row_units(client.get(url, {"sort": "unit"}).content.decode()) == [u.pk for u in names]
    assert _row_units(client.get(url, {"sort": "-unit"}).content.decode()) == [u.pk for u in names[::-1]]
    assert _row_units(client.get(url, {"sort": "'; drop"}).content.decode()) == [d3.pk, dept_a.pk, d2.pk]


def test_cards_charts_and_grades_on_the_results_page(client_for, office, published, units):
    page = client_for(office).get(f"/assessment/rounds/{published.pk}/results/").content.decode()
    assert 'data-testid="card-units">3<' in page
    assert 'data-testid="card-mean">57.67<' in page  # (47 + 28 + 98) ÷ 3
    assert 'data-testid="card-excellent">1<' in page
    assert 'data-testid="card-vetoed">0<' in page
    assert 'data-grade="excellent">' + zh("Excellent") in page
    assert 'data-grade="fail">' + zh("Fail") in page
    assert 'id="chart-sections"' in page and '"series"' in page and "业务工作" in page
    assert "bulletin" in page and 'data-testid="unpublished"' not in page
    excellent = client_for(office).get(f"/assessment/rounds/{published.pk}/results/", {"grade": "excellent"})
    assert _row_units(excellent.content.decode()) == [units[2].pk]


def test_the_deduction_cell_leads_straight_to_the_urgings_counted(client_for, office, published, units, records):
    dept_a, d2, d3 = units
    client = client_for(office)
    page = client.get(f"/assessment/rounds/{published.pk}/results/").content.decode()
    score = _urging_score(published, dept_a)
    link = re.search(
        r'<a href="([^"]+)" class="text-danger" data-section="\d+" data-testid="deduction-link"[^>]*>−4\.00<', page
    )
    assert link is not None and link.group(1) == f"/assessment/scores/{score.pk}/"
    # A unit with no deduction has a plain cell leading to its page at that section.
    none_left = _urging_score(published, d3)
    assert f"/assessment/scores/{none_left.pk}/" not in page

    drill = client.get(link.group(1)).content.decode()
    urgings = Document.objects.filter(kind=DocumentKind.URGING, item__responsible_unit=dept_a)
    listed = re.findall(r'data-testid="record">.*?<a href="[^"]+">([^<]+)</a>', drill, re.S)
    assert sorted(text.split(" · ")[0] for text in listed) == sorted(d.number for d in urgings)
    assert len(listed) == 2 == score.numerator
    other = Document.objects.get(kind=DocumentKind.URGING, item__responsible_unit=d2)
    assert other.number not in drill
    with translation.override("zh-hans"):
        assert explain.computed_steps(score.criterion, score)[0] in drill
        assert _("%(n)s times") % {"n": 2} in drill
    assert "每次扣2分" in drill  # the criterion's standard
    assert 'data-testid="records-changed"' not in drill  # the records are those the points came from
    assert 'data-testid="records-more"' not in drill  # both urgings are listed, none left out


def test_one_units_result_shows_every_criterion_with_value_source_and_points(client_for, office, published, units):
    dept_a = units[0]
    page = client_for(office).get(f"/assessment/rounds/{published.pk}/units/{dept_a.pk}/").content.decode()
    assert page.count('data-testid="section-line"') == 3 and page.count('data-testid="criterion-line"') == 3
    assert "1 / 4 = 25.0%" in page
    assert zh("%(n)s times", n=2) in page
    assert 'data-testid="deduction">−4.00 <span class="small">' + zh("deduction") in page
    assert 'data-source="computed"' in page and 'data-source="self"' in page
    assert zh("lowest %(n)s", n="−20") in page  # the deductions' floor, with a real minus sign
    scores = Score.objects.filter(round=published, unit=dept_a)
    for score in scores:
        assert f"/assessment/scores/{score.pk}/" in page


def test_the_drill_down_of_a_ratio_shows_counted_and_denominator_records(client_for, office, published, units):
    score = Score.objects.get(round=published, unit=units[0], criterion__kind=Kind.RATIO)
    page = client_for(office).get(f"/assessment/scores/{score.pk}/").content.decode()
    assert page.count('data-testid="record"') == 4
    assert page.count(zh("only in the denominator")) == 3
    with translation.override("zh-hans"):
        assert explain.computed_steps(score.criterion, score) == [
            _("%(rate)s × %(max)s points = %(points)s points") % {"rate": "25.0%", "max": "60", "points": "15.00"}
        ]


def test_explanations_of_the_arithmetic():
    criterion = Criterion(kind=Kind.PER_OCCURRENCE, points_each=Decimal(3), cap=Decimal(5), name="批示")
    score = Score(numerator=3, computed=Decimal(5))
    ratio = Criterion(kind=Kind.RATIO, max_points=Decimal(10), name="销号率", metric="close_out_rate")
    with translation.override("en"):
        assert explain.computed_steps(criterion, score) == ["3 times × 3 points = 9 points, capped at 5 points"]
        deduction = Criterion(kind=Kind.PER_OCCURRENCE, points_each=Decimal(-2), name="督办")
        assert explain.computed_steps(deduction, Score(numerator=3)) == ["3 times × −2 points = −6 points"]
        assert explain.computed_steps(ratio, Score(numerator=45, denominator=50, computed=Decimal("9.00"))) == [
            "90.0% × 10 points = 9.00 points"
        ]
        assert explain.value_words(ratio, Score(numerator=45, denominator=50)) == "45 / 50 = 90.0%"
        tiered = Criterion(kind=Kind.TIERED, tiers=[{"from": "70", "points": "3"}, {"from": "60", "points": "2"}])
        assert explain.computed_steps(tiered, Score(numerator=13, denominator=20))[-1] == (
            "65.0% reaches the tier from 60%: 2 points"
        )


def test_regions_are_the_units_one_level_below_the_office(city, county_a, county_b):
    towns = [OrgUnitFactory(parent=county_a, kind=OrgKind.TOWN), OrgUnitFactory(parent=county_b, kind=OrgKind.TOWN)]
    grassroots = OrgUnitFactory(parent=towns[0], kind=OrgKind.GRASSROOTS)
    regions = _regions(city, [*towns, grassroots])
    assert regions == {towns[0].pk: county_a.pk, towns[1].pk: county_b.pk, grassroots.pk: county_a.pk}
    # Units directly below the office fall back to their parent unit.
    assert set(_regions(city, [county_a, county_b]).values()) == {city.pk}


# ---------------------------------------------------------------------------- adjustment


def test_the_office_adjusts_a_score_with_a_reason_and_the_history_shows_it(client_for, office, open_round, units):
    score = _urging_score(open_round, units[0])
    client = client_for(office)
    page = client.get(f"/assessment/scores/{score.pk}/").content.decode()
    assert 'data-testid="adjust"' in page and 'data-testid="amend-note"' not in page
    response = client.post(
        f"/assessment/scores/{score.pk}/adjust/",
        {"points": "-2", "reason": "一次督办系系统误发。", "version": score.version},
    )
    assert response.status_code == 302
    score.refresh_from_db()
    assert score.adjusted == Decimal("-2.00") and score.points == Decimal("-2.00")
    page = client.get(f"/assessment/scores/{score.pk}/").content.decode()
    assert "一次督办系系统误发。" in page and 'data-source="adjust"' in page
    assert "−4 → −2" in page.replace("-", "−")


def test_after_publication_an_adjustment_without_a_reason_is_refused_and_changes_nothing(
    client_for, office, published, units
):
    score = _urging_score(published, units[0])
    client = client_for(office)
    page = client.get(f"/assessment/scores/{score.pk}/").content.decode()
    assert 'data-testid="amend-note"' in page
    response = client.post(
        f"/assessment/scores/{score.pk}/adjust/", {"points": "0", "reason": " ", "version": score.version}
    )
    assert response.status_code == 200
    with translation.override("zh-hans"):
        assert _("The results are published: give the reason for this change.") in response.content.decode()
    score.refresh_from_db()
    assert score.adjusted is None and score.points == Decimal("-4.00")
    assert not ScoreChange.objects.filter(score=score).exists()

    client.post(
        f"/assessment/scores/{score.pk}/adjust/",
        {"points": "0", "reason": "督办事项已按时报告，系误录。", "version": score.version},
    )
    score.refresh_from_db()
    assert score.points == 0
    change = ScoreChange.objects.get(score=score)
    assert change.stage == Stage.AFTER_PUBLICATION and change.reason == "督办事项已按时报告，系误录。"
    assert published.results.get(unit=units[0]).total == Decimal("51.00")


def test_a_stale_adjustment_gets_the_conflict_message(client_for, office, open_round, units):
    score = _urging_score(open_round, units[0])
    response = client_for(office).post(
        f"/assessment/scores/{score.pk}/adjust/",
        {"points": "0", "reason": "理由", "version": score.version + 1},
        follow=True,
    )
    with translation.override("zh-hans"):
        assert _("The score changed since you read it; read it again and retry.") in (response.content.decode())
    score.refresh_from_db()
    assert score.adjusted is None


def test_reviewer_and_leader_may_not_adjust(client_for, reviewer, leader, open_round, units):
    score = _urging_score(open_round, units[0])
    for person in (reviewer, leader):
        client = client_for(person)
        assert 'data-testid="adjust"' not in client.get(f"/assessment/scores/{score.pk}/").content.decode()
        response = client.post(f"/assessment/scores/{score.pk}/adjust/", {"points": "0", "reason": "x", "version": 0})
        assert response.status_code == 403
    score.refresh_from_db()
    assert score.adjusted is None


# ---------------------------------------------------------------------------- who sees what


def _urls(round, unit, score):
    return [
        f"/assessment/rounds/{round.pk}/results/",
        f"/assessment/rounds/{round.pk}/results/charts/",
        f"/assessment/rounds/{round.pk}/results/export/",
        f"/assessment/rounds/{round.pk}/units/{unit.pk}/",
        f"/assessment/rounds/{round.pk}/bulletin/",
        f"/assessment/rounds/{round.pk}/bulletin/print/",
        f"/assessment/scores/{score.pk}/",
    ]


def test_the_other_county_gets_404_everywhere(client_for, outsider, published, units):
    client = client_for(outsider)
    score = _urging_score(published, units[0])
    for url in _urls(published, units[0], score):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/assessment/scores/{score.pk}/adjust/", {"points": "0", "reason": "x"}).status_code == 404


def test_anonymous_people_are_sent_to_log_in(client, published, units):
    for url in _urls(published, units[0], _urging_score(published, units[0])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_an_assessed_unit_sees_only_its_own_result_before_publication(client_for, reporter, office, open_round, units):
    dept_a, d2, _d3 = units
    client = client_for(reporter)
    page = client.get(f"/assessment/rounds/{open_round.pk}/results/").content.decode()
    assert _row_units(page) == [dept_a.pk]
    assert zh("Not published (results may change)") in page
    assert client.get(f"/assessment/rounds/{open_round.pk}/units/{dept_a.pk}/").status_code == 200
    assert client.get(f"/assessment/rounds/{open_round.pk}/units/{d2.pk}/").status_code == 404
    assert client.get(f"/assessment/scores/{_urging_score(open_round, d2).pk}/").status_code == 404
    assert client.get(f"/assessment/scores/{_urging_score(open_round, dept_a).pk}/").status_code == 200
    assert client.get(f"/assessment/rounds/{open_round.pk}/bulletin/").status_code == 404

    workflow.start_review(round=open_round, actor=office)
    workflow.publish(round=open_round, actor=office)
    page = client.get(f"/assessment/rounds/{open_round.pk}/results/").content.decode()
    assert sorted(_row_units(page)) == sorted(u.pk for u in units)
    assert zh("Not published (results may change)") not in page
    assert client.get(f"/assessment/rounds/{open_round.pk}/units/{d2.pk}/").status_code == 200


def test_the_results_page_runs_the_same_queries_for_any_number_of_units(
    client_for, office, rubric, county_a, django_assert_max_num_queries
):
    client = client_for(office)
    start, end = _period()

    def measure(count):
        units = [OrgUnitFactory(parent=county_a, kind=OrgKind.DEPARTMENT) for _k in range(count)]
        round = workflow.create_round(
            actor=office, rubric=rubric, name=f"考核{count}", period_start=start, period_end=end, units=units
        )
        workflow.open_self_assessment(round=round, actor=office)
        for unit in units[: count // 2]:
            workflow.adjust(score=_urging_score(round, unit), actor=office, points=-2, reason="测试")
        with django_assert_max_num_queries(12) as queries:
            response = client.get(f"/assessment/rounds/{round.pk}/results/")
        assert response.status_code == 200 and len(_row_units(response.content.decode())) == count
        return len(queries)

    assert measure(3) == measure(12)


# ---------------------------------------------------------------------------- records after publication


def test_after_publication_another_unit_sees_the_points_but_not_the_records(
    client_for, office, reporter, open_round, units
):
    dept_a, d2, _d3 = units
    d2_reporter = UserFactory(org_unit=d2, roles=[Role.REPORTER])
    ledger = library.keep(uploaded=SimpleUploadedFile("人社局学习台账.pdf", PDF), actor=d2_reporter)
    workflow.self_assess(
        score=_manual(open_round, d2), actor=d2_reporter, reason="见台账。", points=30, evidence=[ledger]
    )
    workflow.start_review(round=open_round, actor=office)
    workflow.publish(round=open_round, actor=office)
    urging = Document.objects.get(kind=DocumentKind.URGING, item__responsible_unit=d2)
    hidden = zh("The records are shown only to the office running the assessment and to the assessed unit.")

    client = client_for(reporter)  # dept_a, reading 县人社局's deduction and its manual criterion
    page = _page_of(client, _urging_score(open_round, d2))
    assert urging.number not in page and "逾期事项" not in page and 'data-testid="record"' not in page
    assert 'data-testid="records-hidden"' in page and hidden in page
    assert 'data-testid="points-line"' in page and "−2.00" in page.replace("-", "−")  # the points and how
    manual = _page_of(client, _manual(open_round, d2))
    assert "人社局学习台账.pdf" not in manual and 'data-testid="evidence-hidden"' in manual

    # The assessed unit itself, and the office running the round, read them.
    d2_page = _page_of(client_for(d2_reporter), _urging_score(open_round, d2))
    assert urging.number in d2_page and 'data-testid="records-hidden"' not in d2_page
    assert "人社局学习台账.pdf" in _page_of(client_for(d2_reporter), _manual(open_round, d2))
    office_page = _page_of(client_for(office), _urging_score(open_round, d2))
    assert urging.number in office_page and "人社局学习台账.pdf" in _page_of(
        client_for(office), _manual(open_round, d2)
    )
    own = _page_of(client, _urging_score(open_round, dept_a))
    assert 'data-testid="record"' in own and 'data-testid="records-hidden"' not in own


def _page_of(client, score):
    response = client.get(f"/assessment/scores/{score.pk}/")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_withdrawn_event_after_publication_is_flagged_under_the_frozen_points(client_for, office, reporter, dept_a):
    rubric = build_rubric(
        office,
        [
            (
                "加分项目",
                10,
                [
                    {
                        "name": "市级以上表扬",
                        "kind": "per_occurrence",
                        "points_each": 5,
                        "cap": 10,
                        "metric": "praise_city",
                    }
                ],
            )
        ],
        name="表扬加分办法",
        full_marks=10,
        excellent_from=9,
        good_from=8,
        pass_from=6,
    )
    start, end = _period()
    event = events.record_event(
        actor=office,
        unit=dept_a,
        kind=EventKind.MEDIA,
        level=Level.CITY,
        happened_on=end - timedelta(days=5),
        title="市报报道职工之家建设",
    )
    round = workflow.create_round(
        actor=office, rubric=rubric, name="表扬加分", period_start=start, period_end=end, units=[dept_a]
    )
    workflow.open_self_assessment(round=round, actor=office)
    workflow.start_review(round=round, actor=office)
    workflow.publish(round=round, actor=office)
    score = Score.objects.get(round=round, unit=dept_a)
    assert (score.numerator, score.points) == (1, Decimal("5.00"))
    page = _page_of(client_for(office), score)
    assert 'data-testid="records-changed"' not in page and "市报报道职工之家建设" in page

    events.withdraw_event(event=event, actor=office, reason="重复登记")
    for person in (office, reporter):
        page = _page_of(client_for(person), score)
        warning = zh(
            "The records changed since the points were computed: %(then)s then, %(now)s now.", then="1", now="0"
        )
        assert 'data-testid="records-changed"' in page and warning in page
        assert 'data-testid="record"' not in page  # the list as it stands now
        assert "5.00" in page  # under the points as published
    score.refresh_from_db()
    assert score.points == Decimal("5.00")


def test_a_rate_with_as_many_records_but_more_counted_is_flagged_too():
    rate = metrics.get("close_out_rate")
    score = Score(numerator=1, denominator=4)
    assert drill.drift(rate, score, Value(numerator=1, denominator=4)) is None
    changed = drill.drift(rate, score, Value(numerator=2, denominator=4))
    assert (changed.then, changed.now, changed.counted_only) == (1, 2, True)
    assert drill.drift(rate, score, Value(numerator=1, denominator=1234)).message == zh(
        "The records changed since the points were computed: %(then)s then, %(now)s now.", then="4", now="1,234"
    )
    assert drill.drift(rate, Score(), Value(numerator=1, denominator=1)) is None  # never computed
