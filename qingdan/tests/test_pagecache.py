"""Busy pages kept between requests, for one user, until a table they read is written (qingdan/pagecache.py).

The tests commit for real (``transaction=True``): a page goes stale when a write's transaction commits.
"""

import re
from datetime import timedelta

import pytest
from django.contrib import messages
from django.contrib.auth.models import Group
from django.contrib.messages.storage import default_storage
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.utils import timezone

from checklists import services, tally
from checklists.models import Item, ItemStatus
from orgs.models import Role
from qingdan import clock, pagecache

pytestmark = pytest.mark.django_db(transaction=True)
ITEMS = "/lists/items/"
FIGURES = "/lists/figures/"
NONCE = re.compile(r'nonce="([^"]+)"')


@pytest.fixture
def checklist(office, dept_a):
    office.org_unit.document_prefix = "滨产改办"
    office.org_unit.save(update_fields=["document_prefix"])
    deadline = clock.today() + timedelta(days=30)
    return services.issue_checklist(
        actor=office,
        responsible_unit=dept_a,
        title="技术工人队伍建设责任清单",
        doc_number="滨产改办〔2026〕3号",
        items=[
            {"content": "改善技术人才居住条件", "standard": "人才公寓改造完成并入住", "deadline": deadline},
            {"content": "开展职工技能竞赛", "standard": "全年不少于2场", "deadline": deadline},
        ],
    )


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.QINGDAN_PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def kept(response):
    assert response.status_code == 200
    return response.headers.get("X-Qingdan-Kept") == "1"


def test_the_second_look_is_the_kept_page_with_a_fresh_nonce(client_for, office, checklist):
    client = client_for(office)
    first = client.get(FIGURES)
    second = client.get(FIGURES)
    assert not kept(first) and kept(second)
    # The same page, but each answer has its own script nonce, in its page and in its policy alike.
    first_nonce, second_nonce = NONCE.search(first.text).group(1), NONCE.search(second.text).group(1)
    assert first_nonce != second_nonce and first_nonce not in second.text
    assert f"'nonce-{second_nonce}'" in second["Content-Security-Policy"]
    assert second.text == first.text.replace(first_nonce, second_nonce)
    assert "技术工人队伍建设责任清单" in client.get(ITEMS).text and kept(client.get(ITEMS))


def test_a_write_by_update_makes_the_page_drawn_again_with_the_change(client_for, office, checklist):
    client = client_for(office)
    client.get(ITEMS)
    Item.objects.filter(checklist=checklist, position=1).update(content="改善技术人才住房条件")  # no signal sees it
    again = client.get(ITEMS)
    assert not kept(again) and "改善技术人才住房条件" in again.text and "居住条件" not in again.text
    assert kept(client.get(ITEMS))


def test_a_write_by_bulk_create_and_by_raw_sql_make_the_page_stale(client_for, office, checklist):
    client = client_for(office)
    client.get(ITEMS)
    model = Item.objects.get(checklist=checklist, position=1)
    model.pk, model.position, model.content = None, 3, "建立职工书屋"
    Item.objects.bulk_create([model])
    assert "建立职工书屋" in client.get(ITEMS).text
    client.get(ITEMS)
    with connection.cursor() as cursor:  # raw SQL naming no quoted table: every kept page is stale
        cursor.execute("UPDATE checklists_item SET content = %s WHERE position = 3", ["建立职工之家"])
    again = client.get(ITEMS)
    assert not kept(again) and "建立职工之家" in again.text


