"""A normal 整改意见书 prints on one A4 page: body, table, seal, issuer and date together (the print page as
Chromium prints it, through ``page.pdf``)."""

import re
from datetime import timedelta

from playwright.sync_api import Page

from tests.journeys import sign_in


def _rectification(site):
    from checklists import services, workflow
    from checklists.models import DocumentKind
    from orgs.models import OrgUnit, User
    from qingdan import clock

    office, reporter, reviewer = (User.objects.get(username=name) for name in ("office", "reporter", "reviewer"))
    today = clock.today()
    checklist = services.issue_checklist(
        actor=office,
        responsible_unit=OrgUnit.objects.get(name="县交通运输局"),
        title="技术工人队伍建设责任清单",
        doc_number="滨产改办〔2026〕3号",
        items=[
            {
                "content": "改善技术人才居住条件，推进人才公寓建设，解决新引进技术工人的住房困难",
                "standard": "人才公寓改造完成并入住，入住率不低于80%，入住名单和照片报县总工会备案",
                "deadline": today + timedelta(days=30),
            }
        ],
    )
    item = checklist.items.get()
    workflow.apply_for_closeout(item=item, actor=reporter, report="人才公寓已改造完成，职工已陆续入住。")
    workflow.verify(
        item=item,
        actor=reviewer,
        passed=False,
        opinion="佐证材料不全，现场核查与申报情况不符。",
        findings="未见入住名单，现场核查发现人才公寓仅完成主体改造，配套设施尚未到位，入住率不足一半。",
        fixes="补充入住人员名单和照片，完善配套设施，于整改期限内组织入住并报送整改情况。",
        new_deadline=today + timedelta(days=20),
    )
    return item.documents.get(kind=DocumentKind.RECTIFICATION)


def _pages(pdf):
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_a_rectification_letter_prints_on_one_page(page: Page, site, screenshots_dir):
    letter = _rectification(site)
    page.goto(f"{site}/lists/documents/{letter.pk}/print/")
    sign_in(page, site, "office")
    page.wait_for_selector(".official-document")
    assert "整改意见书" in page.inner_text(".official-document")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    (screenshots_dir / "rectification-letter.pdf").write_bytes(pdf)
    assert _pages(pdf) == 1
