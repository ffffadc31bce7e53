"""The round pages: list and new round, the round with its steps, recomputing and funds, a unit's
self-assessment and the reviewers' page; every refusal changes nothing and says why."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext, override

from checklists import services as checklist_services
from checklists import tally
from checklists.models import Item, ItemStatus
from evidence import services as library
from evidence.models import Evidence
from orgs.models import OrgKind, Role
from orgs.tests.factories import OrgUnitFactory, UserFactory
from qingdan import clock
from scoring import workflow
from scoring.models import FundMethod, Result, Round, RoundStatus, Score, ScoreChange
from scoring.tests.conftest import build_rubric

pytestmark = pytest.mark.django_db
TODAY = clock.today()
PERIOD = (date(TODAY.year, 1, 1), date(TODAY.year, 12, 31))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def zh(msgid, **values):
    """The Chinese the page shows for ``msgid`` (English until the catalogue has it)."""
    with override("zh-hans"):
        text = gettext(msgid)
    return text % values if values else text


def _page(response, status=200):
    assert response.status_code == status, response.status_code
    return response.content.decode()


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- the scene: county A's office assesses its two departments ------------------------------------


@pytest.fixture
def dept_a2(county_a):
    return OrgUnitFactory(code="A-D2", name="县人社局", kind=OrgKind.DEPARTMENT, parent=county_a)


@pytest.fixture
def reporter_2(dept_a2):
    return UserFactory(username="reporter2", org_unit=dept_a2, roles=[Role.REPORTER])


SPEC = [
    (
        "党的建设",
        40,
        [
            {"name": "理论学习", "kind": "manual", "max_points": 30},
            {
                "name": "困难职工脱困",
                "kind": "condition",
                "max_points": 10,
                "condition_by": date(TODAY.year, 6, 30),
            },
        ],
    ),
    ("业务工作", 60, [{"name": "清单销号率", "kind": "ratio", "max_points": 60, "metric": "close_out_rate"}]),
    ("否决事项", 0, [{"name": "安全生产", "kind": "veto"}]),
]


@pytest.fixture
def rubric(office):
    return build_rubric(office, SPEC, name="部门年度考核办法")


@pytest.fixture
def closeout(office, dept_a):
    """Four items issued to dept A this year, three closed: 75.0%."""
    checklist = checklist_services.issue_checklist(
        actor=office,
        responsible_unit=dept_a,
        title="年度重点工作清单",
        items=[{"content": f"事项{n}", "standard": "完成", "deadline": TODAY + timedelta(days=30)} for n in range(4)],
    )
    closed = list(checklist.items.order_by("position").values_list("pk", flat=True)[:3])
    Item.objects.filter(pk__in=closed).update(status=ItemStatus.CLOSED, closed_at=clock.now())
    tally.rebuild()  # set straight in the table: the kept figures are counted again
    return checklist


@pytest.fixture
def draft(office, rubric, dept_a, dept_a2, closeout):
    return workflow.create_round(
        actor=office,
        rubric=rubric,
        name="2026年度部门考核",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        units=[dept_a, dept_a2],
    )


@pytest.fixture
def opened(draft, office):
    return workflow.open_self_assessment(round=draft, actor=office)


def _score(round, unit, name):
    return Score.objects.select_related("criterion").get(round=round, unit=unit, criterion__name=name)


def _fill(round, user, name="理论学习", points="25", reason="全年开展学习12次"):
    score = _score(round, user.org_unit, name)
    return workflow.self_assess(score=score, actor=user, points=points, reason=reason)


def _fill_all(round, user):
    _fill(round, user)
    workflow.self_assess(
        score=_score(round, user.org_unit, "困难职工脱困"),
        actor=user,
        met_on=date(TODAY.year, 5, 1),
        reason="已全部脱困",
    )


def _reload(round):
    return Round.objects.get(pk=round.pk)


# --- the list and a new round ------------------------------------------------------------------------


def test_list_shows_rounds_with_rubric_period_units_and_status(client_for, office, draft):
    page = _page(client_for(office).get("/assessment/rounds/"))
    assert "2026年度部门考核" in page and "部门年度考核办法" in page
    assert f"{PERIOD[0]:%Y-%m-%d} — {PERIOD[1]:%Y-%m-%d}" in page
    assert zh("Draft") in page and 'data-testid="round-new"' in page


def test_list_filters_by_status_and_text(client_for, office, draft):
    client = client_for(office)
    assert "2026年度部门考核" not in _page(client.get("/assessment/rounds/", {"status": "published"}))
    assert "2026年度部门考核" in _page(client.get("/assessment/rounds/", {"status": "draft"}))
    assert "2026年度部门考核" in _page(client.get("/assessment/rounds/", {"q": "部门年度"}))
    assert "2026年度部门考核" not in _page(client.get("/assessment/rounds/", {"q": "没有这个"}))


def test_list_queries_do_not_grow_with_rounds(
    client_for, office, rubric, dept_a, dept_a2, django_assert_max_num_queries
):
    for n in range(12):
        workflow.create_round(
            actor=office,
            rubric=rubric,
            name=f"第{n}轮",
            period_start=PERIOD[0],
            period_end=PERIOD[1],
            units=[dept_a, dept_a2],
        )
    client = client_for(office)
    with django_assert_max_num_queries(12):
        page = _page(client.get("/assessment/rounds/"))
    assert page.count('data-testid="round-status"') == 12


def test_reporter_sees_only_rounds_assessing_the_unit_and_cannot_create(client_for, reporter, outsider, draft):
    page = _page(client_for(reporter).get("/assessment/rounds/"))
    assert "2026年度部门考核" in page and 'data-testid="round-new"' not in page
    assert "2026年度部门考核" not in _page(client_for(outsider).get("/assessment/rounds/"))
    assert client_for(reporter).get("/assessment/rounds/new/").status_code == 403


def test_office_counts_the_units_and_creates_a_round(client_for, office, rubric, dept_a, dept_a2):
    client = client_for(office)
    page = _page(client.get("/assessment/rounds/new/"))
    assert '<option value="department" selected>' in page  # the kind of the units right below the office
    assert f'value="{PERIOD[0]:%Y-%m-%d}"' in page and f'value="{PERIOD[1]:%Y-%m-%d}"' in page
    form = {
        "rubric": rubric.pk,
        "name": "2026年度部门考核",
        "period_start": PERIOD[0].isoformat(),
        "period_end": PERIOD[1].isoformat(),
        "kind": OrgKind.DEPARTMENT,
        "root": office.org_unit.pk,
    }
    page = _page(client.post("/assessment/rounds/new/", {**form, "preview": "1"}))
    assert 'data-testid="preview"' in page and "县交通运输局" in page and "县人社局" in page
    assert not Round.objects.exists()
    response = client.post("/assessment/rounds/new/", {**form, "confirm": "1"})
    round = Round.objects.get()
    assert response.status_code == 302 and response.url == f"/assessment/rounds/{round.pk}/"
    assert set(round.results.values_list("unit", flat=True)) == {dept_a.pk, dept_a2.pk}
    assert round.status == RoundStatus.DRAFT and round.owner_unit == office.org_unit


def test_new_round_refuses_a_rubric_with_problems_and_no_units(client_for, office, dept_a):
    client = client_for(office)
    broken = build_rubric(office, [("党的建设", 40, [{"name": "理论学习", "kind": "manual", "max_points": 40}])])
    form = {
        "rubric": broken.pk,
        "name": "试行考核",
        "period_start": PERIOD[0].isoformat(),
        "period_end": PERIOD[1].isoformat(),
        "kind": OrgKind.DEPARTMENT,
        "root": office.org_unit.pk,
        "confirm": "1",
    }
    page = _page(client.post("/assessment/rounds/new/", form))
    assert (
        'data-testid="refused"' in page and zh("The rubric cannot be used yet: %(problems)s", problems="")[:8] in page
    )
    assert 'data-testid="rubric-problems"' in page
    good = build_rubric(office, SPEC, name="完整办法")
    page = _page(client.post("/assessment/rounds/new/", {**form, "rubric": good.pk, "kind": OrgKind.ENTERPRISE}))
    assert zh("Choose the units to assess.") in page
    page = _page(client.post("/assessment/rounds/new/", {**form, "rubric": good.pk, "period_end": "2025-01-01"}))
    assert zh("The period must end on or after its first day.") in page
    assert not Round.objects.exists()


# --- the round page and its steps -------------------------------------------------------------------


def test_round_page_offers_the_office_the_step_of_the_status(client_for, office, reviewer, reporter, draft):
    page = _page(client_for(office).get(f"/assessment/rounds/{draft.pk}/"))
    assert 'data-testid="step-open_self_assessment"' in page and 'data-testid="step-publish"' not in page
    assert 'data-testid="funds-link"' in page and 'data-testid="recompute"' in page
    for user in (reviewer, reporter):
        page = _page(client_for(user).get(f"/assessment/rounds/{draft.pk}/"))
        assert 'data-testid="actions"' not in page and 'data-testid="step-' not in page


def test_every_step_through_the_pages(client_for, office, reviewer, reporter, reporter_2, draft):
    office_client = client_for(office)

    def step(name, round):
        return office_client.post(
            f"/assessment/rounds/{round.pk}/step/{name}/", {"version": _reload(round).version}, follow=True
        )

    _page(step("open_self_assessment", draft))
    round = _reload(draft)
    assert round.status == RoundStatus.SELF_ASSESSMENT and round.computed_at is not None
    page = _page(office_client.get(f"/assessment/rounds/{round.pk}/"))
    assert 'data-testid="step-start_review"' in page and 'data-testid="progress"' in page and "0 / 2" in page

    for user in (reporter, reporter_2):
        client = client_for(user)
        for name, data in (("理论学习", {"points": "25"}), ("困难职工脱困", {"met_on": f"{TODAY.year}-05-01"})):
            score = _score(round, user.org_unit, name)
            prefix = f"s{score.pk}-"
            response = client.post(
                f"/assessment/rounds/scores/{score.pk}/self/",
                {
                    prefix + "version": score.version,
                    prefix + "reason": "有据可查",
                    **{prefix + k: v for k, v in data.items()},
                },
            )
            assert response.status_code == 302, _page(response)
        response = client.post(f"/assessment/rounds/{round.pk}/self/submit/", follow=True)
        assert 'data-testid="submit"' in _page(response)
    assert Result.objects.filter(round=round, self_submitted_at__isnull=False).count() == 2
    assert "2 / 2" in _page(office_client.get(f"/assessment/rounds/{round.pk}/"))

    _page(step("start_review", round))
    assert _reload(round).status == RoundStatus.REVIEW
    score = _score(round, reporter.org_unit, "理论学习")
    prefix = f"s{score.pk}-"
    response = client_for(reviewer).post(
        f"/assessment/rounds/scores/{score.pk}/review/",
        {prefix + "version": score.version, prefix + "points": "20", prefix + "reason": "台账不全，扣5分"},
    )
    assert response.status_code == 302
    assert _score(round, reporter.org_unit, "理论学习").points == 20

    _page(step("publish", round))
    round = _reload(round)
    assert round.status == RoundStatus.PUBLISHED and round.published_at is not None
    page = _page(office_client.get(f"/assessment/rounds/{round.pk}/"))
    assert 'data-testid="step-' not in page and 'data-testid="timeline"' in page
    result = Result.objects.get(round=round, unit=reporter.org_unit)
    assert result.total == 20 + 10 + 45  # reviewed 20, condition met 10, 75% of 60


def test_a_step_in_the_wrong_status_is_refused_and_changes_nothing(client_for, office, draft):
    response = client_for(office).post(
        f"/assessment/rounds/{draft.pk}/step/publish/", {"version": draft.version}, follow=True
    )
    assert zh("The round is “%(status)s”; this step is not possible now.", status=zh("Draft")) in _messages(response)
    assert _reload(draft).status == RoundStatus.DRAFT
    assert client_for(office).post(f"/assessment/rounds/{draft.pk}/step/close/", {"version": 0}).status_code == 404


def test_a_stale_step_form_is_a_conflict(client_for, office, draft):
    stale = draft.version
    workflow.open_self_assessment(round=draft, actor=office)
    response = client_for(office).post(
        f"/assessment/rounds/{draft.pk}/step/start_review/", {"version": stale}, follow=True
    )
    assert zh("The round changed since you read it; read it again and retry.") in _messages(response)
    assert _reload(draft).status == RoundStatus.SELF_ASSESSMENT


def test_reporter_and_reviewer_cannot_publish_and_another_county_gets_404(
    client_for, office, reporter, reviewer, outsider, opened
):
    workflow.start_review(round=opened, actor=office)
    version = _reload(opened).version
    for user in (reporter, reviewer):
        assert (
            client_for(user).post(f"/assessment/rounds/{opened.pk}/step/publish/", {"version": version}).status_code
            == 403
        )
        assert client_for(user).post(f"/assessment/rounds/{opened.pk}/compute/").status_code == 403
        assert client_for(user).get(f"/assessment/rounds/{opened.pk}/funds/").status_code == 403
    outside = client_for(outsider)
    assert outside.get(f"/assessment/rounds/{opened.pk}/").status_code == 404
    assert outside.post(f"/assessment/rounds/{opened.pk}/step/publish/", {"version": version}).status_code == 404
    assert outside.post(f"/assessment/rounds/{opened.pk}/compute/").status_code == 404
    assert outside.get(f"/assessment/rounds/{opened.pk}/funds/").status_code == 404
    assert _reload(opened).status == RoundStatus.REVIEW


def test_office_of_an_assessed_unit_cannot_run_the_round(client_for, city, county_a, county_b, office):
    """County A's office is assessed by the city: it sees the round, but its steps are the city's."""
    city_office = UserFactory(username="city-office", org_unit=city, roles=[Role.OFFICE])
    rubric = build_rubric(city_office, SPEC, name="县级考核办法")
    round = workflow.create_round(
        actor=city_office,
        rubric=rubric,
        name="市对县考核",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        units=[county_a, county_b],
    )
    client = client_for(office)
    page = _page(client.get(f"/assessment/rounds/{round.pk}/"))
    assert "滨海县总工会" in page and "临河县总工会" not in page  # before publication: its own result only
    response = client.post(f"/assessment/rounds/{round.pk}/step/open_self_assessment/", {"version": 0}, follow=True)
    assert zh("Only the office running the round can do this.") in _messages(response)
    assert client.get(f"/assessment/rounds/{round.pk}/funds/").status_code == 403


def test_round_page_queries_do_not_grow_with_units(client_for, office, rubric, county_a, django_assert_max_num_queries):
    units = [
        OrgUnitFactory(code=f"A-E{n}", name=f"企业{n}", kind=OrgKind.ENTERPRISE, parent=county_a) for n in range(30)
    ]
    round = workflow.create_round(
        actor=office, rubric=rubric, name="企业考核", period_start=PERIOD[0], period_end=PERIOD[1], units=units
    )
    workflow.open_self_assessment(round=round, actor=office)
    client = client_for(office)
    with django_assert_max_num_queries(16):
        page = _page(client.get(f"/assessment/rounds/{round.pk}/"))
    assert page.count("企业") >= 30


def test_recompute_is_idempotent_and_after_publication_needs_a_reason(client_for, office, opened):
    client = client_for(office)
    response = client.post(f"/assessment/rounds/{opened.pk}/compute/", follow=True)
    assert zh("Computed from the records; scores changed: %(n)d.", n=0) in _messages(response)
    workflow.start_review(round=opened, actor=office)
    workflow.publish(round=opened, actor=office)
    page = _page(client.get(f"/assessment/rounds/{opened.pk}/"))
    assert 'name="reason"' in page
    response = client.post(f"/assessment/rounds/{opened.pk}/compute/", follow=True)
    assert zh("The results are published: give the reason for this change.") in _messages(response)
    response = client.post(f"/assessment/rounds/{opened.pk}/compute/", {"reason": "补录清单数据"}, follow=True)
    assert zh("Computed from the records; scores changed: %(n)d.", n=0) in _messages(response)
    assert "补录清单数据" in _page(client.get(f"/assessment/rounds/{opened.pk}/"))


# --- funds ----------------------------------------------------------------------------------------------


def test_funds_per_grade_and_a_pool_that_cannot_be_split(client_for, office, opened):
    client = client_for(office)
    page = _page(client.get(f"/assessment/rounds/{opened.pk}/funds/"))
    assert page.count('name="method"') == 3
    response = client.post(
        f"/assessment/rounds/{opened.pk}/funds/", {"method": "pool", "pool": "1000", "base": "800", "floor": "60"}
    )
    page = _page(response)
    assert 'data-testid="refused"' in page and "¥1,600.00" in page
    assert _reload(opened).fund_method == FundMethod.NONE
    response = client.post(
        f"/assessment/rounds/{opened.pk}/funds/",
        {"method": "per_grade", "excellent": "50000", "good": "30000", "pass_": "10000", "fail": "0"},
    )
    assert response.status_code == 302
    round = _reload(opened)
    assert round.fund_method == FundMethod.PER_GRADE and round.fund_per_grade["good"] == "30000.00"
    amounts = set(Result.objects.filter(round=round).values_list("fund_amount", flat=True))
    assert amounts <= {0, 10000, 30000, 50000}
    page = _page(client.get(f"/assessment/rounds/{round.pk}/"))
    assert "¥30,000.00" in page


def test_funds_after_publication_need_a_reason(client_for, office, opened):
    workflow.start_review(round=opened, actor=office)
    workflow.publish(round=opened, actor=office)
    client = client_for(office)
    data = {"method": "pool", "pool": "100000", "base": "10000", "floor": "0"}
    page = _page(client.post(f"/assessment/rounds/{opened.pk}/funds/", data))
    assert zh("The results are published: give the reason for this change.") in page
    assert _reload(opened).fund_method == FundMethod.NONE
    response = client.post(f"/assessment/rounds/{opened.pk}/funds/", {**data, "reason": "追加预算"})
    assert response.status_code == 302
    assert sum(Result.objects.filter(round=opened).values_list("fund_amount", flat=True)) == 100000


# --- self-assessment ---------------------------------------------------------------------------------------


def test_self_assessment_shows_computed_criteria_filled_in_and_asks_only_manual_ones(client_for, reporter, opened):
    page = _page(client_for(reporter).get(f"/assessment/rounds/{opened.pk}/self/"))
    assert f"{zh('Close-out rate')} 3 / 4 = 75.0%" in page
    assert zh("The platform computes the criteria below from its records; you do not need to fill them in.") in page
    assert "45.00 / 60.00" in page
    ratio = _score(opened, reporter.org_unit, "清单销号率")
    manual = _score(opened, reporter.org_unit, "理论学习")
    assert f'name="s{manual.pk}-reason"' in page  # one form for the page: each card's fields by its prefix
    assert f'name="s{ratio.pk}-reason"' not in page
    veto = _score(opened, reporter.org_unit, "安全生产")
    assert f'name="s{veto.pk}-reason"' not in page and 'data-testid="vetoes"' in page
    assert 'name="viewport"' in page  # phone-sized screens: the page is one column under the frame


def test_self_assessment_is_the_signed_in_units_own(
    client_for, reporter, reporter_2, office, reviewer, outsider, opened
):
    other = _score(opened, reporter_2.org_unit, "理论学习")
    client = client_for(reporter)
    data = {f"s{other.pk}-version": other.version, f"s{other.pk}-points": "30", f"s{other.pk}-reason": "冒填"}
    assert client.post(f"/assessment/rounds/scores/{other.pk}/self/", data).status_code == 404
    assert _score(opened, reporter_2.org_unit, "理论学习").self_points is None
    # The office running the round and its reviewers have no self-assessment of their own here.
    assert client_for(office).get(f"/assessment/rounds/{opened.pk}/self/").status_code == 404
    assert client_for(reviewer).get(f"/assessment/rounds/{opened.pk}/self/").status_code == 403
    assert client_for(outsider).get(f"/assessment/rounds/{opened.pk}/self/").status_code == 404
    assert client_for(outsider).post(f"/assessment/rounds/scores/{other.pk}/self/", data).status_code == 404
    assert client_for(outsider).post(f"/assessment/rounds/{opened.pk}/self/submit/").status_code == 404


def _post_self(client, score, **data):
    prefix = f"s{score.pk}-"
    fields = {prefix + "version": data.pop("version", score.version)}
    files = data.pop("files", None)
    fields.update({prefix + k: v for k, v in data.items()})
    if files:
        fields[prefix + "files"] = files
    return client.post(f"/assessment/rounds/scores/{score.pk}/self/", fields)


def test_manual_score_over_max_without_reason_or_stale_is_refused(client_for, reporter, opened):
    client = client_for(reporter)
    score = _score(opened, reporter.org_unit, "理论学习")
    page = _page(_post_self(client, score, points="35", reason="超额完成"))
    assert (
        zh("“%(name)s” takes 0 to %(max)s points; %(points)s is outside.", name="理论学习", max="30.00", points="35.00")
        in page
    )
    page = _page(_post_self(client, score, points="-1", reason="x"))
    assert 'data-testid="problem"' in page
    page = _page(_post_self(client, score, points="20", reason=" "))
    assert zh("Give the reason for the points of “%(name)s”.", name="理论学习") in page
    assert 'value="20"' in page  # what was typed stays in the form
    assert _score(opened, reporter.org_unit, "理论学习").self_points is None
    _fill(opened, reporter)
    response = _post_self(client, score, points="28", reason="再次修改")  # the form from before the change
    assert response.status_code == 302
    assert zh("The score changed since you read it; read it again and retry.") in _messages(client.get(response.url))
    assert _score(opened, reporter.org_unit, "理论学习").self_points == 25


def test_self_score_with_an_upload_and_a_file_from_the_library(client_for, reporter, opened):
    client = client_for(reporter)
    kept = library.keep(uploaded=SimpleUploadedFile("学习台账.pdf", PDF), actor=reporter)
    score = _score(opened, reporter.org_unit, "理论学习")
    page = _page(client.get(f"/assessment/rounds/{opened.pk}/self/"))
    assert "学习台账.pdf" in page  # offered from the library
    response = _post_self(
        client,
        score,
        points="26",
        reason="学习记录齐全",
        library=[kept.pk],
        files=SimpleUploadedFile("签到表.pdf", PDF + b"2"),
    )
    assert response.status_code == 302
    score = _score(opened, reporter.org_unit, "理论学习")
    assert score.self_points == 26
    assert {e.name for e in score.evidence.all()} == {"学习台账.pdf", "签到表.pdf"}
    assert Evidence.objects.filter(owner_unit=reporter.org_unit).count() == 2
    evidence = score.evidence.get(name="签到表.pdf")
    url = f"/evidence/{evidence.pk}/"
    assert url in _page(client.get(f"/assessment/rounds/{opened.pk}/self/"))
    assert client.get(url).status_code == 200


def test_a_bad_upload_keeps_nothing(client_for, reporter, opened):
    client = client_for(reporter)
    score = _score(opened, reporter.org_unit, "理论学习")
    page = _page(
        _post_self(client, score, points="26", reason="见附件", files=SimpleUploadedFile("a.pdf", b"not a pdf"))
    )
    assert 'data-testid="problem"' in page
    assert _score(opened, reporter.org_unit, "理论学习").self_points is None
    assert not Evidence.objects.exists()


def test_a_refused_self_assessment_keeps_none_of_its_uploads(client_for, reporter, opened, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(reporter)
    score = _score(opened, reporter.org_unit, "理论学习")
    page = _page(_post_self(client, score, points="35", reason="超额完成", files=SimpleUploadedFile("签到表.pdf", PDF)))
    assert 'data-testid="problem"' in page  # 35 is over the 30 available
    assert not Evidence.objects.exists()
    assert not [f for f in tmp_path.rglob("*") if f.is_file()]  # nor the file on disk
    # A stale form is refused the same way.
    response = _post_self(
        client, score, points="20", reason="见附件", version=score.version + 1, files=SimpleUploadedFile("b.pdf", PDF)
    )
    assert response.status_code == 302
    assert not Evidence.objects.exists() and not [f for f in tmp_path.rglob("*") if f.is_file()]
    assert _score(opened, reporter.org_unit, "理论学习").self_points is None


def test_a_refused_self_assessment_keeps_a_file_already_in_the_library(client_for, reporter, opened):
    kept = library.keep(uploaded=SimpleUploadedFile("学习台账.pdf", PDF), actor=reporter)
    score = _score(opened, reporter.org_unit, "理论学习")
    again = SimpleUploadedFile("学习台账.pdf", PDF)  # the same file uploaded again is the same evidence
    _page(_post_self(client_for(reporter), score, points="35", reason="超额完成", files=again))
    assert list(Evidence.objects.all()) == [kept] and kept.file.storage.exists(kept.file.name)


def test_condition_judged_by_hand_takes_the_day_it_was_met(client_for, reporter, opened):
    client = client_for(reporter)
    score = _score(opened, reporter.org_unit, "困难职工脱困")
    page = _page(client.get(f"/assessment/rounds/{opened.pk}/self/"))
    assert f'name="s{score.pk}-met_on"' in page and f'name="s{score.pk}-points"' not in page
    assert _post_self(client, score, met_on=f"{TODAY.year}-07-15", reason="7月中旬全部脱困").status_code == 302
    assert _score(opened, reporter.org_unit, "困难职工脱困").points == 0  # after 30 June
    score = _score(opened, reporter.org_unit, "困难职工脱困")
    assert _post_self(client, score, met_on=f"{TODAY.year}-06-01", reason="6月初全部脱困").status_code == 302
    assert _score(opened, reporter.org_unit, "困难职工脱困").points == 10


def test_submit_needs_every_manual_criterion_and_only_in_self_assessment(client_for, office, reporter, opened):
    client = client_for(reporter)
    _fill(opened, reporter)
    response = client.post(f"/assessment/rounds/{opened.pk}/self/submit/", follow=True)
    assert zh("Still to score: %(names)s", names="困难职工脱困") in _messages(response)
    assert Result.objects.get(round=opened, unit=reporter.org_unit).self_submitted_at is None
    _fill_all(opened, reporter)
    client.post(f"/assessment/rounds/{opened.pk}/self/submit/")
    assert Result.objects.get(round=opened, unit=reporter.org_unit).self_submitted_at is not None
    workflow.start_review(round=opened, actor=office)
    page = _page(client.get(f"/assessment/rounds/{opened.pk}/self/"))
    assert 'data-testid="submit"' not in page and '/self/"' not in page.split('data-testid="manual"')[1]
    score = _score(opened, reporter.org_unit, "理论学习")
    response = _post_self(client, score, points="10", reason="改")
    assert zh("Self-assessment is not open in this round.") in _page(response)


def test_self_assessment_in_draft_shows_nothing_to_enter(client_for, reporter, draft):
    page = _page(client_for(reporter).get(f"/assessment/rounds/{draft.pk}/self/"))
    assert 'data-testid="submit"' not in page


def _whole_page(round, user, **cards):
    """The page's one form as the browser sends it: every card, with what it showed (initial-…) and what is
    typed; ``cards``: criterion name → the fields typed on that card."""
    data = {}
    for score in Score.objects.filter(round=round, unit=user.org_unit).select_related("criterion"):
        c = score.criterion
        if c.is_computed or c.kind == "veto":
            continue
        p = f"s{score.pk}-"
        shown = {"points": score.self_points, "met_on": score.self_day, "reason": score.self_reason}
        data[p + "version"] = score.version
        for name, value in shown.items():
            data[f"initial-{p}{name}"] = "" if value is None else str(value)
            data[p + name] = "" if value is None else str(value)
        for name, value in cards.get(c.name, {}).items():
            data[p + name] = value
    return data


def test_one_save_stores_every_edited_criterion(client_for, reporter, opened):
    client = client_for(reporter)
    data = _whole_page(
        opened,
        reporter,
        理论学习={"points": "26", "reason": "学习12次"},
        困难职工脱困={"met_on": f"{TODAY.year}-06-01", "reason": "6月初全部脱困"},
    )
    response = client.post(f"/assessment/rounds/{opened.pk}/self/save/", data)
    assert response.status_code == 302
    assert _score(opened, reporter.org_unit, "理论学习").self_points == 26
    assert _score(opened, reporter.org_unit, "困难职工脱困").points == 10
    assert ScoreChange.objects.filter(score__round=opened).count() == 2  # each through the workflow, audited
    # Save and submit in one go.
    response = client.post(
        f"/assessment/rounds/{opened.pk}/self/save/", {**_whole_page(opened, reporter), "then": "submit"}
    )
    assert Result.objects.get(round=opened, unit=reporter.org_unit).self_submitted_at is not None


def test_a_stale_save_is_refused_and_keeps_every_input(client_for, reporter, opened):
    client = client_for(reporter)
    data = _whole_page(
        opened,
        reporter,
        理论学习={"points": "20", "reason": "我的理由"},
        困难职工脱困={"met_on": f"{TODAY.year}-05-01", "reason": "另一张卡片的输入"},
    )
    _fill(opened, reporter, points="25", reason="同事先保存")  # someone else saved 理论学习 meanwhile
    response = client.post(f"/assessment/rounds/{opened.pk}/self/save/", data)
    page = _page(response, status=409)
    assert "我的理由" in page and 'value="20"' in page and "另一张卡片的输入" in page  # nothing typed is lost
    assert "他人已保存了该指标" in page and 'data-dirty="1"' in page
    assert _score(opened, reporter.org_unit, "理论学习").self_points == 25
    assert _score(opened, reporter.org_unit, "困难职工脱困").self_day is None  # all or nothing
    # Saving the kept form again replaces theirs, knowingly.
    score = _score(opened, reporter.org_unit, "理论学习")
    data[f"s{score.pk}-version"] = score.version
    assert client.post(f"/assessment/rounds/{opened.pk}/self/save/", data).status_code == 302
    assert _score(opened, reporter.org_unit, "理论学习").self_points == 20
    assert _score(opened, reporter.org_unit, "困难职工脱困").self_day == date(TODAY.year, 5, 1)


def test_a_card_saved_by_someone_else_and_not_edited_here_is_left_alone(client_for, reporter, opened):
    client = client_for(reporter)
    data = _whole_page(opened, reporter, 困难职工脱困={"met_on": f"{TODAY.year}-05-01", "reason": "已脱困"})
    _fill(opened, reporter, points="25", reason="同事先保存")
    assert client.post(f"/assessment/rounds/{opened.pk}/self/save/", data).status_code == 302
    assert _score(opened, reporter.org_unit, "理论学习").self_points == 25


# --- review ------------------------------------------------------------------------------------------------


def _post_review(client, score, **data):
    prefix = f"s{score.pk}-"
    fields = {prefix + "version": data.pop("version", score.version)}
    fields.update({prefix + k: v for k, v in data.items()})
    return client.post(f"/assessment/rounds/scores/{score.pk}/review/", fields)


def test_reviewer_sees_the_units_points_reasons_and_evidence(client_for, reviewer, reporter, opened):
    kept = library.keep(uploaded=SimpleUploadedFile("学习台账.pdf", PDF), actor=reporter)
    score = _score(opened, reporter.org_unit, "理论学习")
    workflow.self_assess(score=score, actor=reporter, points="25", reason="全年开展学习12次", evidence=[kept])
    client = client_for(reviewer)
    page = _page(client.get(f"/assessment/rounds/{opened.pk}/units/{reporter.org_unit.pk}/review/"))
    assert "25.00" in page and "全年开展学习12次" in page and "学习台账.pdf" in page
    assert f"/assessment/rounds/scores/{score.pk}/review/" in page
    assert client.get(f"/evidence/{kept.pk}/").status_code == 200
    assert f"{zh('Close-out rate')} 3 / 4 = 75.0%" in page


def test_review_points_reason_and_veto(client_for, reviewer, reporter, opened):
    client = client_for(reviewer)
    score = _score(opened, reporter.org_unit, "理论学习")
    page = _page(_post_review(client, score, points="31", reason="超出满分"))
    assert (
        zh("“%(name)s” takes 0 to %(max)s points; %(points)s is outside.", name="理论学习", max="30.00", points="31.00")
        in page
    )
    page = _page(_post_review(client, score, points="20", reason=""))
    assert zh("Give the reason for the points of “%(name)s”.", name="理论学习") in page
    assert _post_review(client, score, points="20", reason="台账不全").status_code == 302
    assert ScoreChange.objects.filter(score=score, stage="review", after=20).exists()
    response = _post_review(client, score, points="22", reason="旧表单")
    assert zh("The score changed since you read it; read it again and retry.") in _messages(client.get(response.url))
    assert _score(opened, reporter.org_unit, "理论学习").reviewed == 20

    veto = _score(opened, reporter.org_unit, "安全生产")
    page = _page(_post_review(client, veto, reason="未发生"))
    assert zh("Say whether the veto is triggered.") in page
    assert _post_review(client, veto, vetoed="1", reason="发生较大安全事故").status_code == 302
    result = Result.objects.get(round=opened, unit=reporter.org_unit)
    assert result.vetoed and _score(opened, reporter.org_unit, "安全生产").vetoed


def test_review_is_for_the_rounds_reviewers_only(client_for, reporter, leader, outsider, reviewer, office, opened):
    unit = reporter.org_unit
    score = _score(opened, unit, "理论学习")
    url = f"/assessment/rounds/{opened.pk}/units/{unit.pk}/review/"
    assert client_for(reporter).get(url).status_code == 403
    assert client_for(leader).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    assert _post_review(client_for(outsider), score, points="1", reason="x").status_code == 404
    assert _post_review(client_for(reporter), score, points="1", reason="x").status_code == 403
    assert client_for(office).get(url).status_code == 200
    assert client_for(reviewer).get(f"/assessment/rounds/{opened.pk}/units/999999/review/").status_code == 404
    assert _score(opened, unit, "理论学习").reviewed is None


def test_review_after_publication_is_refused(client_for, office, reviewer, reporter, opened):
    workflow.start_review(round=opened, actor=office)
    workflow.publish(round=opened, actor=office)
    client = client_for(reviewer)
    score = _score(opened, reporter.org_unit, "理论学习")
    page = _page(client.get(f"/assessment/rounds/{opened.pk}/units/{reporter.org_unit.pk}/review/"))
    assert f"/assessment/rounds/scores/{score.pk}/review/" not in page
    page = _page(_post_review(client, score, points="10", reason="补评"))
    assert zh("Scores are reviewed during self-assessment and review, not now.") in page


def test_score_evidence_is_not_for_other_units(client_for, reporter, reporter_2, outsider, opened):
    kept = library.keep(uploaded=SimpleUploadedFile("学习台账.pdf", PDF), actor=reporter)
    score = _score(opened, reporter.org_unit, "理论学习")
    workflow.self_assess(score=score, actor=reporter, points="25", reason="有台账", evidence=[kept])
    url = f"/evidence/{kept.pk}/"
    assert client_for(reporter_2).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(reporter).get(url).status_code == 200


def test_the_office_running_the_round_and_its_reviewer_open_a_units_evidence(
    client_for, reporter, office, reviewer, opened
):
    """The drill-down and the review page link each file to the library, which lets the round's office side in."""
    kept = library.keep(uploaded=SimpleUploadedFile("学习台账.pdf", PDF), actor=reporter)
    score = _score(opened, reporter.org_unit, "理论学习")
    workflow.self_assess(score=score, actor=reporter, points="25", reason="有台账", evidence=[kept])
    for person in (office, reviewer):
        response = client_for(person).get(f"/evidence/{kept.pk}/")
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
