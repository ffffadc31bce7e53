from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from audit.models import AuditEvent
from orgs import services
from orgs.models import OrgKind
from orgs.tests.factories import OrgUnitFactory
from qingdan import clock

pytestmark = pytest.mark.django_db


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def office_token(office):
    return services.create_api_token(user=office, name="脚本", actor=office)[1]


def test_me_with_a_bearer_token(office_token, office):
    data = Client().get("/api/v1/me", **bearer(office_token)).json()
    assert data["username"] == "office" and data["roles"] == ["office"]
    assert data["org_unit"]["code"] == "A" and data["org_unit"]["kind_label"] == "县（区）总工会"
    assert data["org_unit"]["parent_code"] is None  # the county's parent is outside what office may see


def test_me_with_the_browser_session(client_for, office):
    assert client_for(office).get("/api/v1/me").json()["username"] == "office"


def test_no_credentials_gives_json_401_in_chinese(db):
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": "请先登录，或提供有效的 API 令牌。"}


def test_a_revoked_token_is_refused(office_token, office):
    token = office.api_tokens.get()
    services.revoke_api_token(token=token, actor=office)
    assert Client().get("/api/v1/me", **bearer(office_token)).status_code == 401
    assert AuditEvent.objects.filter(action="api.token_revoked", object_id=str(token.pk)).exists()


def test_a_token_of_a_disabled_user_stays_refused_after_reenabling(office_token, office, secadmin):
    services.set_user_active(user=office, active=False, actor=secadmin)
    assert Client().get("/api/v1/me", **bearer(office_token)).status_code == 401
    services.set_user_active(user=office, active=True, actor=secadmin)
    assert Client().get("/api/v1/me", **bearer(office_token)).status_code == 401


def test_a_token_is_refused_while_its_account_is_locked(office_token, office, secadmin):
    from datetime import timedelta

    from orgs.models import User

    User.objects.filter(pk=office.pk).update(locked_until=clock.now() + timedelta(minutes=30))
    assert Client().get("/api/v1/me", **bearer(office_token)).status_code == 401
    services.unlock_user(user=User.objects.get(pk=office.pk), actor=secadmin)
    assert Client().get("/api/v1/me", **bearer(office_token)).status_code == 200


def test_a_new_password_ends_the_tokens_made_before_it(office_token, office, secadmin):
    from audit.models import AuditEvent

    services.set_password(user=office, password="Reset@2026x", actor=secadmin)
    assert Client().get("/api/v1/me", **bearer(office_token)).status_code == 401
    assert AuditEvent.objects.get(action="api.tokens_revoked").after == {"tokens": 1, "why": "password_reset"}
    _token, fresh = services.create_api_token(user=office, name="新集成", actor=office)
    services.change_own_password(user=office, old_password="Reset@2026x", new_password="Changed@2026y")
    assert Client().get("/api/v1/me", **bearer(fresh)).status_code == 401


def test_a_token_expires_after_the_set_number_of_days(office_token, frozen_clock, settings):
    from datetime import timedelta

    settings.QINGDAN_API_TOKEN_DAYS = 90
    frozen_clock.shift(timedelta(days=89))
    assert Client().get("/api/v1/me", **bearer(office_token)).status_code == 200
    frozen_clock.shift(timedelta(days=2))
    response = Client().get("/api/v1/me", **bearer(office_token))
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_only_the_hash_of_a_token_is_stored(office_token, office):
    token = office.api_tokens.get()
    assert office_token not in (token.key_hash, token.hint) and token.key_hash == token.hash_key(office_token)


def test_orgs_lists_the_visible_tree_only(office_token, dept_a, dept_b):
    codes = [u["code"] for u in Client().get("/api/v1/orgs", **bearer(office_token)).json()]
    assert codes == ["A", "A-D1"]


def test_orgs_filter_by_kind_and_parent(office_token, county_a, dept_a):
    town = OrgUnitFactory(code="A-T1", kind=OrgKind.TOWN, parent=county_a)
    OrgUnitFactory(code="A-T1-E1", kind=OrgKind.ENTERPRISE, parent=town)
    api = Client()
    assert [u["code"] for u in api.get("/api/v1/orgs?kind=department", **bearer(office_token)).json()] == ["A-D1"]
    children = api.get("/api/v1/orgs?parent=A-T1", **bearer(office_token)).json()
    assert [(u["code"], u["parent_code"]) for u in children] == [("A-T1-E1", "A-T1")]


def test_unknown_kind_is_a_json_422(office_token):
    response = Client().get("/api/v1/orgs?kind=bank", **bearer(office_token))
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"


def test_other_county_unit_is_a_json_404(office_token, dept_b):
    api = Client()
    response = api.get(f"/api/v1/orgs/{dept_b.pk}", **bearer(office_token))
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "对象不存在，或不在您的管辖范围内。"}
    assert api.get("/api/v1/orgs?parent=B", **bearer(office_token)).status_code == 404