def test_a_write_counts_when_its_transaction_commits_and_not_when_it_rolls_back(client_for, office, checklist):
    client = client_for(office)
    client.get(ITEMS)
    version = cache.get(pagecache.VERSION + Item._meta.db_table)
    with transaction.atomic():
        Item.objects.filter(position=1).update(content="改善技术人才住房条件")
        assert cache.get(pagecache.VERSION + Item._meta.db_table) == version  # not yet committed
        transaction.set_rollback(True)
    assert cache.get(pagecache.VERSION + Item._meta.db_table) == version
    assert kept(client.get(ITEMS))
    with transaction.atomic():
        Item.objects.filter(position=1).update(content="改善技术人才住房条件")
        with pytest.raises(ZeroDivisionError), transaction.atomic():  # a savepoint rolled back keeps the outer write
            Item.objects.filter(position=2).update(content="x")
            raise ZeroDivisionError
    assert cache.get(pagecache.VERSION + Item._meta.db_table) != version
    assert "改善技术人才住房条件" in client.get(ITEMS).text


def test_another_user_a_new_minute_a_role_change_or_a_message_draw_the_page_again(
    client_for, office, leader, checklist, frozen_clock
):
    client = client_for(office)
    client.get(ITEMS)
    assert not kept(client_for(leader).get(ITEMS))  # nobody is served another user's page
    frozen_clock.shift(timedelta(minutes=1))
    assert not kept(client.get(ITEMS)) and kept(client.get(ITEMS))
    office.roles.create(role=Role.LEADER)  # the user's roles are read before the view
    assert not kept(client.get(ITEMS)) and kept(client.get(ITEMS))


def test_a_pending_message_is_shown_on_a_page_drawn_for_it(client_for, office, checklist, rf):
    client = client_for(office)
    client.get(ITEMS)
    client.cookies[CookieStorage.cookie_name] = CookieStorage(rf.get("/"))._encode(
        [Message(messages.SUCCESS, "清单已下发")]
    )
    shown = client.get(ITEMS)
    assert not kept(shown) and "清单已下发" in shown.text
    again = client.get(ITEMS)
    assert kept(again) and "清单已下发" not in again.text


def test_a_user_keeps_one_page_per_view_whatever_the_query(client_for, office, checklist):
    client = client_for(office)
    client.get(ITEMS)
    for number in range(3):  # each query is drawn, and takes the place of the one before
        assert not kept(client.get(ITEMS, {"q": f"职工{number}"}))
    assert kept(client.get(ITEMS, {"q": "职工2"})) and not kept(client.get(ITEMS))
    assert len([key for key in cache._cache if pagecache.PAGE in key]) == 1


def _signed_in_request(rf, user, session_key):
    request = rf.get("/kept/")
    request.session = SessionStore(session_key)
    request.user, request._messages = user, default_storage(request)
    return request


def test_a_page_that_wrote_or_added_a_message_is_drawn_each_time(rf, office):
    session = SessionStore()
    session.create()
    drawn = []

    def view(kind):
        def draw(request):
            drawn.append(kind)
            if kind == "writes":
                Group.objects.create(name=f"组{len(drawn)}")  # a table the page does not read, uncommitted yet
            elif kind == "tells":
                messages.info(request, "已保存")
            return HttpResponse(f"<p>{office.username}</p>")

        draw.__qualname__ = f"draw_{kind}"
        return pagecache.kept(draw)

    for kind in ("reads", "writes", "tells"):
        page = view(kind)
        for _ in range(2):
            with transaction.atomic():  # as a request inside a transaction: its write has not committed yet
                page(_signed_in_request(rf, office, session.session_key))
    assert drawn == ["reads", "writes", "writes", "tells", "tells"]


def test_switched_off_nothing_is_kept(client_for, office, checklist, settings):
    settings.QINGDAN_PAGE_CACHE_SECONDS = 0
    client = client_for(office)
    client.get(ITEMS)
    assert not kept(client.get(ITEMS))


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('INSERT INTO "checklists_item" ("content") VALUES (%s)', "checklists_item"),
        ('INSERT OR IGNORE INTO "orgs_orgunit" ("code") VALUES (%s)', "orgs_orgunit"),
        ('UPDATE "checklists_item" SET "content" = %s', "checklists_item"),
        (' DELETE FROM "audit_auditevent" WHERE "id" = %s', "audit_auditevent"),
        ("update checklists_item set content = 'x'", pagecache.UNKNOWN),
        ('COPY "checklists_item" FROM STDIN', pagecache.UNKNOWN),
        ('SELECT "checklists_item"."id" FROM "checklists_item"', None),
        ("SAVEPOINT s1", None),
        ('ALTER TABLE "checklists_item" ADD COLUMN "x" integer', pagecache.UNKNOWN),
    ],
)
def test_the_table_a_statement_writes(sql, table):
    assert pagecache._written(sql) == table


