"""三权分立 on the demo: the system administrator, the security administrator and the auditor open no business page
and call no business API; every URL of the business areas is walked from the URL conf, as `admin`, `security` and
`auditor`, with a business person beside them to show what the page holds."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases.models import Demand, Project
from cases.queries import visible_enterprises
from checklists.models import Document
from checklists.queries import visible_items
from evidence import services as library
from evidence.access import downloadable
from orgs.middleware import duties_may_open
from orgs.models import OrgUnit, Role, User
from orgs.tests.factories import PASSWORD, UserFactory
from scoring.models import Criterion, RecordedEvent, Result, Round, RoundStatus, Score
from scoring.models import Section as RubricSection
from scoring.queries import visible_rounds
from surveys.models import Distribution, Poll, Question, Target
from surveys.queries import visible_questionnaires
from workdays.models import CalendarDay

pytestmark = pytest.mark.django_db

DUTIES = ("admin", "security", "auditor")
REFUSAL = "系统管理员、安全管理员和审计员不查看业务数据"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url_patterns(patterns=None, namespace="", prefix=""):
    """Every page of the project as ``(namespace, name, route, pattern)``."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            yield from url_patterns(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield namespace, entry.name, prefix + str(entry.pattern), entry.pattern


def business_pages():
    return [
        (namespace, name, route, pattern)
        for namespace, name, route, pattern in url_patterns()
        if namespace != "api" and not route.startswith("api/") and not duties_may_open(namespace, name)
    ]


@pytest.fixture
def demo(demo_loaded):
    office = User.objects.get(username="office")
    item = visible_items(office).filter(documents__isnull=False).order_by("pk").first()
    # A file of the county's own library (the unit the three duties sit in too), attached to the item.
    evidence = library.keep(uploaded=SimpleUploadedFile("验收报告.pdf", PDF), actor=office)
    item.evidence.add(evidence)
    published = Round.objects.filter(status=RoundStatus.PUBLISHED).first()
    result = Result.objects.filter(round=published).select_related("unit").first()
    questionnaire = visible_questionnaires(office).filter(distributions__isnull=False).first()
    distribution = Distribution.objects.filter(questionnaire=questionnaire).first()
    project = Project.objects.filter(subcontracts__isnull=False).order_by("pk").first()
    return {
        "project": project,
        "subcontract": project.subcontracts.order_by("pk").first(),
        "office": office,
        "item": item,
        "document": Document.objects.filter(item=item).first(),
        "evidence": evidence,
        "round": published,
        "result": result,
        "questionnaire": questionnaire,
        "distribution": distribution,
        "target": Target.objects.filter(distribution=distribution).first(),
        "question": Question.objects.filter(section__questionnaire=questionnaire).first(),
        "poll": Poll.objects.first(),
    }


def pk_for(namespace, route, name, demo):
    """The id a business page's ``name`` argument takes, of a record `office` sees."""
    item, round_ = demo["item"], demo["round"]
    rubric = round_.rubric
    section = RubricSection.objects.filter(rubric=rubric).first()
    by_route = [
        ("jobs", "jobs/", 1),  # refused before any job is looked up
        ("checklists", "lists/items/", item.pk),
        ("checklists", "lists/documents/", demo["document"].pk),
        ("checklists", "lists/problems/", demo["questionnaire"].pk),
        ("checklists", "lists/", item.checklist_id),
        ("evidence", "evidence/", demo["evidence"].pk),
        ("surveys", "surveys/q/", demo["questionnaire"].pk),
        ("surveys", "surveys/distributions/", demo["distribution"].pk),
        ("surveys", "surveys/tasks/", demo["target"].pk),
        ("surveys", "surveys/polls/", demo["poll"].pk),
        ("scoring", "assessment/rubrics/", rubric.pk),
        ("scoring", "assessment/sections/", section.pk),
        ("scoring", "assessment/criteria/", Criterion.objects.filter(section=section).first().pk),
        ("scoring", "assessment/events/", RecordedEvent.objects.first().pk),
        ("scoring", "assessment/rounds/scores/", Score.objects.filter(round=round_).first().pk),
        ("scoring", "assessment/rounds/", round_.pk),
        ("scoring", "assessment/scores/", Score.objects.filter(round=round_).first().pk),
        ("workdays", "workdays/days/", CalendarDay.objects.first().pk),
        ("cases", "cases/enterprises/", demo["project"].general_contractor_id),
        ("cases", "cases/projects/", demo["project"].pk),
        # Refused before any lookup: an id of a letter or meeting (the demo's first) is enough.
        ("cases", "cases/letters/", 1),
        ("cases", "cases/meetings/", 1),
        ("cases", "cases/demands/", Demand.objects.order_by("pk").first().pk),
        # Every other page of the area: the duties are refused before any lookup, so any id shows the refusal.
        ("cases", "cases/", 1),
        ("assistance", "assistance/", 1),
    ]
    others = {
        "question_pk": demo["question"].pk,
        "target_pk": demo["target"].pk,
        "unit_pk": demo["result"].unit_id,
        "questionnaire_pk": demo["questionnaire"].pk,
        "step": "publish",
        "node_pk": demo["subcontract"].pk,
        "decision_pk": 1,
        "action": "reply",
        "week": "2026-09-14",  # the weekly digest's Monday
    }
    if name in others:
        return others[name]
    for area, start, pk in by_route:
        if namespace == area and route.startswith(start):
            return pk
    raise AssertionError(f"no record for {namespace}:{route} — add the new page to this test")


