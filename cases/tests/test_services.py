"""The registry's rules as its services keep them: the credit code and its check digit, one registration per code,
the union link, stale changes, the audit trail; a project's chain with no loop and no firm its own contractor."""

import pytest
from django.utils import translation

from audit.models import AuditEvent
from cases import services
from cases.models import Enterprise, Industry, Project, Subcontract
from cases.tests.conftest import REAL_CODE, valid_code, wrong_digit
from orgs.models import OrgKind
from orgs.tests.factories import OrgUnitFactory
from qingdan.actors import SYSTEM
from qingdan.errors import Conflict, Refused

pytestmark = pytest.mark.django_db


def _facts(unit, **changes):
    return {
        "name": "滨海恒润食品有限公司",
        "credit_code": REAL_CODE,
        "org_unit": unit,
        "community": "",
        "industry": Industry.C,
        "workers": 290,
        "has_union": False,
        "union_unit": None,
        "address": "",
        "contact_name": "",
        "contact_phone": "",
        **changes,
    }


def _refusal(call):
    with translation.override("zh-hans"), pytest.raises(Refused) as refused:
        call()
    return str(refused.value.message)


def test_a_real_code_is_accepted_and_a_wrong_check_digit_is_refused():
    assert services.credit_code_problem(REAL_CODE) is None
    with translation.override("zh-hans"):
        said = services.credit_code_problem(wrong_digit(REAL_CODE))
    assert said == "统一社会信用代码校验位不符，请对照营业执照核对。"


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("", "请填写统一社会信用代码。"),
        ("91110000600037341", "统一社会信用代码应为18位，此处为 17 位。"),
        ("9111000060003734IL", "统一社会信用代码前8位为数字，其余为数字或除I、O、S、V、Z以外的大写字母。"),
    ],
)
def test_a_short_or_malformed_code_says_what_is_wrong(typed, said):
    with translation.override("zh-hans"):
        assert services.credit_code_problem(services.normalise_code(typed)) == said


def test_a_code_typed_full_width_lower_case_or_with_spaces_is_stored_compact(office, town_a):
    typed = "９１１１００００ ６０００３７３４１ｌ"
    enterprise = services.create_enterprise(actor=office, **_facts(town_a, credit_code=typed))
    assert enterprise.credit_code == REAL_CODE


def test_office_registers_an_enterprise_with_its_audit_row_and_the_phone_masked_there(office, town_a):
    enterprise = services.create_enterprise(actor=office, **_facts(town_a, contact_phone="13812345678"))
    event = AuditEvent.objects.get(action="cases.enterprise_created", object_id=str(enterprise.pk))
    assert event.actor == office and event.org_unit == town_a
    assert event.after["phone"] == "138****5678" and event.after["credit_code"] == REAL_CODE
    assert enterprise.created_by == office and enterprise.version == 0


def test_the_same_code_twice_is_refused_and_nothing_is_added(office, town_a, town_a2):
    services.create_enterprise(actor=office, **_facts(town_a))
    said = _refusal(lambda: services.create_enterprise(actor=office, **_facts(town_a2, name="另一家公司")))
    assert said == "该统一社会信用代码已登记：滨海恒润食品有限公司。"
    assert Enterprise.objects.count() == 1


def test_a_code_registered_in_another_county_is_refused_without_naming_it(office, outsider, town_a, town_b):
    services.create_enterprise(actor=outsider, **_facts(town_b, name="临河某公司"))
    said = _refusal(lambda: services.create_enterprise(actor=office, **_facts(town_a)))
    assert said == "该统一社会信用代码已由本单位管辖范围以外的单位登记。"
    assert "临河" not in said


def test_nobody_but_office_staff_registers_and_only_within_their_subtree(reporter, leader, office, town_a, town_b):
    for person in (reporter, leader):
        said = _refusal(lambda person=person: services.create_enterprise(actor=person, **_facts(town_a)))
        assert said == "只有督办人员可以登记企业和工程项目。"
    said = _refusal(lambda: services.create_enterprise(actor=office, **_facts(town_b)))
    assert said == "临河城关街道工会不在您的管辖范围内。"
    assert not Enterprise.objects.exists()