def test_a_read_that_names_no_quoted_table_makes_the_page_unkeepable():
    reading = pagecache._Reading(())
    pagecache._note_reads(reading, 'SELECT 1 FROM "a" INNER JOIN "b" ON x WHERE y IN (SELECT z FROM (SELECT 1) AS t)')
    assert reading.tables == {pagecache.UNKNOWN, "a", "b"} and reading.keepable
    pagecache._note_reads(reading, "SELECT 1 FROM secret_table")
    assert not reading.keepable


def test_a_page_read_from_a_replica_is_kept_only_when_its_tables_are_older_than_the_lag(settings, monkeypatch):
    settings.QINGDAN_REPLICA_PIN_SECONDS = 10
    now = pagecache.clock.outside_now().timestamp()
    monkeypatch.setattr(pagecache.replica, "reads_replica", lambda: True)
    assert not pagecache._fresh_from_replica([f"a:{now - 5:.0f}", None])
    assert pagecache._fresh_from_replica([f"a:{now - 11:.0f}", None])
    monkeypatch.setattr(pagecache.replica, "reads_replica", lambda: False)
    assert pagecache._fresh_from_replica([f"a:{now - 5:.0f}"])


OVERVIEW = "/overview/"
FIGURE = re.compile(r'data-testid="figure-close_out">([^<]+)<')


def _close_out(response):
    return FIGURE.search(response.text).group(1)


def _close_in_a_request_of(user, position, rf):
    """Close the item at ``position`` as a request of ``user`` would: through the middleware that notes the writer."""
    request = rf.get("/")
    request.user = user

    def close(request):
        Item.objects.filter(position=position).update(status=ItemStatus.CLOSED, closed_at=clock.now())
        tally.rebuild()
        return HttpResponse()

    pagecache.WriterMiddleware(close)(request)


def test_a_board_is_kept_for_its_minute_whatever_others_write_and_drawn_again_after_the_users_own_write(
    client_for, office, reporter, checklist, frozen_clock, rf
):
    client = client_for(office)
    first = client.get(OVERVIEW)
    as_of = f"数据截至 {timezone.localtime(clock.now()):%Y-%m-%d %H:%M}，每分钟更新；您本人的操作即时反映。"
    assert not kept(first) and as_of in first.text
    assert _close_out(first) == "0.0%"
    # A reporter's close-out elsewhere, in a request of their own: the office's board stays as drawn this minute.
    _close_in_a_request_of(reporter, 2, rf)
    again = client.get(OVERVIEW)
    assert kept(again) and _close_out(again) == "0.0%"
    # The next minute draws it again, with the close-out.
    frozen_clock.shift(timedelta(minutes=1))
    later = client.get(OVERVIEW)
    assert not kept(later) and _close_out(later) == "50.0%" and kept(client.get(OVERVIEW))
    # The user's own write, in one of their requests, draws it again within the minute.
    _close_in_a_request_of(office, 1, rf)
    mine = client.get(OVERVIEW)
    assert not kept(mine) and _close_out(mine) == "100.0%"


def test_a_board_is_not_shared_and_not_kept_across_a_change_of_role(client_for, office, leader, checklist):
    client = client_for(office)
    client.get(OVERVIEW)
    assert kept(client.get(OVERVIEW)) and not kept(client_for(leader).get(OVERVIEW))
    office.roles.create(role=Role.LEADER)
    assert not kept(client.get(OVERVIEW))
