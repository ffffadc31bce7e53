"""公示 pages and a worker's own application: open, objected to, taken down by the scan; nothing personal."""

import datetime

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from assistance import publicity, workflow
from assistance.models import EventKind, FileStatus, Household, Objection, Publicity
from assistance.tests.conftest import file, pdf, person
from evidence import services as evidence
from qingdan import throttles


@pytest.fixture(autouse=True)
def _fresh_throttle(db):
    caches[throttles.CACHE].clear()


@pytest.fixture
def notice(office, county_a, standard):
    household = file(office, county_a, members=2)
    household = workflow.pass_first_check(household=household, actor=office, version=household.version)
    household = workflow.record_visit(
        household=household, actor=office, version=household.version, note="走访",
        authorisation=evidence.keep(uploaded=pdf(), actor=office),
    )  # fmt: skip
    household = workflow.send_checks(household=household, actor=office, version=household.version)
    for check in household.checks.all():
        workflow.answer_check(check=check, actor=office, result="clear")
    household.refresh_from_db()
    return workflow.publicise(household=household, actor=office, version=household.version)


PERSONAL = ["张建国", "人民路", "13812345678", "138****5678", "320922", "6228"]


def test_the_open_notice_shows_a_masked_name_and_the_category_only(notice):
    page = Client().get(f"/g/{notice.slug}/").content.decode()
    assert "张**" in page
    assert "深度困难" in page or "Deep hardship" in page
    for secret in PERSONAL:
        assert secret not in page


def test_an_objection_from_the_qr_code_is_received(notice):
    response = Client().post(f"/g/{notice.slug}/objection/", {"text": "他家有门面房出租"})
    assert response.status_code == 200
    assert Objection.objects.get().text == "他家有门面房出租"


def test_objections_are_throttled_per_address(notice):
    client = Client()
    for _ in range(publicity.OBJECTIONS_PER_HOUR):
        client.post(f"/g/{notice.slug}/objection/", {"text": "异议"})
    response = client.post(f"/g/{notice.slug}/objection/", {"text": "异议"})
    # The user sees: “此网络提交过于频繁，请一小时后再试。”
    assert response.status_code == 429
    assert Objection.objects.count() == publicity.OBJECTIONS_PER_HOUR


def test_the_objection_count_holds_on_every_app_server(notice):
    client = Client()
    for _ in range(publicity.OBJECTIONS_PER_HOUR):
        client.post(f"/g/{notice.slug}/objection/", {"text": "异议"})
    caches["default"].clear()  # the next request lands on another server, whose own memory is empty
    response = client.post(f"/g/{notice.slug}/objection/", {"text": "异议"})
    assert response.status_code == 429
    assert Objection.objects.count() == publicity.OBJECTIONS_PER_HOUR


def test_the_scan_takes_the_notice_down_and_the_page_says_it_ended(notice, frozen_clock):
    assert publicity.scan(datetime.date(2026, 9, 22)) == 0
    assert publicity.scan(datetime.date(2026, 9, 23)) == 1
    notice.refresh_from_db()
    assert notice.taken_down_on == datetime.date(2026, 9, 23)
    frozen_clock.move_to(datetime.datetime(2026, 9, 23, 10, tzinfo=datetime.UTC))
    page = Client().get(f"/g/{notice.slug}/").content.decode()
    assert "notice-ended" in page
    for secret in [*PERSONAL, "张*", "深度困难", "Deep hardship"]:
        assert secret not in page
    response = Client().post(f"/g/{notice.slug}/objection/", {"text": "迟到的异议"})
    assert not Objection.objects.exists()
    assert response.status_code == 200


def test_the_scan_command_runs(notice, frozen_clock):
    frozen_clock.move_to(datetime.datetime(2026, 10, 1, 10, tzinfo=datetime.UTC))
    call_command("scan_publicity")
    assert Publicity.objects.get().taken_down_on == datetime.date(2026, 10, 1)


def test_an_unknown_notice_is_404(db):
    assert Client().get("/g/nothing-here/").status_code == 404