def test_every_business_page_is_refused_to_the_three_duties_and_shows_no_data(demo):
    pages = business_pages()
    assert {namespace for namespace, *_ in pages} == {
        "checklists",
        "surveys",
        "scoring",
        "evidence",
        "workdays",
        "cases",
        "assistance",
        "overview",
        "jobs",  # a job's outcome is business data: a compute's counts, an export's file
    }
    assert len(pages) > 60
    item, questionnaire = demo["item"], demo["questionnaire"]
    markers = [item.content[:12], questionnaire.title, demo["round"].name, demo["result"].unit.name]
    markers += [demo["project"].name, demo["project"].general_contractor.credit_code]
    clients = {username: Client() for username in DUTIES}
    for username, client in clients.items():
        assert client.post("/login/", {"username": username, "password": "Qingdan@2026"}).status_code == 302
    for namespace, name, route, pattern in pages:
        kwargs = {key: pk_for(namespace, route, key, demo) for key in pattern.converters}
        url = reverse(f"{namespace}:{name}", kwargs=kwargs)
        for username, client in clients.items():
            for method in (client.get, client.post):
                response = method(url)
                body = response.content.decode()
                assert response.status_code == 403, (username, url, response.status_code)
                assert REFUSAL in body, (username, url)
                assert not [m for m in markers if m in body], (username, url)
    # The same pages hold the county's records for the office that runs them.
    office = Client()
    office.post("/login/", {"username": "office", "password": "Qingdan@2026"})
    assert item.content[:12] in office.get(reverse("checklists:item", args=[item.pk])).content.decode()
    assert office.get(reverse("evidence:file", args=[demo["evidence"].pk])).status_code == 200
    assert office.get(reverse("checklists:document", args=[demo["document"].pk])).status_code == 200
    assert office.get(reverse("scoring:results_xlsx", args=[demo["round"].pk])).status_code == 200
    assert office.get(reverse("checklists:items_export")).status_code == 200


def test_the_business_api_is_refused_to_the_three_duties(demo):
    from orgs.services import create_api_token

    spec = Client().get("/api/v1/openapi.json").json()
    business = [
        (path, method)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if path not in ("/api/v1/me", "/api/v1/orgs", "/api/v1/orgs/{unit_id}") and operation.get("security")
    ]
    assert len(business) > 25
    fill = {"item_id": demo["item"].pk, "round_id": demo["round"].pk, "questionnaire_id": demo["questionnaire"].pk}
    for username in DUTIES:
        user = User.objects.get(username=username)
        raw = create_api_token(user=user, name="walk", scope="write", actor=user)[1]
        api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        for path, method in business:
            url = path
            for key in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
                url = url.replace("{" + key + "}", str(fill.get(key, 1)))
            response = getattr(api, method)(url, content_type="application/json", data={} if method != "get" else None)
            assert response.status_code == 403, (username, method, url, response.status_code)
            assert response.json()["code"] == "separated_duties" and REFUSAL in response.json()["message"]
        assert api.get("/api/v1/me").json()["username"] == username
        assert api.get("/api/v1/orgs").status_code == 200
        session = Client()
        session.post("/login/", {"username": username, "password": "Qingdan@2026"})
        assert session.get("/api/v1/items").json()["code"] == "separated_duties"
    office = User.objects.get(username="office")
    raw = create_api_token(user=office, name="walk", scope="read", actor=office)[1]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/items").json()["count"] > 0


def test_their_read_paths_return_nothing_and_their_menu_holds_no_business(demo):
    for username in DUTIES:
        user = User.objects.get(username=username)
        assert not visible_items(user).exists() and not downloadable(user).exists()
        assert not visible_rounds(user).exists() and not visible_questionnaires(user).exists()
        assert not visible_enterprises(user).exists()
        client = Client()
        client.post("/login/", {"username": username, "password": "Qingdan@2026"})
        home = client.get("/").content.decode()
        for business in ("责任清单", "/lists/items/", "问卷调查", "考核轮次", "企业名录"):
            assert business not in home, (username, business)
        assert "组织机构" in home
    office = demo["office"]
    assert visible_items(office).exists() and downloadable(office).exists() and visible_rounds(office).exists()


def test_a_duty_held_beside_a_business_role_leaves_the_business_open(demo):
    binhai = OrgUnit.objects.get(name="滨海县总工会")
    both = UserFactory(username="admin-leader", org_unit=binhai, roles=[Role.SYSADMIN, Role.LEADER])
    client = Client()
    client.post("/login/", {"username": "admin-leader", "password": PASSWORD})
    assert client.get("/lists/items/").status_code == 200
    assert demo["item"].content[:12] in client.get(reverse("checklists:item", args=[demo["item"].pk])).content.decode()
    assert visible_items(both).exists()
