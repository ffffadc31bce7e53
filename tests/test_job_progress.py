"""On a phone, a job's page follows its bar by itself (htmx, every second) from 排队中 to 100% and its result."""

import pytest
from playwright.sync_api import Page, expect

from tests.journeys import sign_in
from tests.test_phone import PHONE, page_overflow


@pytest.mark.browser_context_args(**PHONE)
def test_the_bar_follows_a_queued_job_to_its_result(page: Page, site, screenshots_dir):
    from jobs import services
    from jobs.models import Job
    from jobs.tests import kinds  # noqa: F401 - registers the test kinds
    from orgs.models import User

    office = User.objects.get(username="office")
    job = Job.objects.create(kind="test.count", key="browser", owner=office, label="计算考核得分：2026年上半年考核")
    page.goto(f"{site}/jobs/{job.pk}/")  # to the log-in page, and back here after it
    sign_in(page, site, "office")
    expect(page).to_have_url(f"{site}/jobs/{job.pk}/")
    status = page.get_by_test_id("job-status")
    expect(status).to_have_text("排队中")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")

    services.run(job.pk)  # a worker takes it; the page is not reloaded

    expect(status).to_have_text("已完成")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_test_id("job-result")).to_contain_text("数过")
    expect(page.get_by_test_id("job-link")).to_have_text("返回工作台")
    assert page_overflow(page) == 0
    page.screenshot(path=screenshots_dir / "job-progress-phone.png", full_page=True)
    page.get_by_role("link", name="我的全部后台任务").click()
    expect(page.get_by_test_id("jobs")).to_contain_text("计算考核得分：2026年上半年考核")