def _apply_form(n=50, **over):
    data = {
        "name": "赵小红", "id_number": person(n), "phone": "13900001111", "address": "滨海县八巨镇1号",
        "employer": "滨海恒润食品有限公司", "identity": "migrant", "main_cause": "illness", "household_size": "3",
        "annual_income": "20000",
    }  # fmt: skip
    data.update(over)
    return data


def test_a_worker_applies_from_the_unions_qr_code(union_a):
    url = reverse("publicity:apply", args=[publicity.apply_token(union_a)])
    client = Client()
    response = client.post(url, _apply_form())
    assert response.status_code == 302
    household = Household.objects.get()
    assert (household.org_unit, household.status, household.identity) == (union_a, FileStatus.APPLIED, "migrant")
    assert household.number in client.get(response["Location"]).content.decode()


def test_a_wrong_id_number_on_the_phone_form_is_refused(union_a):
    url = reverse("publicity:apply", args=[publicity.apply_token(union_a)])
    response = Client().post(url, _apply_form(id_number="320922198001010000"))
    # The user sees the field error: “身份证号码校验位不符……”
    assert response.status_code == 200
    assert not Household.objects.exists()


def test_applications_are_throttled_per_address(union_a):
    url = reverse("publicity:apply", args=[publicity.apply_token(union_a)])
    client = Client()
    for n in range(publicity.APPLY_PER_HOUR):
        client.post(url, _apply_form(n=60 + n))
    response = client.post(url, _apply_form(n=99))
    assert response.status_code == 422
    assert Household.objects.count() == publicity.APPLY_PER_HOUR


def test_a_forged_token_is_404(db):
    assert Client().get("/g/apply/forged-token/").status_code == 404


def test_the_public_form_names_no_file_for_an_id_number_already_filed(office, union_a):
    # The attack: an anonymous visitor types someone's ID number into the union's QR form to learn whether that
    # person is in a hardship file, under which name, which file number and which union.
    secret = file(office, union_a, n=7, name="李秘密")
    url = reverse("publicity:apply", args=[publicity.apply_token(union_a)])
    response = Client().post(url, _apply_form(id_number=person(70)))
    page = response.content.decode()
    # The visitor sees only: “该身份证号已有在档申请或档案，请联系所在工会。”
    assert response.status_code == 422
    assert "该身份证号已有在档申请或档案，请联系所在工会。" in page
    assert "李秘密" not in page and secret.number not in page
    # The form names its own union in its heading; the refusal names no union and no file.
    error = page.split('data-testid="form-error">', 1)[1].split("</div>", 1)[0]
    assert error == "该身份证号已有在档申请或档案，请联系所在工会。"
    assert Household.objects.count() == 1


def test_the_office_still_sees_which_file_holds_the_person(office, union_a):
    from qingdan.errors import Refused

    held = file(office, union_a, n=7, name="李秘密")
    # The office filing the same person again is told the file it may read: name, number and union.
    with pytest.raises(Refused) as refused:
        file(office, union_a, n=7, name="李另一")
    assert "李秘密" in str(refused.value.message) and held.number in str(refused.value.message)


def test_the_declared_household_size_is_kept_with_the_application(union_a):
    url = reverse("publicity:apply", args=[publicity.apply_token(union_a)])
    assert Client().post(url, _apply_form()).status_code == 302
    applied = Household.objects.get().events.get(kind=EventKind.APPLIED)
    assert applied.data == {"status": FileStatus.APPLIED, "source": "phone", "declared_size": 3}


def test_each_notice_taken_down_by_the_scan_is_in_the_audit_log_once(notice, frozen_clock):
    from audit.models import AuditEvent

    # The office reading the audit log sees “公示已撤下” on the file, once, even when the scan runs twice.
    assert publicity.scan(datetime.date(2026, 9, 23)) == 1
    assert publicity.scan(datetime.date(2026, 9, 24)) == 0
    taken = AuditEvent.objects.filter(action="assistance.notice_taken_down")
    assert taken.count() == 1
    event = taken.get()
    assert event.object_id == str(notice.household_id) and event.org_unit_id == notice.household.org_unit_id
    assert event.after["taken_down_on"] == "2026-09-23"
