"""The close-out's background jobs: the import's confirmation (all or nothing, as before), a large item export
with its file to download, and the daily deadline scan, safe to run twice and twice at once."""

import io
import threading
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.files.storage import default_storage
from django.db import connection, connections
from openpyxl import load_workbook

from audit.models import AuditEvent
from checklists import views_items
from checklists.models import Checklist, DocumentKind, Item
from checklists.tests.test_import import row, xlsx
from checklists.tests.test_workflow import TODAY
from jobs import services as jobs
from jobs import tasks
from jobs.models import Job, JobStatus
from orgs.models import OrgKind, OrgUnit
from orgs.tests.factories import OrgUnitFactory
from qingdan import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(settings, monkeypatch):
    settings.QINGDAN_BROKER_URL = "redis://127.0.0.1:6379/1"
    sent = []
    monkeypatch.setattr(jobs, "send", sent.append)
    return sent


@pytest.fixture
def co_unit(county_a):
    return OrgUnitFactory(code="A-D2", name="县人社局", kind=OrgKind.DEPARTMENT, parent=county_a)


def _preview(client, rows):
    preview = client.post("/lists/import/", {"file": xlsx(rows)})
    assert preview.context["token"], preview.content.decode()
    return preview.context["token"]


def test_with_a_worker_the_confirmed_import_is_a_job_that_issues_the_lists(
    client_for, office, dept_a, co_unit, broker, django_capture_on_commit_callbacks
):
    client = client_for(office)
    token = _preview(client, [row(), row(key="QD-2", unit="A-D2", content="建成职工之家")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/lists/import/", {"confirm": "1", "token": token}, REMOTE_ADDR="10.20.30.40")
    job = Job.objects.get(kind="checklists.import")
    assert response.url == f"/jobs/{job.pk}/" and broker == [job.pk] and job.status == JobStatus.QUEUED
    assert job.label == "导入清单：清单.xlsx" and not Checklist.objects.exists()
    again = client.post("/lists/import/", {"confirm": "1", "token": token}, follow=True)
    assert "请重新上传文件" in again.content.decode() and Job.objects.count() == 1  # the confirmation is used up

    stored = job.params["stored"]  # a name in the shared storage, which a worker on another server reads
    assert stored.startswith("pending-imports/") and default_storage.exists(stored)
    before = AuditEvent.objects.count()
    jobs.run(job.pk, in_worker=True)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and (Checklist.objects.count(), Item.objects.count()) == (2, 2)
    assert not default_storage.exists(stored)  # read once, then deleted
    # The worker has no request: the lists' audit events carry the address of the confirmation that started it.
    issued = AuditEvent.objects.order_by("pk")[before:]
    assert len(issued) >= 2 and {event.client_ip for event in issued} == {"10.20.30.40"}
    assert {event.actor for event in issued} == {office}
    page = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "下达清单" in page and 'href="/lists/"' in page


def test_a_file_that_no_longer_passes_fails_the_job_with_its_row_and_writes_nothing(
    client_for, office, dept_a, co_unit
):
    client = client_for(office)
    token = _preview(client, [row(), row(key="QD-2", unit="A-D2", content="建成职工之家")])
    OrgUnit.objects.filter(pk=co_unit.pk).update(code="A-D9")  # row 3 names a code gone before the confirmation
    done = client.post("/lists/import/", {"confirm": "1", "token": token}, follow=True)
    job = Job.objects.get(kind="checklists.import")
    assert job.status == JobStatus.FAILED and "文件已无法通过校验" in job.message and "第3行" in job.message
    assert job.message in done.content.decode()
    assert not Checklist.objects.exists() and not Item.objects.exists()
    assert not default_storage.exists(job.params["stored"])


def test_a_large_item_export_is_a_job_with_a_file_to_download(client_for, office, dept_a, monkeypatch):
    client = client_for(office)
    token = _preview(client, [row(), row(title="", content="开展职工技能竞赛")])
    client.post("/lists/import/", {"confirm": "1", "token": token})
    monkeypatch.setattr(views_items, "EXPORT_IN_REQUEST_ROWS", 1)
    response = client.get("/lists/items/export/?show=all")
    job = Job.objects.get(kind="checklists.export_items")
    assert response.url == f"/jobs/{job.pk}/" and job.status == JobStatus.SUCCEEDED
    assert job.params == {"query": "show=all"} and (job.done, job.total) == (2, 2)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f'href="/jobs/{job.pk}/file/"' in page and "导出事项数" in page
    download = client.get(f"/jobs/{job.pk}/file/")
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert [r[3] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["改善技术人才居住条件", "开展职工技能竞赛"]
    name = f"滨海县总工会-清单事项-{clock.today():%Y%m%d}.xlsx"  # what it holds, as the page's own download says
    assert download["Content-Disposition"].endswith(f"filename*=UTF-8''{quote(name)}")


def test_a_large_figures_export_is_a_job_whose_file_holds_the_rows_of_the_one_made_at_once(
    client_for, office, dept_a, monkeypatch
):
    client = client_for(office)
    token = _preview(client, [row(), row(title="", content="开展职工技能竞赛")])
    client.post("/lists/import/", {"confirm": "1", "token": token})
    at_once = client.get("/lists/figures/export/?group=office")
    assert at_once.status_code == 200 and not Job.objects.filter(kind="checklists.export_figures").exists()
    rows_at_once = list(load_workbook(io.BytesIO(at_once.content)).active.iter_rows(values_only=True))
    monkeypatch.setattr(views_items, "EXPORT_IN_REQUEST_ROWS", 0)
    response = client.get("/lists/figures/export/?group=office")
    job = Job.objects.get(kind="checklists.export_figures")
    assert response.url == f"/jobs/{job.pk}/" and job.status == JobStatus.SUCCEEDED
    assert job.params == {"group": "office"} and (job.done, job.total) == (1, 1)
    assert "导出行数" in client.get(f"/jobs/{job.pk}/").content.decode()
    download = client.get(f"/jobs/{job.pk}/file/")
    assert list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True)) == rows_at_once
    name = f"滨海县总工会-销号统计-按下达单位-{clock.today():%Y%m%d}.xlsx"
    assert download["Content-Disposition"].endswith(f"filename*=UTF-8''{quote(name)}")


def test_a_small_export_is_still_answered_at_once(client_for, office, dept_a):
    response = client_for(office).get("/lists/items/export/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert not Job.objects.exists()


def test_the_scheduled_deadline_scan_urges_once_however_often_it_runs(item):
    Item.objects.filter(pk=item.pk).update(deadline=TODAY() - timedelta(days=3))
    tasks.start_scheduled("checklists.scan_deadlines", "day")
    tasks.start_scheduled("checklists.scan_deadlines", "day")  # beat twice: the same job
    by_hand = jobs.start(kind="checklists.scan_deadlines")  # and an operator's run on top
    assert Job.objects.filter(kind="checklists.scan_deadlines").count() == 2
    assert by_hand.status == JobStatus.SUCCEEDED and by_hand.result["counts"] == {"已发催办通知书": 0}
    item.refresh_from_db()
    assert item.urgings == 1 and item.documents.filter(kind=DocumentKind.URGING).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_deadline_scans_at_once_urge_each_item_once(item):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time: two scans cannot overlap there (run on PostgreSQL)")
    Item.objects.filter(pk=item.pk).update(deadline=TODAY() - timedelta(days=3))
    first, second = (Job.objects.create(kind="checklists.scan_deadlines", key=k, label="x") for k in "ab")
    barrier = threading.Barrier(2)

    def run(job):
        barrier.wait()
        try:
            jobs.run(job.pk, in_worker=True)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert set(Job.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {"succeeded"}
    item.refresh_from_db()
    assert item.urgings == 1 and item.documents.filter(kind=DocumentKind.URGING).count() == 1
