"""The demo organisation: 示范市总工会 with four counties, one of them modelled on
滨海县 (seed 000: 86 units receiving responsibility lists), and one user per role."""

from django.db import transaction

from orgs import services
from orgs.models import OrgKind, OrgUnit, Role, User
from qingdan.actors import SYSTEM

CITY = ("320900", "示范市总工会")
BINHAI = ("320922", "滨海县总工会")
OTHER_COUNTIES = [("320921", "临河县总工会"), ("320902", "青山区总工会"), ("320903", "南湖区总工会")]

DEPARTMENTS = [
    "县发展和改革委员会",
    "县教育局",
    "县科学技术局",
    "县工业和信息化局",
    "县人力资源和社会保障局",
    "县财政局",
    "县住房和城乡建设局",
    "县交通运输局",
    "县农业农村局",
    "县商务局",
    "县文化广电和旅游局",
    "县卫生健康委员会",
    "县市场监督管理局",
    "县应急管理局",
    "县退役军人事务局",
    "县医疗保障局",
    "县司法局",
    "县民政局",
    "县自然资源和规划局",
    "县生态环境局",
]
TOWNS = [
    "东坎街道工会",
    "坎北街道工会",
    "五汛镇工会",
    "蔡桥镇工会",
    "正红镇工会",
    "通榆镇工会",
    "界牌镇工会",
    "八巨镇工会",
    "八滩镇工会",
    "滨淮镇工会",
    "天场镇工会",
    "陈涛镇工会",
    "滨海港镇工会",
]
ENTERPRISES = [
    "江苏苏盐阀门机械有限公司",
    "滨海港务集团有限公司",
    "滨海华能热电有限公司",
    "滨海县自来水有限公司",
    "江苏海兴纺织有限公司",
    "滨海金桥建设工程有限公司",
    "滨海恒润食品有限公司",
    "江苏新滨化工科技有限公司",
    "滨海县公共交通有限公司",
    "滨海东坎农商银行",
    "滨海县供电公司",
    "江苏沿海风电设备有限公司",
    "滨海宏达汽车零部件有限公司",
    "滨海县天然气有限公司",
    "江苏华滨医药有限公司",
    "滨海县粮食购销有限公司",
    "滨海新城物业管理有限公司",
    "江苏滨淮木业有限公司",
    "滨海县邮政分公司",
    "滨海鑫源机械制造有限公司",
    "江苏正红服饰有限公司",
    "滨海县城市建设投资有限公司",
    "滨海八滩农产品加工有限公司",
    "江苏蓝海新材料有限公司",
    "滨海县环卫服务有限公司",
    "滨海通榆电子科技有限公司",
    "滨海县港城酒店有限公司",
    "江苏五汛钢构有限公司",
    "滨海县农业发展集团有限公司",
    "滨海县交通建设投资有限公司",
]
GRASSROOTS = [
    "县人民医院工会",
    "县中医院工会",
    "滨海中学工会",
    "县实验小学工会",
    "县妇幼保健院工会",
    "县职业教育中心工会",
    "县快递行业工会联合会",
    "县建筑行业工会联合会",
    "县餐饮行业工会联合会",
    "县货运司机工会",
    "东坎街道社区工会联合会",
    "经济开发区工会",
    "沿海工业园区工会",
    "县机关工会",
    "县教育系统工会",
    "县卫健系统工会",
    "县住建系统工会",
    "县交通系统工会",
    "县商贸流通工会",
    "县新就业形态劳动者工会",
]
OTHERS = ["县职工服务中心", "县“产改”联席会议办公室", "滨海县产改第三方评估组"]

