"""The audit log reads as Chinese: every recorded code has a label, and a page of real events names who, what, the
record by name with its link, and the change as old → new, with no code, dict, None or "#" reference."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit import labels
from audit.describe import Describer, describe
from audit.models import AuditEvent
from audit.refusals import Kind
from audit.services import record
from audit.tests.codescan import recorded_codes, recorded_keys
from checklists.tests.conftest import checklist, co_reporter, item  # noqa: F401 - a real item to name
from orgs.models import Role
from orgs.rules import set_rule
from orgs.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_code_the_code_base_records_has_a_label():
    codes, unresolved = recorded_codes()
    assert not unresolved, f"codes built in a way the scan cannot follow: {unresolved}"
    assert len(codes) > 150  # the scan still finds the areas' codes
    known = labels.all_actions()
    missing = {code: where for code, where in codes.items() if code not in known}
    assert not missing, f"declare these in the area's audit_labels.py: {missing}"


def test_every_refusal_kind_has_a_label():
    kinds = [v for k, v in vars(Kind).items() if not k.startswith("_")]
    assert all(labels.action_label(kind) for kind in kinds)


def test_every_data_key_the_code_base_records_has_a_chinese_label(auditor):
    keys = recorded_keys()
    assert len(keys) > 100
    describer = Describer(auditor)
    prefix = {"orgs": "auth"}  # orgs writes auth.* and orgs.* events; both read the same words
    unlabelled = []
    for area, key in sorted(keys):
        event = type("Event", (), {"action": f"{prefix.get(area, area)}.any", "object_type": ""})()
        label = describer.label(event, key)
        if label == "其他" or not re.search(r"[\u4e00-\u9fff]", label):
            unlabelled.append((area, key))
    assert not unlabelled, f"declare these keys in the area's audit_labels.py: {unlabelled}"


def events_part(page):
    return page.split('data-testid="events-phone"', 1)[1]


def assert_readable(text):
    assert "None" not in text and "{'" not in text and '{"' not in text
    assert not re.search(r"#\d", text), "a # reference reached the page"


def test_page_names_who_what_which_record_and_the_change(client_for, auditor, office, reviewer, item):  # noqa: F811
    office.full_name = "王芳"
    office.save()
    record(action="auth.login", actor=office, obj=office)
    record(
        action="checklists.closed",
        actor=reviewer,
        obj=item,
        org_unit=item.responsible_unit,
        before={"status": "applied"},
        after={"status": "closed"},
    )
    record(  # as scoring.workflow writes a self-assessment score, of a round since removed
        action="scoring.score_self",
        actor=office,
        object_type="scoring.round",
        object_id="999",
        before={"criterion": "职工之家建设", "points": None},
        after={"points": "8.5", "reason": "已建成"},
    )
    set_rule(unit=office.org_unit, key="closeout.satisfaction_percent", value=90, actor=office)
    client_for(office).get("/audit/")  # refused: the office holds no auditor role
    page = events_part(client_for(auditor).get("/audit/").content.decode())
    assert_readable(page)
    assert "登录" in page and "王芳（office）" in page and office.org_unit.name in page
    assert "验收通过销号" in page and str(item) in page and "已申请销号" in page and "→" in page and "已销号" in page
    assert "填报自评分" in page and "第 999 号（已不存在）" in page and "8.5" in page and "—" in page
    assert "设置工作规则" in page and "深度验收销号所需满意率" in page and "90" in page
    assert "拒绝访问（角色无权）" in page and "/audit/" in page
    for code in ("auth.login", "checklists.closed", "scoring.score_self", "orgs.rule_set", "access.denied"):
        assert code not in page
    # the auditor (a separated duty) opens no business page: the record links to its history in the trail
    assert f"object_type=checklists.item&amp;object_id={item.pk}" in page


def test_a_business_reader_gets_the_records_page(office, reviewer, item):  # noqa: F811
    both = UserFactory(username="auditing-office", org_unit=office.org_unit, roles=[Role.AUDITOR, Role.OFFICE])
    record(action="checklists.urged", actor=reviewer, obj=item, after={"status": "issued", "urgings": 1})
    [entry] = describe(AuditEvent.objects.filter(action="checklists.urged"), both)
    assert entry.subject.name == str(item) and entry.subject.url == f"/lists/items/{item.pk}/"


def test_list_page_queries_do_not_grow_with_its_rows(client_for, auditor, office, reviewer, item):  # noqa: F811
    client = client_for(auditor)

    def queries():
        with CaptureQueriesContext(connection) as seen:
            assert client.get("/audit/").status_code == 200
        return len(seen)

    def some_events(n):
        for i in range(n):
            record(action="checklists.urged", actor=reviewer, obj=item, after={"status": "issued", "urgings": i})
            record(action="auth.login", actor=office, obj=office)
            record(action="orgs.rule_set", actor=office, obj=office.org_unit, after={"rule": "x", "value": i})

    some_events(2)
    few = queries()
    some_events(12)
    assert queries() == few


def test_action_filter_lists_labels_and_still_filters(client_for, auditor, office, reviewer, item):  # noqa: F811
    record(action="auth.login", actor=office, obj=office)
    record(action="checklists.urged", actor=reviewer, obj=item, after={"status": "issued", "urgings": 1})
    client = client_for(auditor)
    page = client.get("/audit/?action=checklists.").content.decode()
    assert '<option value="auth.login">登录</option>' in page
    assert '<option value="checklists." selected>“责任清单”全部</option>' in page
    events = events_part(page)
    assert "督办催办" in events and ">登录<" not in events
    assert "登录" in events_part(client.get("/audit/?action=auth.login").content.decode())


def test_export_reads_as_the_page(client_for, auditor, reviewer, item):  # noqa: F811
    import io

    from openpyxl import load_workbook

    record(
        action="checklists.closed",
        actor=reviewer,
        obj=item,
        org_unit=item.responsible_unit,
        before={"status": "applied"},
        after={"status": "closed"},
    )
    response = client_for(auditor).get("/audit/export/?action=checklists.closed")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    [row] = rows[1:]
    assert row[3] == "验收通过销号" and row[4] == str(item) and row[5] == "事项"
    assert row[9] == "状态：已申请销号 → 已销号"
