import io

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from openpyxl import load_workbook

from audit.masking import mask_id_number, mask_phone
from audit.models import AppendOnlyError, AuditEvent, Result
from audit.services import record
from qingdan.actors import SYSTEM

pytestmark = pytest.mark.django_db


def test_masks():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("110105199001011234") == "110105********1234"


def test_record_masks_personal_data_in_before_and_after(office):
    event = record(
        action="test.change",
        actor=office,
        before={"phone": "13812345678", "name": "王芳"},
        after={"id_number": "110105199001011234", "family": [{"phone": "13900001111"}]},
    )
    event.refresh_from_db()
    assert event.before == {"phone": "138****5678", "name": "王芳"}
    assert event.after == {"id_number": "110105********1234", "family": [{"phone": "139****1111"}]}
    assert event.org_unit == office.org_unit and event.actor_username == "office"


def test_orm_refuses_to_change_or_delete_an_event(office):
    event = record(action="test.change", actor=office)
    event.message = "篡改"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(message="篡改")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    event.refresh_from_db()
    assert event.message == ""


def test_database_refuses_an_update_by_raw_sql(office):
    event = record(action="test.change", actor=office)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET message = 'x' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.message == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's test flush deletes rows; see migration 0002")
def test_database_refuses_a_delete_by_raw_sql(office):
    event = record(action="test.change", actor=office)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_change_and_its_record_roll_back_together(office, secadmin):
    from orgs import services
    from orgs.models import Role

    with pytest.raises(RuntimeError), transaction.atomic():
        services.set_roles(user=office, roles=[Role.LEADER], actor=secadmin)
        raise RuntimeError("the request failed later")
    assert not AuditEvent.objects.filter(action="orgs.roles_changed").exists()
    assert office.roles.get().role == Role.OFFICE


def test_audit_page_is_for_auditors_only(client_for, sysadmin, secadmin, office):
    for user in (sysadmin, secadmin, office):
        assert client_for(user).get("/audit/").status_code == 403


def events_part(page):
    """The events of a page, after the filter form (whose action list names every action)."""
    return page.split('data-testid="events-phone"', 1)[1]


def test_auditor_filters_by_user_action_object_and_result(client_for, auditor, office, county_a):
    record(action="orgs.unit_saved", actor=office, object_type="orgs.orgunit", object_id="77")
    record(action="auth.login_failed", actor_username="office", result=Result.FAILURE, org_unit=county_a)
    client = client_for(auditor)
    page = events_part(
        client.get("/audit/?actor=office&action=orgs.&object_type=orgs.orgunit&object_id=77").content.decode()
    )
    assert "保存组织单位" in page and "登录失败" not in page
    page = events_part(client.get("/audit/?result=failure").content.decode())
    assert "登录失败" in page and "保存组织单位" not in page


def test_auditor_does_not_see_events_of_another_county(client_for, auditor, outsider):
    record(action="orgs.secret_change", actor=outsider)
    assert "orgs.secret_change" not in client_for(auditor).get("/audit/").content.decode()


def test_audit_export_has_exactly_the_filtered_rows(client_for, auditor, office):
    record(action="orgs.unit_saved", actor=office, after={"phone": "13812345678"})
    record(action="other.thing", actor=office)
    response = client_for(auditor).get("/audit/export/?action=orgs.unit_saved&actor=office")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("时间", "用户", "所在单位", "操作")
    assert [r[3] for r in rows[1:]] == ["保存组织单位"] and [r[-1] for r in rows[1:]] == ["orgs.unit_saved"]
    assert "138****5678" in rows[1][9] and "{" not in rows[1][9]


def test_export_writes_a_typed_formula_as_plain_text(client_for, auditor, county_a):
    record(
        action="auth.login_failed",
        actor_username='=HYPERLINK("http://evil/","x")',
        org_unit=county_a,
        result=Result.FAILURE,
    )
    response = client_for(auditor).get("/audit/export/?action=auth.login_failed")
    cells = [c for row in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in row]
    typed = next(c for c in cells if "=HYPERLINK" in str(c.value))
    assert typed.data_type == "s"


def test_history_of_a_moved_unit_stays_with_the_county_it_happened_in(client_for, auditor, county_a, county_b):
    from orgs import services
    from orgs.models import Role
    from orgs.tests.factories import OrgUnitFactory, UserFactory

    town = OrgUnitFactory(code="A-T9", name="迁出的镇工会", parent=county_a)
    record(action="test.before_move", org_unit=town)
    town.parent = county_b
    services.save_unit(unit=town, actor=SYSTEM)
    record(action="test.after_move", org_unit=town)
    auditor_b = UserFactory(username="auditor-b", org_unit=county_b, roles=[Role.AUDITOR])
    page_a = client_for(auditor).get("/audit/?action=test.").content.decode()
    page_b = client_for(auditor_b).get("/audit/?action=test.").content.decode()
    assert "test.before_move" in page_a and "test.after_move" not in page_a
    assert "test.after_move" in page_b and "test.before_move" not in page_b