# username: (full name, role, unit name, phone)
DEMO_USERS = {
    "admin": ("周建国", Role.SYSADMIN, BINHAI[1], "13805150101"),
    "security": ("吴海燕", Role.SECADMIN, BINHAI[1], "13805150102"),
    "auditor": ("郑立新", Role.AUDITOR, BINHAI[1], "13805150103"),
    "office": ("程华", Role.OFFICE, BINHAI[1], "13805150104"),
    "reporter": ("孙丽娟", Role.REPORTER, "县交通运输局", "13805150105"),
    "reviewer": ("王志刚", Role.REVIEWER, BINHAI[1], "13805150106"),
    "evaluator": ("李明", Role.EVALUATOR, "滨海县产改第三方评估组", "13805150107"),
    "leader": ("张文斌", Role.LEADER, BINHAI[1], "13805150108"),
    "office2": ("赵静", Role.OFFICE, OTHER_COUNTIES[0][1], "13805150109"),
}
DEFAULT_PASSWORD = "Qingdan@2026"  # noqa: S105 - the documented demo password, overridable by QINGDAN_DEMO_PASSWORD


def _unit(code, name, kind, parent):
    unit = OrgUnit.objects.filter(code=code).first() or OrgUnit(code=code)
    if unit.pk and (unit.name, unit.kind, unit.parent_id) == (name, kind, parent.pk if parent else None):
        return unit
    unit.name, unit.kind, unit.parent = name, kind, parent
    return services.save_unit(unit=unit, actor=SYSTEM)


def build_units():
    city = _unit(CITY[0], CITY[1], OrgKind.CITY, None)
    binhai = _unit(BINHAI[0], BINHAI[1], OrgKind.COUNTY, city)
    if binhai.document_prefix != "滨产改办":
        binhai.document_prefix = "滨产改办"
        binhai.save(update_fields=["document_prefix"])
    code = BINHAI[0]
    towns = []
    for i, name in enumerate(DEPARTMENTS, 1):
        _unit(f"{code}D{i:03d}", name, OrgKind.DEPARTMENT, binhai)
    for i, name in enumerate(TOWNS, 1):
        towns.append(_unit(f"{code}T{i:03d}", name, OrgKind.TOWN, binhai))
    for i, name in enumerate(ENTERPRISES, 1):
        _unit(f"{code}E{i:03d}", name, OrgKind.ENTERPRISE, towns[(i - 1) % len(towns)])
    for i, name in enumerate(GRASSROOTS, 1):
        _unit(f"{code}G{i:03d}", name, OrgKind.GRASSROOTS, towns[(i - 1) % len(towns)] if i <= 11 else binhai)
    for i, name in enumerate(OTHERS, 1):
        _unit(f"{code}Q{i:03d}", name, OrgKind.OTHER, binhai)
    for county_code, county_name in OTHER_COUNTIES:
        county = _unit(county_code, county_name, OrgKind.COUNTY, city)
        short = county_name.removesuffix("总工会")
        for i, town in enumerate(("城关街道工会", "新港镇工会", "河口镇工会"), 1):
            _unit(f"{county_code}T{i:03d}", f"{short}{town}", OrgKind.TOWN, county)
        for i, dept in enumerate(("人力资源和社会保障局", "交通运输局", "教育局"), 1):
            _unit(f"{county_code}D{i:03d}", f"{short}{dept}", OrgKind.DEPARTMENT, county)
    return binhai


def build_users(password):
    units = {u.name: u for u in OrgUnit.objects.all()}
    for username, (full_name, role, unit_name, phone) in DEMO_USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            services.create_user(
                username=username,
                full_name=full_name,
                org_unit=units[unit_name],
                roles=[role],
                password=password,
                phone=phone,
                actor=SYSTEM,
            )
        else:
            services.set_password(user=user, password=password, actor=SYSTEM)
            services.set_roles(user=user, roles=[role], actor=SYSTEM)
            if not user.is_active:
                services.set_user_active(user=user, active=True, actor=SYSTEM)
            if user.is_locked():
                services.unlock_user(user=user, actor=SYSTEM)


def build(password):
    with transaction.atomic():
        build_units()
        build_users(password)
