"""The request id (from nginx or made here) on every answer and log line, and the access line in JSON: the
request's fields, never a password, an ID number, a name or what a form or query string held."""

import io
import json
import logging
import re

import pytest
from django.test import Client

from audit.masking import mask_text
from orgs.tests.factories import PASSWORD
from qingdan import logs
from qingdan.tests.test_settings import manage

ID_NUMBER = "110105199001011234"


@pytest.fixture
def json_lines():
    """The JSON lines the access logger and Django's request logger write during the test, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.RequestContextFilter())
    handler.setFormatter(logs.JsonFormatter())
    watched = [logging.getLogger("qingdan.request"), logging.getLogger("django.request")]
    for logger in watched:
        logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        for logger in watched:
            logger.removeHandler(handler)
        stream.truncate(0)


def test_a_request_without_an_id_gets_a_new_one_on_the_answer(db):
    first = Client().get("/livez/")["X-Request-ID"]
    second = Client().get("/livez/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_a_sane_id_from_nginx_is_kept_and_echoed(db):
    sent = "0f3c9a1d2b4e4d6f8a7b5c3d1e2f4a6b"
    assert Client().get("/livez/", HTTP_X_REQUEST_ID=sent)["X-Request-ID"] == sent
    uuid_form = "7d444840-9dc0-11d1-b245-5ffdce74fad2"
    assert Client().get("/livez/", HTTP_X_REQUEST_ID=uuid_form)["X-Request-ID"] == uuid_form


@pytest.mark.parametrize(
    "sent",
    ["", "abc def", "abc\ninjected line", '"quoted"', "a" * 65, "id;rm -rf", "<script>", "编号"],
)
def test_a_bad_incoming_id_is_replaced(db, sent):
    answered = Client().get("/livez/", HTTP_X_REQUEST_ID=sent)["X-Request-ID"]
    assert answered != sent
    assert re.fullmatch(r"[0-9a-f]{32}", answered)


def test_the_json_access_line_has_the_requests_fields(office, client_for, json_lines):
    client = client_for(office)
    response = client.get("/profile/", HTTP_X_REQUEST_ID="req-42")
    line = [entry for entry in json_lines() if entry["request_id"] == "req-42"]
    assert len(line) == 1
    entry = line[0]
    assert entry["logger"] == "qingdan.request"
    assert entry["level"] == "INFO"
    assert entry["user_id"] == office.pk
    assert entry["method"] == "GET"
    assert entry["view"] == "profile"
    assert entry["route"] == "profile/"
    assert entry["status"] == response.status_code == 200
    assert isinstance(entry["duration_ms"], float)
    assert entry["time"].endswith("+00:00")


def test_the_logs_hold_no_password_id_number_name_or_form_and_query_values(office, client_for, json_lines):
    Client().post("/login/", {"username": office.username, "password": PASSWORD + "-wrong"})
    client = client_for(office)
    client.get(f"/lists/?q={ID_NUMBER}&phone=13812345678")
    client.get(f"/no/such/page/?q={ID_NUMBER}")
    client.post("/profile/", {"phone": "13812345678", "id_number": ID_NUMBER})
    entries = json_lines()
    assert len(entries) >= 5
    text = "\n".join(json.dumps(entry, ensure_ascii=False) for entry in entries)
    for secret in (PASSWORD, ID_NUMBER, "13812345678", office.username, str(office), "q=", "phone="):
        assert secret not in text
    assert not [entry for entry in entries if (entry["view"] or "").startswith("/")]
    assert any(entry["message"].startswith("POST login 302") for entry in entries)


def test_djangos_warning_for_a_missing_page_carries_the_request_id(db, json_lines):
    response = Client().get("/no/such/page/", HTTP_X_REQUEST_ID="lost-1")
    assert response.status_code == 404
    warnings = [entry for entry in json_lines() if entry["logger"] == "django.request"]
    assert len(warnings) == 1
    assert warnings[0]["request_id"] == "lost-1"
    assert warnings[0]["status"] is None or warnings[0]["status"] == 404


def test_a_line_written_by_forgetful_code_has_id_numbers_and_phones_masked():
    record = logging.LogRecord(
        "qingdan.x", logging.WARNING, __file__, 1, "lookup %s %s", (ID_NUMBER, "13812345678"), None
    )
    entry = json.loads(logs.JsonFormatter().format(record))
    assert entry["message"] == "lookup 110105********1234 138****5678"
    assert entry["request_id"] == "-"
    assert "110105********1234" in logs.TextFormatter().format(record)


@pytest.mark.parametrize("request_id", ["37c22f5cf81a40d18413812345678dab", "13812345678", "110105199001011234"])
def test_the_request_id_itself_is_never_masked(request_id):
    record = logging.LogRecord("qingdan.x", logging.INFO, __file__, 1, "done", (), None)
    record.request_id = request_id
    assert f"[{request_id}]" in logs.TextFormatter().format(record)
    assert json.loads(logs.JsonFormatter().format(record))["request_id"] == request_id
    assert mask_text("id 37c22f5cf81a40d18413812345678dab") == "id 37c22f5cf81a40d18413812345678dab"


def test_extra_values_other_than_the_requests_fields_never_reach_the_json_line():
    record = logging.LogRecord("qingdan.x", logging.INFO, __file__, 1, "signed in", (), None)
    record.password = PASSWORD
    record.request = object()
    assert PASSWORD not in logs.JsonFormatter().format(record)


def test_a_background_job_carries_the_request_id_it_is_given():
    assert logs.get_request_id() is None
    with logs.request_id_context("req-from-the-page") as carried:
        assert carried == logs.get_request_id() == "req-from-the-page"
        record = logging.LogRecord("jobs", logging.INFO, __file__, 1, "done", (), None)
        logs.RequestContextFilter().filter(record)
        assert record.request_id == "req-from-the-page"
    assert logs.get_request_id() is None
    with logs.request_id_context("not a sane id\n") as carried:
        assert re.fullmatch(r"[0-9a-f]{32}", carried)
    token = logs.set_request_id(None)
    assert logs.get_request_id()
    logs.reset_request_id(token)
    assert logs.get_request_id() is None


@pytest.mark.parametrize(
    ("value", "message"),
    [("yaml", "QINGDAN_LOG_FORMAT='yaml' is not valid"), ("json", None), ("text", None)],
)
def test_start_up_checks_the_log_format(value, message, tmp_path):
    result = manage(
        "check",
        QINGDAN_DEBUG="true",
        QINGDAN_DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        QINGDAN_LOG_FORMAT=value,
    )
    if message is None:
        assert result.returncode == 0, result.stderr
    else:
        assert message in result.stderr


def test_djangos_own_csrf_refusal_logs_the_route_not_a_poll_links_token(db):
    logging.getLogger("django.security.csrf").addHandler(handler := logging.StreamHandler(stream := io.StringIO()))
    handler.addFilter(logs.RequestContextFilter())
    try:
        response = Client(enforce_csrf_checks=True).post("/p/some-poll/SECRETTOKEN123/", {"q1": "5"})
    finally:
        logging.getLogger("django.security.csrf").removeHandler(handler)
    assert response.status_code == 403
    line = stream.getvalue()
    assert "CSRF" in line and "SECRETTOKEN123" not in line
