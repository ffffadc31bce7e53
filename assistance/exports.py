"""Downloads of the archive (.xlsx): the filtered household list and the aid, masked as the lists show them.

ID numbers come as the masked copy kept beside the sealed one (``110105********1234``), phones as ``138****5678``,
bank accounts with their last four digits only; heads' names are masked (王*明) for every role but the office
staff who manage the files. Aid comes with a 合计 row."""

from decimal import Decimal

from django.db.models import Count, Prefetch

from assistance.models import Aid, Member, Relation
from audit.masking import mask_phone, mask_value
from orgs.models import Role
from qingdan.spreadsheets import write_sheets

HOUSEHOLD_HEADER = [
    "档案编号", "户主", "户主身份证号", "管理单位", "状态", "困难类别", "主要致困原因", "家庭人口", "联系电话",
    "开户银行", "银行账号", "家庭年可支配收入", "申请日期", "建档日期", "脱困日期", "最近复核",
]  # fmt: skip
AID_HEADER = ["档案编号", "户主", "管理单位", "帮扶类别", "金额（元）", "发放日期", "资金来源", "发放单位", "经办人"]
ROWS_MAX = 200_000


def mask_name(name):
    """``王建国`` → ``王*国``, ``王明`` → ``王*``: enough to recognise a family one already knows."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def sees_names(user):
    return user.has_role(Role.OFFICE)


def mask_account(value):
    return mask_value("bank_account", value) if value else ""


def _day(value):
    return f"{value:%Y-%m-%d}" if value else ""


def household_rows(user, households):
    names = sees_names(user)
    heads = Prefetch("members", queryset=Member.objects.filter(relation=Relation.HEAD).only("household", "id_masked"),
                     to_attr="heads")  # fmt: skip
    rows = (
        households.select_related("org_unit")
        .prefetch_related(heads)
        .annotate(size=Count("members"))
        .order_by("org_unit__path", "number")[:ROWS_MAX]
    )
    for h in rows:
        yield [
            h.number,
            h.head_name if names else mask_name(h.head_name),
            h.heads[0].id_masked if h.heads else "",
            h.org_unit.name,
            str(h.get_status_display()),
            str(h.get_category_display()) if h.category else "",
            str(h.get_main_cause_display()),
            h.size,
            mask_phone(h.phone) if h.phone else "",
            h.bank_name,
            mask_account(h.bank_account),
            float(h.annual_income),
            _day(h.applied_on),
            _day(h.archived_on),
            _day(h.exited_on),
            _day(h.reviewed_on),
        ]


def households_xlsx(user, households):
    return write_sheets([("困难职工档案", HOUSEHOLD_HEADER, household_rows(user, households))])


def aid_rows(user, aid):
    names = sees_names(user)
    total, times = Decimal("0.00"), 0
    for a in aid.select_related("household__org_unit", "org_unit").order_by("-given_on", "-id")[:ROWS_MAX]:
        total += a.amount
        times += 1
        yield [
            a.household.number,
            a.household.head_name if names else mask_name(a.household.head_name),
            a.household.org_unit.name,
            str(a.get_kind_display()),
            float(a.amount),
            _day(a.given_on),
            a.source,
            a.org_unit.name,
            a.delivered_by,
        ]
    yield ["合计", f"{times}次", "", "", float(total), "", "", "", ""]


def aid_xlsx(user, aid):
    return write_sheets([("帮扶记录", AID_HEADER, aid_rows(user, aid))])


def visible_aid(user, households):
    """The aid given to ``households`` (already scoped and filtered)."""
    return Aid.objects.filter(household__in=households.values("pk"))
