"""Computing a round is a background job: with a worker the page goes to the job's bar and the API answers 202;
without one the job has run by the time the page answers, as before."""

import pytest

from jobs import services as jobs
from jobs.models import Job, JobStatus
from scoring.models import Score
from scoring.tests.test_api import api, closeout_data, round_now  # noqa: F401, F811 - fixtures

pytestmark = pytest.mark.django_db
# ruff: noqa: F811 - the fixtures imported above are named as arguments


@pytest.fixture
def broker(settings, monkeypatch):
    """A broker is configured; what would go to it is kept here instead, for the test to run as the worker."""
    settings.QINGDAN_BROKER_URL = "redis://127.0.0.1:6379/1"
    sent = []
    monkeypatch.setattr(jobs, "send", sent.append)
    return sent


def test_with_a_worker_the_compute_page_follows_the_jobs_bar_to_its_result(
    client_for, city_office, round_now, broker, django_capture_on_commit_callbacks
):
    client = client_for(city_office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/assessment/rounds/{round_now.pk}/compute/")
        again = client.post(f"/assessment/rounds/{round_now.pk}/compute/")  # a double click
    job = Job.objects.get(kind="scoring.compute")
    assert response.url == again.url == f"/jobs/{job.pk}/" and broker == [job.pk]  # one job, sent once
    assert (job.status, job.owner, job.params) == (JobStatus.QUEUED, city_office, {"round": round_now.pk, "reason": ""})
    assert job.label == "计算考核得分：年度考核" and not Score.objects.exists()
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "排队中" in page and 'hx-trigger="every 1s"' in page

    jobs.run(job.pk, in_worker=True)  # the worker
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["changed"] == 4 and Score.objects.count() == 4
    assert job.total >= 2 and job.done == job.total  # the compute told the bar how far it had come
    fragment = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert 'aria-valuenow="100"' in fragment and "hx-trigger" not in fragment
    assert "变动得分数" in fragment and f'href="/assessment/rounds/{round_now.pk}/"' in fragment


def test_with_a_worker_the_api_answers_202_with_the_job(city_office, round_now, broker):
    response = api(city_office)("post", f"/rounds/{round_now.pk}/compute", {})
    assert response.status_code == 202
    body = response.json()
    job = Job.objects.get(kind="scoring.compute")
    assert body["changed"] is None and body["job"] == {"id": job.pk, "status": "queued", "url": f"/jobs/{job.pk}/"}


def test_without_a_worker_the_api_computes_at_once_and_the_job_is_on_record(city_office, round_now):
    response = api(city_office)("post", f"/rounds/{round_now.pk}/compute", {})
    assert response.status_code == 200 and response.json()["changed"] == 4
    assert response.json()["job"]["status"] == "succeeded"
    job = Job.objects.get(kind="scoring.compute")
    assert (job.owner, job.result["changed"], job.attempts) == (city_office, 4, 1)


def test_a_refused_compute_makes_no_job(city_office, office, round_now):
    response = api(office)("post", f"/rounds/{round_now.pk}/compute", {})  # an assessed county, not the runner
    assert response.status_code == 422 and not Job.objects.exists()