def test_an_enterprise_sits_under_a_town_or_a_federation_not_under_a_department(office, dept_a):
    said = _refusal(lambda: services.create_enterprise(actor=office, **_facts(dept_a)))
    assert said.startswith("县交通运输局不是乡镇（街道）工会或总工会")


def test_negative_workers_are_refused(office, town_a):
    said = _refusal(lambda: services.create_enterprise(actor=office, **_facts(town_a, workers=-1)))
    assert said == "职工人数不能为负数。"


def test_the_union_unit_needs_a_union_and_an_enterprise_unit_is_the_union_of_one_enterprise(office, town_a, union_a):
    said = _refusal(lambda: services.create_enterprise(actor=office, **_facts(town_a, union_unit=union_a)))
    assert said.startswith("未建会的企业不能关联工会单位")
    first = services.create_enterprise(actor=office, **_facts(town_a, has_union=True, union_unit=union_a))
    assert first.union_unit == union_a
    said = _refusal(
        lambda: services.create_enterprise(
            actor=office, **_facts(town_a, name="另一家", credit_code=valid_code(9), has_union=True, union_unit=union_a)
        )
    )
    assert said == "滨海金桥建设工程有限公司已是滨海恒润食品有限公司的工会。"


def test_a_joint_union_covers_several_enterprises(office, town_a):
    joint = OrgUnitFactory(code="A-G8", name="县建筑行业工会联合会", kind=OrgKind.GRASSROOTS, parent=town_a)
    for n in (1, 2):
        services.create_enterprise(
            actor=office,
            **_facts(town_a, name=f"劳务{n}", credit_code=valid_code(n), has_union=True, union_unit=joint),
        )
    assert Enterprise.objects.filter(union_unit=joint).count() == 2


def test_a_change_read_before_someone_elses_is_refused(office, firm_a):
    services.update_enterprise(enterprise=firm_a, actor=office, version=0, workers=120)
    with pytest.raises(Conflict):
        services.update_enterprise(enterprise=firm_a, actor=office, version=0, workers=150)
    firm_a.refresh_from_db()
    assert firm_a.workers == 120 and firm_a.version == 1


def test_the_same_facts_sent_again_change_nothing(office, firm_a):
    before = AuditEvent.objects.count()
    same = services.update_enterprise(
        enterprise=firm_a, actor=office, version=0, name=firm_a.name, credit_code=firm_a.credit_code.lower()
    )
    assert same.version == 0 and AuditEvent.objects.count() == before


def test_a_change_is_audited_with_before_and_after(office, firm_a):
    services.update_enterprise(enterprise=firm_a, actor=office, version=0, workers=5, contact_phone="13900001111")
    event = AuditEvent.objects.get(action="cases.enterprise_changed")
    assert event.before["workers"] == 101 and event.after["workers"] == 5
    assert event.after["phone"] == "139****1111"


# --- projects and chains ---------------------------------------------------------------------------------------------


@pytest.fixture
def firms(make_enterprise, town_a):
    names = ["总包建设", "钢构", "安装", "劳务甲", "劳务乙"]
    return {name: make_enterprise(town_a, n, name=f"滨海{name}有限公司") for n, name in enumerate(names, 10)}


@pytest.fixture
def project(office, town_a, firms):
    return services.create_project(
        actor=office,
        name="滨海县人民医院新院区建设工程",
        location="东坎街道",
        org_unit=town_a,
        starts_on=None,
        ends_on=None,
        developer=None,
        general_contractor=firms["总包建设"],
    )


def test_a_chain_hangs_from_the_general_contractor(office, project, firms):
    steel = services.add_subcontract(project=project, contractor=firms["钢构"], actor=office, work="钢结构工程")
    install = services.add_subcontract(project=project, contractor=firms["安装"], under=steel, actor=office)
    labour = services.add_subcontract(project=project, contractor=firms["劳务甲"], under=install, actor=office)
    from cases.queries import chain

    assert [(n.contractor.name, n.depth) for n in chain(project)] == [
        ("滨海钢构有限公司", 1),
        ("滨海安装有限公司", 2),
        ("滨海劳务甲有限公司", 3),
    ]
    assert labour.parent == install
    assert AuditEvent.objects.filter(action="cases.subcontract_added", object_id=str(project.pk)).count() == 3


