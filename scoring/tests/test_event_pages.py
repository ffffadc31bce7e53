"""The recorded-events pages: the list of the user's subtree with its filters (withdrawn events struck
through with the reason), recording one with evidence into the office's library, the event with the
metrics that count it, withdrawing with a reason; the outsider gets 404 and a reporter is refused."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evidence.models import Evidence
from orgs.models import OrgKind
from orgs.tests.factories import OrgUnitFactory
from qingdan import clock
from scoring import events
from scoring.models import EventKind, Level, RecordedEvent

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _page(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _event(
    office, unit, title="省委领导批示肯定欠薪调解工作", kind=EventKind.COMMENDATION, level=Level.PROVINCE, **extra
):
    return events.record_event(
        actor=office,
        unit=unit,
        kind=kind,
        level=level,
        happened_on=extra.pop("happened_on", date(2026, 3, 15)),
        title=title,
        source=extra.pop("source", "省委办公厅"),
        **extra,
    )


def _form(unit, **fields):
    return {
        "unit": unit.pk,
        "kind": EventKind.COMMENDATION,
        "level": Level.PROVINCE,
        "happened_on": "2026-03-15",
        "title": "省委领导批示肯定欠薪调解工作",
        "source": "省委办公厅",
        **fields,
    }


# --- the list ------------------------------------------------------------------------------------


def test_list_shows_the_events_of_the_subtree_with_withdrawn_ones_struck_through(client_for, office, dept_a):
    _event(office, dept_a)
    wrong = _event(office, dept_a, title="误登的培训", kind=EventKind.TRAINING, level=Level.CITY)
    events.withdraw_event(event=wrong, actor=office, reason="重复登记")
    page = _page(client_for(office).get("/assessment/events/"))
    assert "省委领导批示肯定欠薪调解工作" in page and "县交通运输局" in page and "2026-03-15" in page
    assert "领导肯定性批示" in page and "省级" in page and "省委办公厅" in page
    assert "<del>" in page and "误登的培训" in page and "重复登记" in page and "已撤销" in page
    assert "登记事项" in page


def test_list_filters_by_kind_unit_and_year(client_for, office, dept_a, county_a):
    # An office records events for the units below it only: the second department sits beside dept_a.
    dept_a2 = OrgUnitFactory(code="A-D2", name="县人社局", kind=OrgKind.DEPARTMENT, parent=county_a)
    _event(office, dept_a)
    _event(office, dept_a2, title="市报报道", kind=EventKind.MEDIA, level=Level.CITY, happened_on=date(2025, 5, 1))
    client = client_for(office)
    page = _page(client.get("/assessment/events/", {"kind": EventKind.MEDIA}))
    assert "市报报道" in page and "省委领导批示" not in page
    page = _page(client.get("/assessment/events/", {"unit": dept_a.pk}))
    assert "省委领导批示" in page and "市报报道" not in page
    page = _page(client.get("/assessment/events/", {"unit": county_a.pk}))  # the unit and the units below it
    assert "省委领导批示" in page and "市报报道" in page
    page = _page(client.get("/assessment/events/", {"year": 2025}))
    assert "市报报道" in page and "省委领导批示" not in page


def test_list_shows_only_the_users_subtree(client_for, office, outsider, reporter, dept_a, dept_b):
    _event(office, dept_a)
    _event(outsider, dept_b, title="临河县的报道")
    page = _page(client_for(outsider).get("/assessment/events/"))
    assert "临河县的报道" in page and "省委领导批示" not in page
    page = _page(client_for(reporter).get("/assessment/events/"))
    assert "省委领导批示" in page and "临河县的报道" not in page
    assert "登记事项" not in page  # no button for a reporter


def test_list_reads_in_the_same_number_of_queries_for_more_events(client_for, office, dept_a):
    client = client_for(office)
    _event(office, dept_a)
    with CaptureQueriesContext(connection) as few:
        _page(client.get("/assessment/events/"))
    for n in range(6):
        event = _event(office, dept_a, title=f"报道{n}", kind=EventKind.MEDIA)
        if n % 2:
            events.withdraw_event(event=event, actor=office, reason="误登")
    with CaptureQueriesContext(connection) as many:
        page = _page(client.get("/assessment/events/"))
    assert page.count('data-testid="event-row"') == 7
    assert len(many) == len(few)


# --- recording -----------------------------------------------------------------------------------


def test_office_records_an_event_with_evidence_into_its_own_library(client_for, office, dept_a):
    client = client_for(office)
    data = _form(dept_a, files=[SimpleUploadedFile("批示.pdf", PDF, content_type="application/pdf")])
    response = client.post("/assessment/events/new/", data)
    event = RecordedEvent.objects.get()
    assert response.status_code == 302 and response.url == f"/assessment/events/{event.pk}/"
    assert (event.unit, event.kind, event.level, event.happened_on) == (
        dept_a,
        EventKind.COMMENDATION,
        Level.PROVINCE,
        date(2026, 3, 15),
    )
    piece = event.evidence.get()
    assert piece.owner_unit == office.org_unit and piece.name == "批示.pdf"
    page = _page(client.get(response.url))
    assert "批示.pdf" in page and "计入数据指标" in page
    assert "省级以上领导批示表扬及媒体报道" in page and "市级以上领导批示表扬及媒体报道" in page
    assert "参加上级工会培训" not in page.split('data-testid="counted-by"')[1].split("</dd>")[0]


def test_a_file_that_is_not_what_it_says_keeps_nothing(client_for, office, dept_a):
    data = _form(
        dept_a, files=[SimpleUploadedFile("批示.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")]
    )
    page = _page(client_for(office).post("/assessment/events/new/", data))
    assert "“批示.pdf”的内容与其扩展名不符。" in page
    assert 'data-testid="form-error"' in page
    assert not RecordedEvent.objects.exists() and not Evidence.objects.exists()


def test_a_refused_event_keeps_none_of_its_files(client_for, office, dept_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    data = _form(dept_a, happened_on=tomorrow, files=[SimpleUploadedFile("批示.pdf", PDF)])
    page = _page(client_for(office).post("/assessment/events/new/", data))
    assert "事项日期不能晚于今天。" in page
    assert not RecordedEvent.objects.exists() and not Evidence.objects.exists()
    assert not [f for f in tmp_path.rglob("*") if f.is_file()]  # nor the file on disk


def test_a_unit_outside_the_subtree_cannot_be_chosen(client_for, office, dept_b):
    page = _page(client_for(office).post("/assessment/events/new/", _form(dept_b)))
    assert "选择一个有效的选项" in page
    assert not RecordedEvent.objects.exists()


def test_reporter_is_refused_recording_and_withdrawing(client_for, office, reporter, dept_a):
    event = _event(office, dept_a)
    client = client_for(reporter)
    assert client.get("/assessment/events/new/").status_code == 403
    assert client.post("/assessment/events/new/", _form(dept_a)).status_code == 403
    assert client.post(f"/assessment/events/{event.pk}/withdraw/", {"reason": "x"}).status_code == 403
    page = _page(client.get(f"/assessment/events/{event.pk}/"))  # reads its own unit's event
    assert 'data-testid="withdraw"' not in page
    assert RecordedEvent.objects.get().withdrawn_at is None and RecordedEvent.objects.count() == 1


# --- the event, its evidence and withdrawal -------------------------------------------------------


def test_outsider_gets_404_on_the_event_its_file_and_its_withdrawal(client_for, office, outsider, dept_a):
    client = client_for(office)
    client.post("/assessment/events/new/", _form(dept_a, files=[SimpleUploadedFile("批示.pdf", PDF)]))
    event = RecordedEvent.objects.get()
    piece = event.evidence.get()
    other = client_for(outsider)
    assert other.get(f"/assessment/events/{event.pk}/").status_code == 404
    assert other.get(f"/evidence/{piece.pk}/").status_code == 404
    assert other.post(f"/assessment/events/{event.pk}/withdraw/", {"reason": "x"}).status_code == 404
    assert RecordedEvent.objects.get().withdrawn_at is None


def test_the_unit_downloads_the_evidence_kept_in_the_offices_library(client_for, office, reporter, dept_a):
    client_for(office).post("/assessment/events/new/", _form(dept_a, files=[SimpleUploadedFile("批示.pdf", PDF)]))
    event = RecordedEvent.objects.get()
    piece = event.evidence.get()
    response = client_for(reporter).get(f"/evidence/{piece.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    stray = Evidence.objects.create(
        owner_unit=office.org_unit, file=piece.file.name, name="其他.pdf", size=1, sha256="0" * 64, uploaded_by=office
    )
    assert client_for(reporter).get(f"/evidence/{stray.pk}/").status_code == 404


def test_withdrawing_needs_a_reason_and_then_strikes_the_event(client_for, office, dept_a):
    event = _event(office, dept_a)
    client = client_for(office)
    page = _page(client.get(f"/assessment/events/{event.pk}/"))
    assert 'data-testid="withdraw"' in page and "计入" in page
    page = _page(client.post(f"/assessment/events/{event.pk}/withdraw/", {"reason": "  "}))
    assert "这个字段是必填项。" in page
    assert RecordedEvent.objects.get().withdrawn_at is None
    response = client.post(f"/assessment/events/{event.pk}/withdraw/", {"reason": "批示对象为市总工会，登记有误"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.withdrawn_at is not None and event.withdrawn_reason == "批示对象为市总工会，登记有误"
    page = _page(client.get(f"/assessment/events/{event.pk}/"))
    assert "<del>" in page and "已撤销" in page and "批示对象为市总工会，登记有误" in page
    assert 'data-testid="withdraw"' not in page and "不再计入" in page
    page = _page(client.post(f"/assessment/events/{event.pk}/withdraw/", {"reason": "再撤一次"}, follow=True))
    assert "该事项已撤销。" in page
    event.refresh_from_db()
    assert event.withdrawn_reason == "批示对象为市总工会，登记有误"
