"""The household pages: the list (filters, 50 a page, query count), a file (masked for every role but the
managing office, full record only with a reason), the actions shown only when allowed, other county → 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assistance import workflow
from assistance.models import Event, EventKind, FileStatus, Household
from assistance.tests.conftest import file, pdf, person
from assistance.tests.factories import make_household

SECRETS = ["13812345678", "6228480012345671234"]


@pytest.fixture
def household(office, county_a, standard):
    return file(office, county_a, members=2)


def test_the_list_masks_names_for_a_leader_and_shows_them_to_the_office(household, leader, office, client_for):
    page = client_for(leader).get("/assistance/households/").content.decode()
    assert household.number in page and "张*" in page and "张建国" not in page
    page = client_for(office).get("/assistance/households/").content.decode()
    assert "张建国" in page


def test_the_list_filters_by_status(household, office, client_for):
    assert household.number in client_for(office).get("/assistance/households/?status=applied").content.decode()
    assert household.number not in client_for(office).get("/assistance/households/?status=archived").content.decode()


def test_the_list_is_50_a_page_in_a_fixed_number_of_queries(
    office, county_a, client_for, django_assert_max_num_queries
):
    for n in range(60):
        make_household(county_a, n + 1, size=1)
    client = client_for(office)
    with django_assert_max_num_queries(12):
        page = client.get("/assistance/households/").content.decode()
    assert page.count('data-testid="household-row"') == 50


def test_the_detail_masks_every_personal_value_for_a_leader(household, leader, client_for):
    page = client_for(leader).get(f"/assistance/households/{household.pk}/").content.decode()
    for secret in [*SECRETS, person(10), "张建国"]:
        assert secret not in page
    assert "138****5678" in page and "****1234" in page
    assert 'data-testid="full-view"' not in page
    assert 'data-testid="btn-pass_first_check"' not in page


def test_the_detail_masks_for_a_reporter_of_the_filing_union(union_reporter, union_a, standard, client_for):
    household = file(union_reporter, union_a)
    page = client_for(union_reporter).get(f"/assistance/households/{household.pk}/").content.decode()
    for secret in [*SECRETS, person(10)]:
        assert secret not in page
    assert 'data-testid="btn-pass_first_check"' not in page


def test_the_office_reads_the_full_record_with_a_reason(household, office, client_for):
    client = client_for(office)
    page = client.get(f"/assistance/households/{household.pk}/").content.decode()
    assert person(10) not in page and 'data-testid="btn-pass_first_check"' in page
    page = client.post(f"/assistance/households/{household.pk}/", {"reason": "发放救助核对账号"}).content.decode()
    assert person(10) in page and "6228480012345671234" in page
    assert Event.objects.filter(household=household, kind=EventKind.FULL_VIEW).count() == 1
    page = client.post(f"/assistance/households/{household.pk}/", {"reason": ""}).content.decode()
    assert person(10) not in page


def test_another_county_gets_404_everywhere(household, outsider, client_for):
    client = client_for(outsider)
    for url in (
        f"/assistance/households/{household.pk}/",
        f"/assistance/households/{household.pk}/edit/",
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(f"/assistance/households/{household.pk}/do/reject/", {"reason": "x", "version": 0}).status_code
        == 404
    )
    household.refresh_from_db()
    assert household.status == FileStatus.APPLIED


def test_filing_through_the_page(office, county_a, standard, client_for):
    data = {
        "unit": county_a.pk, "head_name": "钱大海", "head_id_number": person(30), "head_health": "chronic",
        "head_work": "employed", "head_income": "12000", "identity": "worker", "address": "滨海县五汛镇2号",
        "phone": "13900002222", "main_cause": "illness", "annual_income": "20000", "rigid_expenses": "2000",
        "m-0-name": "钱小海", "m-0-id_number": person(31), "m-0-relation": "child", "m-0-health": "healthy",
        "m-0-work": "student", "m-0-annual_income": "",
        "files": SimpleUploadedFile("申请书.pdf", pdf().read(), content_type="application/pdf"),
    }  # fmt: skip
    response = client_for(office).post("/assistance/households/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    household = Household.objects.get()
    assert household.members.count() == 2 and household.attachments.count() == 1


def test_a_wrong_id_number_on_the_page_is_a_field_error(office, county_a, client_for):
    data = {
        "unit": county_a.pk, "head_name": "钱大海", "head_id_number": "320922198001010001", "head_health": "healthy",
        "head_work": "employed", "identity": "worker", "address": "滨海", "main_cause": "illness",
        "annual_income": "20000",
    }  # fmt: skip
    page = client_for(office).post("/assistance/households/new/", data).content.decode()
    assert 'data-testid="field-error"' in page
    assert not Household.objects.exists()


def test_a_person_in_another_federation_is_refused_on_the_page(household, outsider, county_b, client_for):
    data = {
        "unit": county_b.pk, "head_name": "张建国", "head_id_number": person(10), "head_health": "healthy",
        "head_work": "employed", "identity": "worker", "address": "临河", "main_cause": "illness",
        "annual_income": "20000",
    }  # fmt: skip
    page = client_for(outsider).post("/assistance/households/new/", data).content.decode()
    assert 'data-testid="form-error"' in page
    assert household.number not in page
    assert Household.objects.count() == 1


def test_an_oversize_upload_is_refused_and_nothing_is_filed(office, county_a, client_for, settings):
    settings.QINGDAN_MAX_EVIDENCE_BYTES = 10
    data = {
        "unit": county_a.pk, "head_name": "钱大海", "head_id_number": person(30), "head_health": "healthy",
        "head_work": "employed", "identity": "worker", "address": "滨海", "main_cause": "illness",
        "annual_income": "20000", "files": SimpleUploadedFile("big.pdf", pdf().read(), content_type="application/pdf"),
    }  # fmt: skip
    page = client_for(office).post("/assistance/households/new/", data).content.decode()
    assert 'data-testid="form-error"' in page
    assert not Household.objects.exists()


def test_the_steps_through_the_page(household, office, client_for):
    client = client_for(office)
    url = f"/assistance/households/{household.pk}/do/"
    client.post(url + "pass_first_check/", {"version": household.version, "note": ""})
    household.refresh_from_db()
    assert household.status == FileStatus.FIRST_CHECKED
    client.post(url + "record_visit/", {"version": household.version, "note": "走访"})
    household.refresh_from_db()
    assert household.status == FileStatus.FIRST_CHECKED  # refused: no authorisation
    client.post(url + "record_visit/", {"version": household.version, "note": "走访", "authorisation": pdf()})
    household.refresh_from_db()
    assert household.status == FileStatus.VISITED
    response = client.post(url + "send_checks/", {"version": household.version - 1, "note": ""})
    household.refresh_from_db()
    assert household.status == FileStatus.VISITED and response.status_code == 302  # stale: nothing changed


def test_the_standards_page(office, leader, county_a, client_for):
    client_for(office).post("/assistance/standards/", {"year": 2026, "monthly": "830"})
    page = client_for(leader).get("/assistance/standards/").content.decode()
    assert "¥830.00" in page
    client_for(leader).post("/assistance/standards/", {"year": 2026, "monthly": "1"})
    assert "¥830.00" in client_for(leader).get("/assistance/standards/").content.decode()


def test_the_inbox_lists_applications_to_check(household, office, client_for):
    page = client_for(office).get("/").content.decode()
    assert "/assistance/households/?task=first_check" in page
    listed = client_for(office).get("/assistance/households/?task=first_check").content.decode()
    assert household.number in listed


def test_inbox_and_predicate_agree(household, office):
    from assistance import inbox

    waiting = set(Household.objects.filter(inbox.task_filter(office, "first_check")).values_list("pk", flat=True))
    allowed = {h.pk for h in Household.objects.all() if workflow.can_pass_first_check(office, h)}
    assert waiting == allowed == {household.pk}


def test_duplicates_side_by_side_and_merge_through_the_page(office, county_a, standard, client_for):
    first = file(office, county_a, n=1)
    second = file(office, county_a, n=2, address="别处")
    client = client_for(office)
    page = client.get(f"/assistance/households/{first.pk}/same-as/{second.pk}/").content.decode()
    assert second.number in page
    client.post(
        f"/assistance/households/{first.pk}/same-as/{second.pk}/",
        {"choice": "keep_left", "version_left": first.version, "version_right": second.version},
    )
    second.refresh_from_db()
    assert second.status == FileStatus.CANCELLED


def test_access_request_page(household, office, outsider, client_for):
    client_for(outsider).post("/assistance/access/", {"id_number": person(10), "reason": "核对重复"})
    page = client_for(office).get("/assistance/access/").content.decode()
    assert "核对重复" in page


def test_editing_the_facts_through_the_page(household, office, client_for):
    client = client_for(office)
    data = {
        "identity": "worker", "employer": "新单位", "address": household.address, "phone": "13812345678",
        "main_cause": "illness", "annual_income": "18000", "rigid_expenses": "0", "accident_costs": "0",
        "bank_name": "", "bank_account": "", "version": household.version,
    }  # fmt: skip
    assert client.post(f"/assistance/households/{household.pk}/edit/", data).status_code == 302
    household.refresh_from_db()
    assert household.employer == "新单位"
    stale = client.post(f"/assistance/households/{household.pk}/edit/", {**data, "employer": "旧"}).content.decode()
    assert 'data-testid="form-error"' in stale
    household.refresh_from_db()
    assert household.employer == "新单位"


@pytest.mark.parametrize("editor", ["office", "union_reporter"])
def test_the_edit_form_never_shows_the_full_phone_or_bank_account(editor, office, union_a, client_for, request):
    # The attack: someone who may edit a file (the office, or any reporter of the filing union) opens the edit form
    # to read the full phone and bank account, skipping the reason and audit the detail page's full view demands.
    household = file(office, union_a)
    client = client_for(request.getfixturevalue(editor))
    page = client.get(f"/assistance/households/{household.pk}/edit/").content.decode()
    # The editor sees empty phone and account inputs with “档案中为 138****5678。留空则保留原值……” under them.
    for secret in SECRETS:
        assert secret not in page
    assert 'placeholder="138****5678"' in page and "档案中为 138****5678" in page
    assert "***************1234" in page
    data = {
        "identity": "worker", "employer": "新单位", "address": household.address, "phone": "",
        "main_cause": "illness", "annual_income": "18000", "rigid_expenses": "0", "accident_costs": "0",
        "bank_name": "农业银行", "bank_account": "", "version": household.version,
    }  # fmt: skip
    assert client.post(f"/assistance/households/{household.pk}/edit/", data).status_code == 302
    household.refresh_from_db()
    # Saved with the two inputs left blank: the stored phone and account stay.
    assert (household.employer, household.phone, household.bank_account) == ("新单位", *SECRETS)
    data.update(version=household.version, phone="13900002222", bank_account="6222000011112222")
    assert client.post(f"/assistance/households/{household.pk}/edit/", data).status_code == 302
    household.refresh_from_db()
    # A new value typed in replaces the stored one.
    assert (household.phone, household.bank_account) == ("13900002222", "6222000011112222")


def test_a_member_is_added_through_the_page(household, office, client_for):
    data = {"name": "张小三", "id_number": person(55), "relation": "child", "health": "healthy", "work": "student",
            "annual_income": "", "version": household.version}  # fmt: skip
    client_for(office).post(f"/assistance/households/{household.pk}/members/", data)
    assert household.members.filter(name="张小三").exists()


def test_the_application_qr_code_page(union_reporter, client_for):
    page = client_for(union_reporter).get("/assistance/apply-code/").content.decode()
    assert "/g/apply/" in page and "<svg" in page


def test_answers_and_objections_through_the_page(household, office, client_for):
    from assistance import publicity
    from evidence import services as evidence

    client = client_for(office)
    h = workflow.pass_first_check(household=household, actor=office, version=household.version)
    h = workflow.record_visit(household=h, actor=office, version=h.version, note="走访",
                              authorisation=evidence.keep(uploaded=pdf(), actor=office))  # fmt: skip
    h = workflow.send_checks(household=h, actor=office, version=h.version)
    for check in h.checks.all():
        client.post(f"/assistance/households/{h.pk}/checks/{check.pk}/", {"result": "clear", "note": ""})
    assert not h.checks.filter(result="").exists()
    h.refresh_from_db()
    notice = workflow.publicise(household=h, actor=office, version=h.version)
    objection = publicity.submit_objection(publicity=notice, text="有异议")
    page = client.get(f"/assistance/households/{h.pk}/").content.decode()
    assert "有异议" in page and 'data-testid="handle-objection"' in page
    client.post(f"/assistance/households/{h.pk}/objections/{objection.pk}/", {"note": "已核实"})
    objection.refresh_from_db()
    assert objection.handled_note == "已核实"