def test_a_loop_in_the_chain_is_refused_and_the_chain_stays(office, project, firms):
    steel = services.add_subcontract(project=project, contractor=firms["钢构"], actor=office)
    install = services.add_subcontract(project=project, contractor=firms["安装"], under=steel, actor=office)
    labour = services.add_subcontract(project=project, contractor=firms["劳务甲"], under=install, actor=office)
    said = _refusal(lambda: services.move_subcontract(node=steel, under=labour, actor=office))
    assert said == "分包关系不能形成闭环：滨海钢构有限公司 → 滨海安装有限公司 → 滨海劳务甲有限公司 → 滨海钢构有限公司。"
    steel.refresh_from_db()
    assert steel.parent is None


def test_a_firm_is_never_its_own_contractor(office, project, firms):
    said = _refusal(lambda: services.add_subcontract(project=project, contractor=firms["总包建设"], actor=office))
    assert said == "滨海总包建设有限公司不能做自己的分包单位。"
    steel = services.add_subcontract(project=project, contractor=firms["钢构"], actor=office)
    said = _refusal(
        lambda: services.add_subcontract(project=project, contractor=firms["钢构"], under=steel, actor=office)
    )
    assert said == "滨海钢构有限公司不能做自己的分包单位。"
    said = _refusal(lambda: services.move_subcontract(node=steel, under=steel, actor=office))
    assert said == "滨海钢构有限公司不能做自己的分包单位。"
    said = _refusal(
        lambda: services.update_project(project=project, actor=office, version=0, general_contractor=firms["钢构"])
    )
    assert said == "滨海钢构有限公司是本项目的分包单位，企业不能自己承包自己。"
    assert Subcontract.objects.count() == 1


def test_a_firm_appears_once_in_a_chain(office, project, firms):
    steel = services.add_subcontract(project=project, contractor=firms["钢构"], actor=office)
    services.add_subcontract(project=project, contractor=firms["安装"], under=steel, actor=office)
    said = _refusal(lambda: services.add_subcontract(project=project, contractor=firms["安装"], actor=office))
    assert said == "滨海安装有限公司已在本项目的分包链中。"


def test_a_firm_with_others_below_it_is_not_taken_out(office, project, firms):
    steel = services.add_subcontract(project=project, contractor=firms["钢构"], actor=office)
    install = services.add_subcontract(project=project, contractor=firms["安装"], under=steel, actor=office)
    said = _refusal(lambda: services.remove_subcontract(node=steel, actor=office))
    assert said == "滨海钢构有限公司下还有分包单位，请先调整或移除。"
    services.remove_subcontract(node=install, actor=office)
    services.remove_subcontract(node=steel, actor=office)
    assert not project.subcontracts.exists()


def test_a_project_ends_after_it_starts_and_its_name_is_once_per_unit(office, town_a, firms, project):
    from datetime import date

    said = _refusal(
        lambda: services.update_project(
            project=project, actor=office, version=0, starts_on=date(2026, 9, 1), ends_on=date(2026, 8, 1)
        )
    )
    assert said == "竣工日期（2026-08-01）不能早于开工日期（2026-09-01）。"
    said = _refusal(
        lambda: services.create_project(
            actor=office,
            name=project.name,
            location="",
            org_unit=town_a,
            starts_on=None,
            ends_on=None,
            developer=None,
            general_contractor=firms["钢构"],
        )
    )
    assert said == "东坎街道工会已有名为“滨海县人民医院新院区建设工程”的工程项目。"
    assert Project.objects.count() == 1


def test_the_platform_registers_as_system(town_a):
    enterprise = services.create_enterprise(actor=SYSTEM, **_facts(town_a))
    event = AuditEvent.objects.get(action="cases.enterprise_created")
    assert enterprise.created_by is None and event.actor is None
