"""``/metrics``: requests counted by URL pattern name (never the path with its ids), the apps' figures through
``register_collector``, several gunicorn workers added up, and nobody but the scraper reads it."""

import os
import subprocess
import sys
from ipaddress import ip_network
from pathlib import Path

import pytest
from django.test import Client, override_settings

from qingdan import telemetry
from qingdan.tests.test_settings import manage

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "s3cret-token-for-the-scraper-0123456789"


def scrape(client=None, **extra):
    response = (client or Client()).get("/metrics", **extra)
    return response.status_code, response.content.decode()


def test_requests_are_counted_by_url_pattern_name_method_and_status_never_by_path(office, client_for):
    client = client_for(office)
    unit = office.org_unit
    answered = client.get(f"/orgs/{unit.pk}/").status_code
    client.get("/no/such/page/123456/")
    status, text = scrape(client)
    assert status == 200
    assert f'qingdan_http_requests_total{{method="GET",status="{answered}",view="orgs:unit"}}' in text
    assert 'qingdan_http_requests_total{method="POST",status="302",view="login"}' in text
    assert 'view="<unmatched>"' in text
    assert "123456" not in text
    assert f"/orgs/{unit.pk}/" not in text
    assert 'qingdan_http_request_duration_seconds_bucket{le="0.01",view="login"}' in text


def test_an_unusual_method_is_counted_as_other(db):
    Client().generic("BREW", "/livez/")
    assert 'method="other"' in scrape()[1]


def test_a_registered_collector_is_read_at_each_scrape_and_one_that_fails_is_left_out(db):
    figures = {("import", "done"): 3, ("export", "failed"): 1}

    def jobs():
        yield telemetry.gauge("qingdan_jobs", "Jobs by kind and status.", ["kind", "status"], figures)

    def broken():
        raise RuntimeError("the jobs table is not there yet")

    telemetry.register_collector(broken)
    telemetry.register_collector(jobs)
    telemetry.register_collector(jobs)
    try:
        status, text = scrape()
        figures[("import", "done")] = 4
        later = scrape()[1]
    finally:
        telemetry.unregister_collector(broken)
        telemetry.unregister_collector(jobs)
    assert status == 200
    assert text.count("# TYPE qingdan_jobs gauge") == 1
    assert 'qingdan_jobs{kind="import",status="done"} 3.0' in text
    assert 'qingdan_jobs{kind="export",status="failed"} 1.0' in text
    assert 'qingdan_jobs{kind="import",status="done"} 4.0' in later
    assert "qingdan_jobs" not in scrape()[1]


@override_settings(QINGDAN_BROKER_URL="redis://broker.invalid:6379/0")
def test_the_queue_length_is_on_the_page_with_a_redis_broker(db, monkeypatch):
    from qingdan import health

    monkeypatch.setattr(health, "queue_length", lambda: 5)
    assert "qingdan_job_queue_length 5.0" in scrape()[1]


@override_settings(QINGDAN_BROKER_URL="")
def test_no_queue_length_without_a_broker(db):
    assert "qingdan_job_queue_length" not in scrape()[1]


def test_another_address_gets_404_as_for_a_page_that_is_not_there(db):
    assert scrape(REMOTE_ADDR="10.0.0.7")[0] == 404


@override_settings(QINGDAN_METRICS_TOKEN=TOKEN)
def test_the_bearer_token_opens_it_from_anywhere_and_a_wrong_one_does_not(db):
    assert scrape(REMOTE_ADDR="10.0.0.7", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")[0] == 200
    assert scrape(REMOTE_ADDR="10.0.0.7", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x")[0] == 404
    assert scrape(REMOTE_ADDR="10.0.0.7", HTTP_AUTHORIZATION="Bearer ")[0] == 404


def test_without_a_token_set_no_bearer_value_opens_it(db):
    assert scrape(REMOTE_ADDR="10.0.0.7", HTTP_AUTHORIZATION="Bearer ")[0] == 404


@override_settings(QINGDAN_METRICS_ALLOW=[ip_network("10.1.0.0/16"), ip_network("192.0.2.9")])
def test_the_allowed_networks_and_addresses_open_it_and_loopback_is_then_refused(db):
    assert scrape(REMOTE_ADDR="10.1.200.3")[0] == 200
    assert scrape(REMOTE_ADDR="192.0.2.9")[0] == 200
    assert scrape(REMOTE_ADDR="10.2.0.1")[0] == 404
    assert scrape(REMOTE_ADDR="127.0.0.1")[0] == 404


@override_settings(QINGDAN_BEHIND_PROXY=False)
def test_a_visitor_through_a_local_proxy_is_not_taken_for_loopback(db):
    assert scrape(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")[0] == 404
    assert scrape(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.5")[0] == 404


@override_settings(QINGDAN_BEHIND_PROXY=True, QINGDAN_METRICS_ALLOW=[ip_network("10.9.0.0/16")])
def test_behind_the_proxy_the_clients_own_address_decides(db):
    assert scrape(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.1.1")[0] == 200
    assert scrape(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")[0] == 404


WORKER = """
import django, sys
django.setup()
from qingdan import telemetry
if sys.argv[1] == "count":
    telemetry.observe_request(view="checklists:item", method="GET", status=200, seconds=0.02)
else:
    sys.stdout.write(telemetry.exposition().decode())
"""


def test_several_worker_processes_are_added_up_in_multiprocess_mode(tmp_path):
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "qingdan.test_settings",
        "QINGDAN_BROKER_URL": "",
    }

    def run(*args):
        return subprocess.run(  # noqa: S603 - this interpreter with a fixed script
            [sys.executable, "-c", WORKER, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    for _worker in range(2):
        assert run("count").returncode == 0
    result = run("scrape")
    assert result.returncode == 0, result.stderr
    assert 'qingdan_http_requests_total{method="GET",status="200",view="checklists:item"} 2.0' in result.stdout
    assert 'qingdan_http_request_duration_seconds_count{view="checklists:item"} 2.0' in result.stdout


def test_the_gunicorn_config_empties_the_metrics_folder_at_start_and_drops_an_exited_workers_gauges(
    tmp_path, monkeypatch
):
    """deploy/gunicorn.conf.py: counts of an earlier run are not added in, and a dead worker's live gauges go."""
    import runpy
    from types import SimpleNamespace

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    (tmp_path / "counter_4242.db").write_bytes(b"earlier run")
    config["on_starting"](server=None)
    assert list(tmp_path.iterdir()) == []

    (tmp_path / "gauge_livesum_4343.db").write_bytes(b"")
    (tmp_path / "counter_4343.db").write_bytes(b"")
    config["child_exit"](server=None, worker=SimpleNamespace(pid=4343))
    assert [path.name for path in tmp_path.iterdir()] == ["counter_4343.db"]  # its counts stay in the totals


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"QINGDAN_METRICS_ALLOW": "10.0.0.0/8,intranet"}, "QINGDAN_METRICS_ALLOW holds 'intranet'"),
        ({"QINGDAN_METRICS_TOKEN": "short"}, "QINGDAN_METRICS_TOKEN is too short"),
        ({"QINGDAN_METRICS_ALLOW": "10.0.0.0/8,::1", "QINGDAN_METRICS_TOKEN": TOKEN}, None),
    ],
)
def test_start_up_refuses_a_bad_metrics_setting(env, message, tmp_path):
    result = manage("check", QINGDAN_DEBUG="true", QINGDAN_DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}", **env)
    if message is None:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode != 0
        assert message in result.stderr
