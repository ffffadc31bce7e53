"""The edge of the application: what every answer carries (CSP with a nonce, Permissions-Policy, no-store for a
signed-in user) and what a request is refused for before a view runs (an upload too large, by its declared size)."""

import io
import os
import re

import pytest
from django.core.management import call_command

from qingdan import clock
from qingdan.pages import _pending_dir
from qingdan.tests.test_clock import ROOT

pytestmark = pytest.mark.django_db


def _policy(response):
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip())


def test_a_page_with_an_inline_script_runs_it_by_this_answers_nonce_only(client_for, office):
    response = client_for(office).get("/lists/new/")
    policy = _policy(response)
    nonce = re.search(r"'nonce-([^']+)'", policy["script-src"])[1]
    assert policy["script-src"] == f"'self' 'nonce-{nonce}'" and "unsafe-inline" not in policy["script-src"]
    assert (policy["object-src"], policy["frame-ancestors"], policy["base-uri"]) == ("'none'", "'none'", "'self'")
    assert f'<script nonce="{nonce}">' in response.content.decode()
    # The next answer has another nonce.
    assert nonce not in client_for(office).get("/lists/new/")["Content-Security-Policy"]


def test_the_log_in_page_and_a_public_poll_page_carry_the_policy_too(client):
    for url in ("/login/", "/p/no-such-poll/"):
        response = client.get(url)
        assert _policy(response)["default-src"] == "'self'", url
        assert "camera=()" in response["Permissions-Policy"]


def test_no_template_carries_an_inline_event_handler_or_a_script_without_the_nonce():
    templates = [
        p for p in ROOT.rglob("templates/**/*.html") if ".venv" not in p.parts and "node_modules" not in p.parts
    ]
    assert len(templates) > 50
    handlers = [str(p) for p in templates if re.search(r"\son[a-z]+=", p.read_text())]
    bare = [
        str(p)
        for p in templates
        if re.search(r"<script(?![^>]*\b(src|nonce)=)(?![^>]*application/json)[^>]*>", p.read_text())
    ]
    assert (handlers, bare) == ([], [])


def test_signed_in_pages_and_downloads_are_never_cached_but_the_log_in_page_may_be(client_for, office, client):
    signed_in = client_for(office)
    assert signed_in.get("/lists/items/")["Cache-Control"] == "no-store"
    export = signed_in.get("/lists/items/export/")
    assert export.status_code == 200 and export["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/login/").get("Cache-Control", "")


class _Unread(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readinto = read


@pytest.mark.parametrize(
    ("url", "shown"), [("/lists/import/", "上传内容为 50.0 MB，上限为"), ("/api/v1/lists", '"code": "too_large"')]
)
def test_an_upload_larger_than_any_limit_is_refused_before_its_body_is_received(client_for, office, url, shown):
    response = client_for(office).generic(
        "POST",
        url,
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
        **{"wsgi.input": _Unread()},
    )
    assert response.status_code == 413
    assert shown in response.content.decode().replace('":"', '": "')


def test_previewed_uploads_nobody_confirmed_are_deleted_after_a_day(capsys, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # other runs' uploads are theirs to clean
    folder = _pending_dir()
    stale, fresh = folder / "stale-test.xlsx", folder / "fresh-test.xlsx"
    for path in (stale, fresh):
        path.write_bytes(b"PK")
    now = clock.now().timestamp()
    os.utime(stale, (now - 25 * 3600, now - 25 * 3600))
    os.utime(fresh, (now - 23 * 3600, now - 23 * 3600))
    call_command("drop_stale_uploads")
    assert not stale.exists() and fresh.exists()
    assert "Deleted 1 unconfirmed import upload(s) older than 24 hours." in capsys.readouterr().out
