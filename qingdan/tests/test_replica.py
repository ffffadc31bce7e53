"""Reads from a read replica only where that is safe (qingdan/replica.py).

The replica here is a copy of the test database taken at one moment and never updated afterwards: a replica
that lags as far as it ever could. What the primary has and the copy lacks shows which one a page read.
"""

import sqlite3
from datetime import timedelta

import pytest
from django.db import connections, router, transaction
from django.db.utils import load_backend
from django.http import HttpResponse
from django.test import RequestFactory

from checklists.models import Category
from qingdan import replica

pytestmark = pytest.mark.django_db(transaction=True)


def _copy_database(tmp_path):
    """Copy the default (test) database, as it is now, into a new database; returns its settings."""
    default = connections["default"]
    config = dict(default.settings_dict)
    if default.vendor == "sqlite":
        default.ensure_connection()
        config["NAME"] = str(tmp_path / "replica.sqlite3")
        target = sqlite3.connect(config["NAME"])
        default.connection.backup(target)
        target.close()
    else:
        config["NAME"] = f"{default.settings_dict['NAME']}_replica"
        default.close()  # a template database may have no other sessions
        with default._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}" TEMPLATE "{default.settings_dict["NAME"]}"')
    return config


@pytest.fixture
def stale_replica(settings, tmp_path, monkeypatch):
    """``stale_replica()`` copies the database as it is now into the "replica" and routes reads with the router."""
    settings.DATABASE_ROUTERS = ["qingdan.replica.ReplicaRouter"]
    made = []

    def make():
        config = _copy_database(tmp_path)
        # A connection made here, not from settings: the test runner allows it without a test database of its own.
        wrapper = load_backend(config["ENGINE"]).DatabaseWrapper(config, replica.REPLICA)
        connections[replica.REPLICA] = wrapper
        monkeypatch.setattr(replica, "has_replica", lambda: True)
        made.append(config)
        return wrapper

    yield make
    if made:
        connections[replica.REPLICA].close()
        del connections[replica.REPLICA]
        if made[0]["ENGINE"].endswith("postgresql"):
            with connections["default"]._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{made[0]["NAME"]}"')


def _categories_page(client):
    response = client.get("/lists/categories/")
    assert response.status_code == 200
    return response.content.decode()


def _unpinned(client):
    client.cookies.pop(replica.PIN_COOKIE, None)
    return client


def test_a_reader_who_has_not_written_reads_the_replica(client_for, office, stale_replica):
    Category.objects.create(owner_unit=office.org_unit, name="已同步的分类")
    client = _unpinned(client_for(office))  # logging in is a write: that browser is pinned for a moment
    stale_replica()
    Category.objects.create(owner_unit=office.org_unit, name="尚未同步的分类")  # another server's write, not yet copied
    page = _categories_page(client)
    assert "已同步的分类" in page
    assert "尚未同步的分类" not in page  # the page was read from the replica


def test_right_after_their_own_post_the_user_sees_the_change_until_the_pin_expires(
    client_for, office, stale_replica, frozen_clock, settings
):
    settings.QINGDAN_REPLICA_PIN_SECONDS = 10
    client = _unpinned(client_for(office))
    stale_replica()
    response = client.post("/lists/categories/", {"action": "add", "name": "产业工人队伍建设"})
    assert response.status_code == 302
    assert replica.PIN_COOKIE in response.cookies
    # The next pages read the primary: the user sees the category they have just added.
    assert "产业工人队伍建设" in _categories_page(client)
    frozen_clock.shift(timedelta(seconds=9))
    assert "产业工人队伍建设" in _categories_page(client)
    # The pin has expired: the page reads the replica again (which, never updated here, lacks it).
    frozen_clock.shift(timedelta(seconds=2))
    assert "产业工人队伍建设" not in _categories_page(client)
    # The write itself went to the primary only.
    assert Category.objects.using("default").filter(name="产业工人队伍建设").exists()
    assert not Category.objects.using(replica.REPLICA).filter(name="产业工人队伍建设").exists()


def _through_middleware(view, method="get", path="/lists/figures/"):
    request = getattr(RequestFactory(), method)(path)
    return replica.ReplicaMiddleware(view)(request)


def test_a_get_that_writes_reads_the_primary_from_its_write_on_and_pins_the_browser(office, stale_replica):
    stale_replica()
    seen = []

    def view(request):
        seen.append(Category.objects.count())  # the replica
        Category.objects.create(owner_unit=office.org_unit, name="页面中写入")
        seen.append(Category.objects.count())  # the primary, which has the row just written
        return HttpResponse("ok")

    response = _through_middleware(view)
    assert seen == [0, 1]
    assert replica.PIN_COOKIE in response.cookies
    assert Category.objects.using(replica.REPLICA).count() == 0  # writes never reach the replica


def test_reads_inside_a_transaction_and_in_other_methods_go_to_the_primary(office, stale_replica):
    stale_replica()
    Category.objects.create(owner_unit=office.org_unit, name="新")
    seen = []

    def view(request):
        seen.append(Category.objects.count())
        with transaction.atomic():
            seen.append(Category.objects.count())
        seen.append(router.db_for_write(Category))
        return HttpResponse("ok")

    _through_middleware(view)
    assert seen == [0, 1, "default"]
    seen.clear()
    _through_middleware(view, "post")
    assert seen == [1, 1, "default"]


@pytest.mark.parametrize("path", ["/api/v1/lists/", "/login/", "/admin/"])
def test_api_calls_and_account_pages_read_the_primary(office, stale_replica, path):
    """An API client keeps no cookie to pin it after its own write, so its reads never go to a replica behind it."""
    stale_replica()
    Category.objects.create(owner_unit=office.org_unit, name="刚写入")
    seen = []

    def view(request):
        seen.append(Category.objects.count())
        return HttpResponse("ok")

    _through_middleware(view, path=path)
    assert seen == [1]


def test_without_a_replica_nothing_changes(office, settings):
    settings.DATABASE_ROUTERS = ["qingdan.replica.ReplicaRouter"]

    def view(request):
        Category.objects.create(owner_unit=office.org_unit, name="x")
        return HttpResponse("ok")

    assert replica.PIN_COOKIE not in _through_middleware(view).cookies


def test_migrations_run_on_the_primary_only_and_sessions_are_read_there():
    from django.contrib.sessions.models import Session

    assert replica.ReplicaRouter().allow_migrate("default", "checklists") is True
    assert replica.ReplicaRouter().allow_migrate(replica.REPLICA, "checklists") is False
    assert replica.ReplicaRouter().db_for_read(Session) == "default"
