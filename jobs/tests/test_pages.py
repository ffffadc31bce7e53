"""My jobs: the list (mine only, newest first), a job's page with the bar that follows it every second until it
is done, then its outcome; another user's job, or a scheduled run, is a 404."""

from datetime import timedelta

import pytest

from jobs import services
from jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


def _page(response):
    assert response.status_code == 200
    return response.content.decode()


def test_my_jobs_newest_first_and_none_of_anyone_elses(client_for, office, reviewer, frozen_clock):
    services.start(kind="test.count", owner=office, label="第一个任务")
    frozen_clock.shift(timedelta(minutes=5))
    services.start(kind="test.refuse", owner=office, label="第二个任务")
    services.start(kind="test.count", owner=reviewer, label="别人的任务")
    services.start(kind="test.count", owner=None, label="定时任务")
    page = _page(client_for(office).get("/jobs/"))
    assert page.index("第二个任务") < page.index("第一个任务")
    assert "别人的任务" not in page and "定时任务" not in page
    assert "已完成" in page and "失败" in page


def test_a_running_job_polls_its_bar_every_second(client_for, office):
    job = Job.objects.create(kind="test.count", key="k", owner=office, label="计算考核得分", status=JobStatus.RUNNING)
    Job.objects.filter(pk=job.pk).update(done=1500, total=3000)
    client = client_for(office)
    page = _page(client.get(f"/jobs/{job.pk}/"))
    assert "计算考核得分" in page and "进行中" in page
    assert f'hx-get="/jobs/{job.pk}/progress/"' in page and 'hx-trigger="every 1s"' in page
    assert 'aria-valuenow="50"' in page and "1,500 / 3,000" in page
    fragment = _page(client.get(f"/jobs/{job.pk}/progress/"))
    assert fragment.lstrip().startswith("<div") and "<html" not in fragment and 'hx-trigger="every 1s"' in fragment


def test_a_queued_job_says_it_waits(client_for, office):
    job = Job.objects.create(kind="test.count", key="k", owner=office, label="导入清单")
    page = _page(client_for(office).get(f"/jobs/{job.pk}/progress/"))
    assert "排队中" in page and 'aria-valuenow="0"' in page and "every 1s" in page


def test_a_finished_job_stops_polling_and_shows_its_result(client_for, office):
    job = services.start(kind="test.count", owner=office, params={"total": 7})
    fragment = _page(client_for(office).get(f"/jobs/{job.pk}/progress/"))
    assert "hx-trigger" not in fragment and 'aria-valuenow="100"' in fragment
    assert "数过" in fragment and ">7<" in fragment and 'href="/"' in fragment and "返回工作台" in fragment


def test_a_failed_job_shows_its_message(client_for, office):
    job = services.start(kind="test.crash", owner=office)
    fragment = _page(client_for(office).get(f"/jobs/{job.pk}/progress/"))
    assert "hx-trigger" not in fragment and "失败" in fragment
    assert "任务出错，未作任何更改" in fragment and "hunter2" not in fragment


def test_a_jobs_file_is_downloaded_by_its_owner_only(client_for, office, reviewer):
    job = services.start(kind="test.file", owner=office)
    response = client_for(office).get(f"/jobs/{job.pk}/file/")
    assert response.status_code == 200 and response.content == "清单,事项\n".encode()
    assert "filename*=UTF-8''%E6%B8%85" in response["Content-Disposition"]
    assert client_for(reviewer).get(f"/jobs/{job.pk}/file/").status_code == 404


def test_another_users_job_and_a_scheduled_run_are_404(client_for, office, outsider):
    mine = services.start(kind="test.count", owner=office)
    scheduled = services.start(kind="test.count", owner=None)
    client = client_for(outsider)
    for url in (f"/jobs/{mine.pk}/", f"/jobs/{mine.pk}/progress/", f"/jobs/{mine.pk}/file/"):
        assert client.get(url).status_code == 404, url
    assert client_for(office).get(f"/jobs/{scheduled.pk}/").status_code == 404
    assert client.get("/jobs/999999/").status_code == 404


def test_the_pages_need_a_sign_in(client):
    assert client.get("/jobs/").status_code == 302


def test_someone_with_no_jobs_is_told_so(client_for, reviewer):
    assert "您尚未启动任何后台任务。" in _page(client_for(reviewer).get("/jobs/"))
