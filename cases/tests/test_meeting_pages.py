"""The joint meetings' pages: list, record with files, add, decision → item with its state shown, 404s."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import inbox_letters
from cases.meeting_flow import decision_to_item
from cases.models import JointMeeting
from cases.tests.test_letter_flow import PDF
from cases.tests.test_meeting_flow import meeting
from evidence.models import Evidence
from orgs.models import Role
from orgs.tests.factories import UserFactory


@pytest.fixture
def recorded(office, firm_a):
    return meeting(office, firm_a)


def test_the_office_records_a_meeting_with_a_file(client_for, office, firm_a):
    client = client_for(office)
    response = client.post(
        reverse("cases:meeting_new"),
        {
            "enterprise": firm_a.pk,
            "held_on": "2026-09-15",
            "title": "工资支付联席会议",
            "participants": "工会主席、企业负责人",
            "minutes": "",
            "decisions": "补发工资\n\n建立台账",
            "attachments": SimpleUploadedFile("纪要.pdf", PDF),
        },
    )
    found = JointMeeting.objects.get()
    assert response["Location"] == reverse("cases:meeting", args=[found.pk])
    assert found.decisions.count() == 2 and found.attachments.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "纪要.pdf" in page and "补发工资" in page


def test_a_bad_file_is_refused_by_name_and_nothing_is_recorded(client_for, office, firm_a):
    response = client_for(office).post(
        reverse("cases:meeting_new"),
        {
            "enterprise": firm_a.pk,
            "held_on": "2026-09-15",
            "title": "会议",
            "participants": "双方",
            "attachments": SimpleUploadedFile("纪要.exe", b"MZ"),
        },
    )
    assert response.status_code == 200 and "纪要.exe" in response.content.decode()
    assert not JointMeeting.objects.exists() and not Evidence.objects.exists()


def test_a_future_date_is_refused_on_the_page(client_for, office, firm_a):
    response = client_for(office).post(
        reverse("cases:meeting_new"),
        {"enterprise": firm_a.pk, "held_on": "2026-12-01", "title": "会议", "participants": "双方"},
    )
    assert "不能晚于今天" in response.content.decode()  # the clerk is told the date cannot be after today
    assert not JointMeeting.objects.exists()


def test_the_list_filters_and_counts_queries(client_for, office, firm_a, django_assert_max_num_queries):
    for n in range(3):
        meeting(office, firm_a, title=f"第{n}次会议")
    client = client_for(office)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("cases:meetings"))
    assert response.context["page"].paginator.count == 3
    assert client.get(reverse("cases:meetings") + "?q=第1次").context["page"].paginator.count == 1
    assert client.get(reverse("cases:meetings") + "?month=2026-08").context["page"].paginator.count == 0


def test_the_other_county_gets_404_on_every_meeting_page(client_for, outsider, recorded):
    client = client_for(outsider)
    decision = recorded.decisions.first()
    assert client.get(reverse("cases:meeting", args=[recorded.pk])).status_code == 404
    assert client.post(reverse("cases:meeting_add", args=[recorded.pk]), {"version": 0}).status_code == 404
    assert client.post(reverse("cases:decision_item", args=[recorded.pk, decision.pk]), {}).status_code == 404
    assert client.get(reverse("cases:meetings")).context["page"].paginator.count == 0


def test_a_decision_becomes_an_item_from_the_page_and_shows_its_state(client_for, office, recorded, town_a):
    decision = recorded.decisions.first()
    client = client_for(office)
    response = client.post(
        reverse("cases:decision_item", args=[recorded.pk, decision.pk]),
        {"responsible_unit": town_a.pk, "deadline": "2026-09-30", "standard": "工资发放凭证"},
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    page = client.get(reverse("cases:meeting", args=[recorded.pk])).content.decode()
    assert reverse("checklists:item", args=[decision.item_id]) in page
    assert "已下达" in page  # the item's status, in words


def test_a_user_who_cannot_see_the_item_gets_no_link(client_for, office, make_enterprise, town_a, town_a2):
    firm = make_enterprise(town_a2, 9)
    found = meeting(office, firm)
    decision = found.decisions.first()
    decision_to_item(
        decision=decision, actor=office, deadline=date(2026, 9, 30), standard="凭证", responsible_unit=town_a
    )
    decision.refresh_from_db()
    town2_reporter = UserFactory(username="baju", org_unit=town_a2, roles=[Role.REPORTER])
    page = client_for(town2_reporter).get(reverse("cases:meeting", args=[found.pk])).content.decode()
    assert reverse("checklists:item", args=[decision.item_id]) not in page
    assert "已作为其他单位的清单事项下达" in page


def test_a_missing_standard_is_shown_and_nothing_is_issued(client_for, office, recorded, town_a):
    decision = recorded.decisions.first()
    response = client_for(office).post(
        reverse("cases:decision_item", args=[recorded.pk, decision.pk]),
        {"responsible_unit": town_a.pk, "deadline": "2026-09-30", "standard": ""},
    )
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    decision.refresh_from_db()
    assert decision.item_id is None


def test_the_workbench_lists_meetings_with_open_decisions(client_for, office, recorded):
    rows = inbox_letters.items(office)
    assert [row["count"] for row in rows] == [1]
    listed = client_for(office).get(rows[0]["url"])
    assert [m.pk for m in listed.context["page"]] == [recorded.pk]


def test_leaders_read_meetings_without_actions(client_for, leader, recorded):
    response = client_for(leader).get(reverse("cases:meeting", args=[recorded.pk]))
    page = response.content.decode()
    assert recorded.title in page and 'data-testid="item-form"' not in page and 'data-testid="add-form"' not in page
    assert client_for(leader).get(reverse("cases:meeting_new")).status_code == 403