def test_own_subtree_unit_by_id(office_token, dept_a):
    assert Client().get(f"/api/v1/orgs/{dept_a.pk}", **bearer(office_token)).json()["name"] == "县交通运输局"


def test_openapi_document_is_served(db):
    spec = Client().get("/api/v1/openapi.json").json()
    assert {"/api/v1/me", "/api/v1/orgs", "/api/v1/orgs/{unit_id}"} <= set(spec["paths"])


def test_create_api_token_command_prints_a_working_token_of_the_chosen_scope(office, capsys):
    call_command("create_api_token", "office", "--scope", "read")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("qd_")
    assert Client().get("/api/v1/me", **bearer(raw)).json()["username"] == "office"
    token = office.api_tokens.get()
    assert token.read_only
    event = AuditEvent.objects.get(action="api.token_created")
    assert event.actor_username == "(command line)" and event.after == {"name": "command line", "scope": "read"}


def test_the_command_makes_no_token_without_a_scope(office):
    with pytest.raises(CommandError, match="--scope"):
        call_command("create_api_token", "office")
    assert not office.api_tokens.exists()


def test_profile_page_creates_shows_once_and_revokes_a_token(client_for, office):
    client = client_for(office)
    page = client.post("/profile/", {"action": "create", "name": "数据对接", "scope": "write"}).content.decode()
    raw = page.split('data-testid="new-token">')[1].split("<")[0]
    assert Client().get("/api/v1/me", **bearer(raw)).status_code == 200
    assert raw not in client.get("/profile/").content.decode()
    token = office.api_tokens.get()
    client.post("/profile/", {"action": "revoke", "token": token.pk})
    assert Client().get("/api/v1/me", **bearer(raw)).status_code == 401


def test_revoking_a_token_that_is_not_a_number_is_404(client_for, office):
    assert client_for(office).post("/profile/", {"action": "revoke", "token": "abc"}).status_code == 404


def test_api_docs_load_nothing_from_another_host(db):
    page = Client().get("/api/v1/docs").content.decode()
    assert "swagger" in page.lower() and "https://" not in page and "http://" not in page


def test_a_user_cannot_revoke_someone_elses_token(client_for, office, reviewer):
    token, raw = services.create_api_token(user=reviewer, name="x", actor=reviewer)
    assert client_for(office).post("/profile/", {"action": "revoke", "token": token.pk}).status_code == 404
    assert Client().get("/api/v1/me", **bearer(raw)).status_code == 200


def new_list():
    deadline = (clock.today() + timedelta(days=30)).isoformat()
    return {
        "responsible_unit": "A-D1",
        "title": "技术工人队伍建设责任清单",
        "category": "产业工人队伍建设",
        "items": [{"content": "改善技术人才居住条件", "deadline": deadline}],
    }


def test_a_read_only_token_reads_but_every_write_is_refused_and_changes_nothing(office, dept_a):
    from checklists.models import Checklist

    _token, reader = services.create_api_token(user=office, name="报表", scope="read", actor=office)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {reader}")
    assert api.get("/api/v1/me").status_code == 200 and api.get("/api/v1/items").status_code == 200
    for url in ("/api/v1/lists", "/api/v1/surveys/questionnaires"):
        response = api.post(url, data=new_list(), content_type="application/json")
        assert response.status_code == 403
        assert response.json() == {
            "code": "read_only_token",
            "message": "此令牌为只读令牌，只能查询（GET），不能提交或修改任何数据。",
        }
    assert not Checklist.objects.exists()
    _token, writer = services.create_api_token(user=office, name="对接", scope="write", actor=office)
    created = Client(HTTP_AUTHORIZATION=f"Bearer {writer}").post(
        "/api/v1/lists", data=new_list(), content_type="application/json"
    )
    assert created.status_code == 201 and Checklist.objects.count() == 1


def test_the_token_list_shows_the_scope_and_when_each_token_was_last_used(client_for, office, frozen_clock):
    from qingdan.templatetags.qd import day, moment

    client = client_for(office)
    page = client.post("/profile/", {"action": "create", "name": "季度报表", "scope": "read"}).content.decode()
    raw = page.split('data-testid="new-token">')[1].split("<")[0]
    token = office.api_tokens.get()
    assert token.read_only
    listed = page.split('data-testid="token-list"')[1]
    assert "只读" in listed and "从未使用" in listed and f"有效至 {day(clock.now() + timedelta(days=90))}" in listed
    frozen_clock.shift(timedelta(hours=2))
    Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    listed = client_for(office).get("/profile/").content.decode().split('data-testid="token-list"')[1]
    assert moment(clock.now()) in listed and "从未使用" not in listed
    frozen_clock.shift(timedelta(days=91))
    assert "已过期" in client_for(office).get("/profile/").content.decode().split('data-testid="token-list"')[1]


def test_no_token_is_made_without_a_chosen_scope(client_for, office):
    page = client_for(office).post("/profile/", {"action": "create", "name": "未选权限"}).content.decode()
    assert "这个字段是必填项。" in page and not office.api_tokens.exists()
