"""The item pages: list, filters and export; the detail page with its timeline and the actions each
person may take; the phone-friendly close-out application; documents and evidence downloads."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from checklists import inbox, services, tally, workflow
from checklists.models import DocumentKind, Extension, ExtensionStatus, Item, ItemStatus
from documents.official import plain_text
from evidence import services as library
from evidence.models import Evidence
from orgs.models import Role
from orgs.tests.factories import UserFactory
from qingdan import clock
from qingdan.spreadsheets import write_workbook
from surveys import services as survey_services

pytestmark = pytest.mark.django_db
TODAY = clock.today
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CONFLICT = "该事项已被他人处理或修改，请重新读取后再试。"


def _page(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _follow(client, url, data, **extra):
    response = client.post(url, data, follow=True, **extra)
    return _page(response)


def _version(item):
    return Item.objects.get(pk=item.pk).version


def _overdue(item, days=3):
    Item.objects.filter(pk=item.pk).update(deadline=TODAY() - timedelta(days=days))


def _applied(item, reporter):
    return workflow.apply_for_closeout(item=item, actor=reporter, report="已完成。")


# --- the list -----------------------------------------------------------------------------


def test_list_shows_the_items_with_status_and_colour_words(client_for, reporter, item, deep_item):
    Item.objects.filter(pk=deep_item.pk).update(deadline=TODAY() + timedelta(days=3))
    page = _page(client_for(reporter).get("/lists/items/"))
    assert "改善技术人才居住条件" in page and "开展职工技能竞赛" in page
    assert page.count("已下达") >= 2
    assert "蓝色" in page  # deadline in 3 days: near
    assert "技术工人队伍建设责任清单" in page and "滨产改办〔2026〕3号" in page


def test_list_filters_by_status_text_colour_unit_deadline_and_sorts(client_for, office, reporter, item, deep_item):
    client = client_for(office)
    _applied(item, reporter)
    page = _page(client.get("/lists/items/", {"status": "applied"}))
    assert "改善技术人才居住条件" in page and "开展职工技能竞赛" not in page
    page = _page(client.get("/lists/items/", {"q": "技能竞赛"}))
    assert "开展职工技能竞赛" in page and "改善技术人才居住条件" not in page
    Item.objects.filter(pk=deep_item.pk).update(urgings=1, deadline_urgings=1)
    tally.rebuild()  # set straight in the table
    page = _page(client.get("/lists/items/", {"colour": "yellow"}))
    assert "开展职工技能竞赛" in page and "改善技术人才居住条件" not in page and "黄色" in page
    page = _page(client.get("/lists/items/", {"unit": office.org_unit.pk}))
    assert "没有符合条件的事项" in page
    page = _page(client.get("/lists/items/", {"unit": office.org_unit.pk, "below": "on"}))
    assert "开展职工技能竞赛" in page
    page = _page(client.get("/lists/items/", {"deadline_to": (TODAY() + timedelta(days=15)).isoformat()}))
    assert "开展职工技能竞赛" in page and "改善技术人才居住条件" not in page
    page = _page(client.get("/lists/items/", {"sort": "-deadline"}))
    assert page.index("改善技术人才居住条件") < page.index("开展职工技能竞赛")
    page = _page(client.get("/lists/items/", {"show": "all"}))  # the old view: every item by deadline
    assert page.index("开展职工技能竞赛") < page.index("改善技术人才居住条件")
    page = _page(client.get("/lists/items/"))  # open work: the application waiting for the office first
    assert page.index("改善技术人才居住条件") < page.index("开展职工技能竞赛")


def test_waiting_for_me_and_inbox_links_show_the_counted_rows(client_for, office, reporter, reviewer, item, deep_item):
    _overdue(deep_item)
    tasks = {t["label"]: t for t in inbox.items(reporter)}
    assert tasks["已逾期"]["count"] == 1 and tasks["已逾期"]["overdue"]
    assert tasks["待申请销号"]["count"] == 1
    client = client_for(reporter)
    assert tasks["待申请销号"]["url"] == f"/lists/items/{item.pk}/"  # one item waiting: straight to it
    page = _page(client.get("/lists/items/", {"task": "apply"}))
    assert "改善技术人才居住条件" in page and "开展职工技能竞赛" not in page and "待申请销号" in page
    page = _page(client.get("/lists/items/", {"mine": "on"}))
    assert "改善技术人才居住条件" in page and "开展职工技能竞赛" in page
    # The reviewer waits for nothing until an application comes in.
    assert _page(client_for(reviewer).get("/lists/items/", {"mine": "on"})).count("没有符合条件的事项") == 1
    _applied(item, reporter)
    tasks = {t["label"]: t for t in inbox.items(reviewer)}
    assert tasks["待验收"]["count"] == 1 and tasks["待验收"]["url"] == f"/lists/items/{item.pk}/"
    page = _page(client_for(reviewer).get("/lists/items/", {"task": "verify"}))
    assert "改善技术人才居住条件" in page and "开展职工技能竞赛" not in page
    # The office may verify too (permissions.can_verify), so the application waits for it as well.
    office_tasks = {t["label"]: t["count"] for t in inbox.items(office)}
    assert office_tasks == {"已逾期待催办": 1, "待验收": 1}


def test_inbox_of_the_evaluator_and_the_office_extensions(reporter, reviewer, office, evaluator, item, deep_item):
    _applied(deep_item, reporter)
    workflow.verify(item=deep_item, actor=reviewer, passed=True, opinion="转深度验收", evaluator=evaluator)
    workflow.request_extension(item=item, actor=reporter, new_deadline=TODAY() + timedelta(days=60), reason="工期")
    assert [(t["label"], t["count"]) for t in inbox.items(evaluator)] == [("待深度验收", 1)]
    assert [(t["label"], t["count"]) for t in inbox.items(office)] == [("待审批延期", 1)]


def test_export_has_exactly_the_filtered_rows(client_for, office, item, deep_item):
    response = client_for(office).get("/lists/items/export/", {"q": "技能竞赛"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert list(rows[0]) == [
        "清单",
        "文号",
        "责任单位",
        "事项内容",
        "完成标准",
        "完成时限",
        "状态",
        "催办次数",
        "督办颜色",
    ]
    assert len(rows) == 2
    assert rows[1][:4] == ("技术工人队伍建设责任清单", "滨产改办〔2026〕3号", "县交通运输局", "开展职工技能竞赛")
    assert rows[1][6] == "已下达"


def test_list_queries_do_not_grow_with_rows(client_for, office, dept_a, item):
    client = client_for(office)
    client.get("/lists/items/")  # warm up the session

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/lists/items/").status_code == 200
        return len(ctx)

    few = count()
    services.issue_checklist(
        actor=office,
        responsible_unit=dept_a,
        title="批量清单",
        items=[{"content": f"事项{n}", "deadline": TODAY() + timedelta(days=n)} for n in range(40)],
    )
    Item.objects.filter(content__startswith="事项1").update(urgings=2, deadline_urgings=2)
    tally.rebuild()
    assert count() == few


def test_other_county_gets_404_everywhere(client_for, outsider, reporter, reviewer, item):
    evidence = library.keep(uploaded=SimpleUploadedFile("报告.pdf", PDF), actor=reporter)
    workflow.apply_for_closeout(item=item, actor=reporter, report="已完成", evidence=[evidence])
    workflow.verify(item=item, actor=reviewer, passed=True, opinion="通过")
    document = item.documents.get()
    client = client_for(outsider)
    assert "改善技术人才居住条件" not in _page(client.get("/lists/items/"))
    export = client.get("/lists/items/export/")
    assert len(list(load_workbook(io.BytesIO(export.content)).active.values)) == 1
    for url in (
        f"/lists/items/{item.pk}/",
        f"/lists/items/{item.pk}/apply/",
        f"/lists/documents/{document.pk}/",
        f"/lists/documents/{document.pk}/print/",
        f"/evidence/{evidence.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/lists/items/{item.pk}/urge/", {"version": 0}).status_code == 404


# --- the detail page and its actions -----------------------------------------------------


def test_detail_shows_facts_timeline_and_only_the_actions_allowed(client_for, reporter, reviewer, leader, item):
    page = _page(client_for(reporter).get(f"/lists/items/{item.pk}/"))
    for text in ("技术工人队伍建设责任清单", "滨产改办〔2026〕3号", "县人社局", "人才公寓改造完成并入住", "时间轴"):
        assert text in page
    assert "申请销号" in page and "申请延期" in page and "确认通过" not in page
    page = _page(client_for(reviewer).get(f"/lists/items/{item.pk}/"))
    assert "可办理的操作" not in page and f"/lists/items/{item.pk}/apply/" not in page
    _applied(item, reporter)
    page = _page(client_for(reviewer).get(f"/lists/items/{item.pk}/"))
    assert "确认通过" in page and "确认不通过" in page and "转深度验收" in page
    assert "可办理的操作" not in _page(client_for(leader).get(f"/lists/items/{item.pk}/"))


def test_reviewer_passes_through_the_page_and_the_confirmation_downloads(client_for, reporter, reviewer, item):
    _applied(item, reporter)
    page = _follow(
        client_for(reviewer),
        f"/lists/items/{item.pk}/verify/",
        {"decision": "pass", "opinion": "经现场核实，符合要求。", "version": _version(item)},
    )
    assert "验收通过，事项已销号" in page and "已销号" in page and "经现场核实，符合要求。" in page
    document = Item.objects.get(pk=item.pk).documents.get(kind=DocumentKind.CONFIRMATION)
    assert document.number in page
    listed = _page(client_for(reviewer).get("/lists/items/", {"status": "closed"}))
    assert re.search(r'data-status="closed"[^>]*>已销号<', listed) and "已截止" not in listed
    response = client_for(reporter).get(f"/lists/documents/{document.pk}/")
    assert response["Content-Disposition"].startswith("attachment")
    text = plain_text(response.content)
    assert "销号确认书" in text and document.number in text and "县交通运输局：" in text
    assert "准予销号" in text and "人才公寓改造完成并入住" in text and "滨海县总工会" in text


def test_fail_issues_the_rectification_letter_and_refusals_keep_the_typing(client_for, reporter, reviewer, item):
    _applied(item, reporter)
    client = client_for(reviewer)
    url = f"/lists/items/{item.pk}/verify/"
    data = {
        "decision": "fail",
        "opinion": "佐证材料不全。",
        "findings": "未见入住名单",
        "fixes": "补充入住人员名单和照片",
        "new_deadline": TODAY().isoformat(),
        "version": _version(item),
    }
    page = _page(client.post(url, data))
    assert "请填写新的整改期限，须晚于今天。" in page and "未见入住名单" in page
    assert Item.objects.get(pk=item.pk).status == ItemStatus.APPLIED
    page = _page(client.post(url, {**data, "findings": "", "new_deadline": ""}))
    assert "未做任何更改" in page and Item.objects.get(pk=item.pk).status == ItemStatus.APPLIED
    new_deadline = TODAY() + timedelta(days=20)
    page = _follow(client, url, {**data, "new_deadline": new_deadline.isoformat()})
    letter = Item.objects.get(pk=item.pk).documents.get(kind=DocumentKind.RECTIFICATION)
    assert f"验收未通过，已出具整改意见书（{letter.number}）" in page and "整改中" in page
    text = plain_text(client.get(f"/lists/documents/{letter.pk}/").content)
    assert "整改意见书" in text and "未见入住名单" in text and "补充入住人员名单和照片" in text
    assert f"请于{new_deadline.year}年{new_deadline.month}月{new_deadline.day}日前完成整改" in text
    # The reporter sees the rectification waiting and may apply again.
    page = _page(client_for(reporter).get(f"/lists/items/{item.pk}/"))
    assert "原定完成时限" in page and "申请销号" in page


def test_a_reporter_cannot_verify_and_a_reviewer_cannot_verify_an_issued_item(client_for, reporter, reviewer, item):
    data = {"decision": "pass", "opinion": "通过", "version": _version(item)}
    page = _page(client_for(reviewer).post(f"/lists/items/{item.pk}/verify/", data))
    assert "该事项当前为“已下达”，现在不能验收通过。" in page
    _applied(item, reporter)
    page = _page(client_for(reporter).post(f"/lists/items/{item.pk}/verify/", {**data, "version": _version(item)}))
    assert "您的角色或所在单位不允许对该事项执行此操作。" in page
    assert Item.objects.get(pk=item.pk).status == ItemStatus.APPLIED


def test_two_reviewers_at_once_the_second_gets_the_conflict_message(client_for, reporter, reviewer, office, item):
    _applied(item, reporter)
    version = _version(item)
    first, second = client_for(reviewer), client_for(office)
    _follow(first, f"/lists/items/{item.pk}/verify/", {"decision": "pass", "opinion": "通过", "version": version})
    page = _follow(
        second,
        f"/lists/items/{item.pk}/verify/",
        {
            "decision": "fail",
            "opinion": "不通过",
            "findings": "x",
            "fixes": "y",
            "new_deadline": (TODAY() + timedelta(days=9)).isoformat(),
            "version": version,
        },
    )
    assert CONFLICT in page
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED and item.rectifications == 0
    assert not item.documents.filter(kind=DocumentKind.RECTIFICATION).exists()


def _answer_poll(item, satisfied, total):
    poll = item.satisfaction_poll
    question = poll.questionnaire.questions.get(code="S1")
    for n, token in enumerate(poll.tokens.order_by("pk")[:total]):
        level = "very_satisfied" if n < satisfied else "unsatisfied"
        survey_services.submit_poll_response(poll=poll, raw={question.pk: [level]}, token=token.token)


def test_deep_review_through_the_pages(client_for, reporter, reviewer, evaluator, office, deep_item):
    _applied(deep_item, reporter)
    client = client_for(reviewer)
    page = _page(client.get(f"/lists/items/{deep_item.pk}/"))
    assert "通过，转深度验收" in page and evaluator.display_name in page
    url = f"/lists/items/{deep_item.pk}/verify/"
    page = _page(client.post(url, {"decision": "pass", "opinion": "请深度验收", "version": _version(deep_item)}))
    assert "未做任何更改" in page and Item.objects.get(pk=deep_item.pk).status == ItemStatus.APPLIED
    page = _follow(
        client,
        url,
        {"decision": "pass", "opinion": "请深度验收", "evaluator": evaluator.pk, "version": _version(deep_item)},
    )
    assert f"事项转由{evaluator.display_name}进行深度验收" in page and "深度验收中" in page
    item = Item.objects.get(pk=deep_item.pk)
    # Only the assigned evaluator records the review; the poll link is for the office.
    assert "记录深度验收" not in _page(client.get(f"/lists/items/{item.pk}/"))
    assert f"/surveys/polls/{item.satisfaction_poll_id}/" in _page(client_for(office).get(f"/lists/items/{item.pk}/"))
    evaluation = {
        "report_notes": "听取汇报",
        "ledger_notes": "台账齐全",
        "site_notes": "现场核实",
        "symposium_notes": "与10名职工座谈",
        "conclusion": "pass",
        "opinion": "职工认可。",
        "version": item.version,
    }
    url = f"/lists/items/{item.pk}/evaluate/"
    stranger = UserFactory(username="evaluator2", org_unit=evaluator.org_unit, roles=[Role.EVALUATOR])
    assert client_for(stranger).post(url, evaluation).status_code == 404  # not assigned: not even seen
    # An evaluator at the county sees only the items assigned to them, not the county's.
    county_evaluator = UserFactory(username="evaluator3", org_unit=office.org_unit, roles=[Role.EVALUATOR])
    assert client_for(county_evaluator).post(url, evaluation).status_code == 404
    evaluator_client = client_for(evaluator)
    assert "记录深度验收" in _page(evaluator_client.get(f"/lists/items/{item.pk}/"))
    _answer_poll(item, 7, 10)  # 70%: below the line
    page = _page(evaluator_client.post(url, evaluation))
    assert "该事项将转入整改" in page and "70.0%" in page and "听取汇报" in page
    assert Item.objects.get(pk=item.pk).status == ItemStatus.DEEP_REVIEW
    page = _follow(evaluator_client, url, {**evaluation, "new_deadline": (TODAY() + timedelta(days=15)).isoformat()})
    assert "深度验收已记录，事项转入整改" in page and "台账齐全" in page
    assert Item.objects.get(pk=item.pk).status == ItemStatus.RECTIFYING


def test_deep_review_closes_at_the_threshold(client_for, reporter, reviewer, evaluator, item):
    _applied(item, reporter)
    page = _follow(
        client_for(reviewer),
        f"/lists/items/{item.pk}/verify/",
        {"decision": "deep", "opinion": "转深度验收", "evaluator": evaluator.pk, "version": _version(item)},
    )
    assert "深度验收中" in page
    item = Item.objects.get(pk=item.pk)
    _answer_poll(item, 8, 10)
    from django.core.files.uploadedfile import SimpleUploadedFile

    minutes = SimpleUploadedFile("座谈会记录.pdf", b"%PDF-1.4\n%%EOF\n")
    page = _follow(
        client_for(evaluator),
        f"/lists/items/{item.pk}/evaluate/",
        {"conclusion": "pass", "opinion": "符合要求", "version": item.version, "attachments": minutes},
    )
    assert "深度验收已记录，事项已销号" in page and "80.0%" in page
    assert "座谈会记录.pdf" in page
    assert list(item.evaluations.get().attachments.values_list("name", flat=True)) == ["座谈会记录.pdf"]


def test_extension_requested_and_decided_through_the_pages(client_for, reporter, office, item):
    client = client_for(reporter)
    url = f"/lists/items/{item.pk}/extend/"
    page = _page(client.post(url, {"new_deadline": TODAY().isoformat(), "reason": "工期紧", "version": 0}))
    assert "新的完成时限须晚于当前时限" in page and not Extension.objects.exists()
    new_deadline = TODAY() + timedelta(days=60)
    page = _follow(client, url, {"new_deadline": new_deadline.isoformat(), "reason": "工期紧", "version": 0})
    assert "延期申请已报送督办单位" in page and "待审批" in page and "确认通过" not in page
    page = _page(client.get(f"/lists/items/{item.pk}/"))
    assert 'data-bs-target="#act-extend"' not in page  # one request at a time
    office_client = client_for(office)
    page = _page(office_client.get(f"/lists/items/{item.pk}/"))
    assert "批准" in page and "不批准" in page and f"申请将完成时限延至{new_deadline:%Y-%m-%d}" in page
    decide = f"/lists/items/{item.pk}/extension/"
    page = _page(client.post(decide, {"approve": "1", "version": _version(item)}))
    assert "您的角色或所在单位不允许对该事项执行此操作。" in page
    page = _follow(office_client, decide, {"approve": "1", "note": "同意", "version": _version(item)})
    assert f"已批准延期，新的完成时限为{new_deadline:%Y-%m-%d}" in page and "原定完成时限" in page
    item.refresh_from_db()
    assert item.deadline == new_deadline and item.original_deadline == TODAY() + timedelta(days=30)
    page = _follow(office_client, decide, {"approve": "0", "version": item.version})
    assert "没有待审批的延期申请" in page


def test_extension_refused_and_stale_decision(client_for, reporter, office, item):
    extension = workflow.request_extension(
        item=item, actor=reporter, new_deadline=TODAY() + timedelta(days=40), reason="需协调"
    )
    client = client_for(office)
    decide = f"/lists/items/{item.pk}/extension/"
    assert CONFLICT in _follow(client, decide, {"approve": "0", "version": _version(item) - 1})
    assert Extension.objects.get(pk=extension.pk).status == ExtensionStatus.PENDING
    page = _follow(client, decide, {"approve": "0", "note": "理由不充分", "version": _version(item)})
    assert "已不批准延期" in page and "延期未批准" in page
    assert Item.objects.get(pk=item.pk).deadline == TODAY() + timedelta(days=30)


def test_office_urges_an_overdue_item_and_the_notice_reads_right(client_for, office, reporter, item):
    client = client_for(office)
    assert 'data-testid="urge"' not in _page(client.get(f"/lists/items/{item.pk}/"))  # not overdue yet
    _overdue(item, days=5)
    page = _page(client.get(f"/lists/items/{item.pk}/"))
    assert 'data-testid="urge"' in page
    page = _page(client_for(reporter).post(f"/lists/items/{item.pk}/urge/", {"version": _version(item)}))
    assert "您的角色或所在单位不允许对该事项执行此操作。" in page
    page = _follow(client, f"/lists/items/{item.pk}/urge/", {"version": _version(item)})
    document = Item.objects.get(pk=item.pk).documents.get(kind=DocumentKind.URGING)
    assert f"已发出催办通知书（{document.number}）" in page and "第1次催办，已逾期5天" in page
    assert 'data-testid="urge"' not in page  # urged today
    page = _follow(client, f"/lists/items/{item.pk}/urge/", {"version": _version(item)})
    assert "该事项今天已催办" in page and Item.objects.get(pk=item.pk).urgings == 1
    text = plain_text(client_for(reporter).get(f"/lists/documents/{document.pk}/").content)
    assert "催办通知书" in text and document.number in text and "县交通运输局：" in text
    assert "已逾期5天" in text and "第1次书面催办" in text
    assert "请于收到本通知后5个工作日内报送办理情况" in text
    assert "事项内容\t完成标准\t完成时限" in text
    page = _page(client.get(f"/lists/documents/{document.pk}/print/"))
    assert document.number in page and "data-print" in page and "official-document" in page


# --- applying from a phone ----------------------------------------------------------------


def test_apply_with_an_upload_and_a_library_file(client_for, reporter, item, deep_item):
    roster = library.keep(
        uploaded=SimpleUploadedFile("职工名册.xlsx", write_workbook("名册", ["姓名"], [["张三"]])), actor=reporter
    )
    client = client_for(reporter)
    page = _page(client.get(f"/lists/items/{item.pk}/apply/"))
    assert "完成情况报告" in page and "职工名册.xlsx" in page and 'name="files"' in page
    page = _follow(
        client,
        f"/lists/items/{item.pk}/apply/",
        {
            "report": "人才公寓已改造，28名技术人才入住。",
            "version": _version(item),
            "library": [roster.pk],
            "files": [SimpleUploadedFile("验收报告.pdf", PDF, content_type="application/pdf")],
        },
    )
    assert "销号申请已提交，等待验收" in page and "已申请销号" in page
    assert "验收报告.pdf" in page and "职工名册.xlsx" in page and "第1次申请销号" in page
    item = Item.objects.get(pk=item.pk)
    assert item.status == ItemStatus.APPLIED
    assert set(item.evidence.values_list("name", flat=True)) == {"验收报告.pdf", "职工名册.xlsx"}
    report = item.evidence.get(name="验收报告.pdf")
    response = client.get(f"/evidence/{report.pk}/")
    assert b"".join(response.streaming_content) == PDF and "attachment" in response["Content-Disposition"]
    # The uploaded file is now in the library for the next item: no second upload.
    page = _page(client.get(f"/lists/items/{deep_item.pk}/apply/"))
    assert "验收报告.pdf" in page


def test_a_fake_pdf_is_refused_and_nothing_changes(client_for, reporter, item):
    client = client_for(reporter)
    page = _page(
        client.post(
            f"/lists/items/{item.pk}/apply/",
            {
                "report": "已完成。",
                "version": _version(item),
                "files": [
                    SimpleUploadedFile("好的.pdf", PDF),
                    SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf"),
                ],
            },
        )
    )
    assert "“报告.pdf”的内容与其扩展名不符。" in page and "已完成。" in page
    assert Item.objects.get(pk=item.pk).status == ItemStatus.ISSUED and not Evidence.objects.exists()


def test_apply_refusals_co_unit_stale_and_missing_report(client_for, reporter, co_reporter, item):
    client = client_for(co_reporter)
    page = _page(client.get(f"/lists/items/{item.pk}/apply/", follow=True))
    assert "您现在不能对该事项申请销号" in page
    page = _follow(client, f"/lists/items/{item.pk}/apply/", {"report": "x", "version": _version(item)})
    assert "您现在不能对该事项申请销号" in page and Item.objects.get(pk=item.pk).status == ItemStatus.ISSUED
    reporter_client = client_for(reporter)
    page = _page(reporter_client.post(f"/lists/items/{item.pk}/apply/", {"report": "", "version": _version(item)}))
    assert re.search("必填|This field is required", page)
    stale = _version(item)
    _applied(item, reporter)
    page = _follow(reporter_client, f"/lists/items/{item.pk}/apply/", {"report": "再次", "version": stale})
    assert CONFLICT in page and Item.objects.get(pk=item.pk).applications == 1


def test_evidence_of_another_units_library_is_not_downloadable(client_for, reporter, co_reporter, office, item):
    theirs = library.keep(uploaded=SimpleUploadedFile("人社局.pdf", PDF), actor=co_reporter)
    assert client_for(reporter).get(f"/evidence/{theirs.pk}/").status_code == 404
    assert client_for(co_reporter).get(f"/evidence/{theirs.pk}/").status_code == 200
    services.attach_evidence(item=item, evidence=theirs, actor=co_reporter)  # a co-unit contributes evidence
    assert client_for(reporter).get(f"/evidence/{theirs.pk}/").status_code == 200
    assert client_for(office).get(f"/evidence/{theirs.pk}/").status_code == 200


def test_the_figures_filters_select_the_items_behind_a_figure(client_for, office, reporter, item, deep_item):
    _overdue(deep_item)
    client = client_for(office)
    page = _page(client.get("/lists/items/", {"overdue": "1", "office": office.org_unit.pk}))
    assert "开展职工技能竞赛" in page and "改善技术人才居住条件" not in page
    assert "当前逾期" in page and "下达单位：滨海县总工会" in page
    assert 'name="overdue" value="1"' in page  # kept when the filter bar is used again
    page = _page(client.get("/lists/items/", {"category": "none", "closed": "1"}))
    assert "没有符合条件的事项" in page
    page = _page(client.get("/lists/items/", {"category": "none"}))
    assert "开展职工技能竞赛" in page and "改善技术人才居住条件" in page
    export = client.get("/lists/items/export/", {"overdue": "1"})
    assert len(list(load_workbook(io.BytesIO(export.content)).active.values)) == 2


def test_a_co_unit_adds_evidence_but_cannot_apply(client_for, co_reporter, item):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(co_reporter)
    page = client.get(f"/lists/items/{item.pk}/").content.decode()
    assert 'data-testid="add-evidence"' in page and 'data-testid="apply"' not in page
    pdf = SimpleUploadedFile("协办材料.pdf", b"%PDF-1.4\n%%EOF\n")
    page = client.post(f"/lists/items/{item.pk}/evidence/", {"files": pdf}, follow=True).content.decode()
    assert "已为该事项添加 1 个文件。" in page
    assert list(item.evidence.values_list("name", flat=True)) == ["协办材料.pdf"]
    assert client.get(f"/lists/items/{item.pk}/apply/", follow=True).status_code == 200
    item.refresh_from_db()
    assert item.status == "issued"


def test_an_archived_document_keeps_the_names_it_was_issued_with(client_for, item, reporter, reviewer, dept_a):
    from checklists import workflow
    from documents.official import plain_text

    workflow.apply_for_closeout(item=item, actor=reporter, report="已完成。")
    workflow.verify(item=item, actor=reviewer, passed=True, opinion="符合要求。")
    dept_a.name = "县交通运输局（更名后）"
    dept_a.save(update_fields=["name"])
    document = item.documents.get()
    text = plain_text(client_for(reviewer).get(f"/lists/documents/{document.pk}/").content)
    assert "县交通运输局：" in text and "更名后" not in text and document.number in text
