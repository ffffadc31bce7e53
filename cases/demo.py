"""The 滨海 enterprise registry: 131 enterprises (seed 004's 龙岗 figure) spread over the county's 13 towns and
streets, each with a credit code whose check digits are computed, about half with a union (the 30 enterprises of the
org tree linked to their own unit, small firms to the industry's joint union), and three construction projects with
their contractor chains, of the kind a migrant workers' wage case names. Registered two years before the demo is
loaded, through the registry's services as the platform; loading again adds nothing."""

import random

from django.db import transaction
from stdnum.cn import uscc

from cases import services
from cases.models import Enterprise, Industry, Project
from orgs import demo as org_demo
from orgs.models import OrgUnit
from orgs.queries import subtree, within
from qingdan import clock
from qingdan.actors import SYSTEM
from qingdan.demo_calendar import add_months, moment

COUNTY = org_demo.BINHAI[0]
REGION = "320922"  # 滨海县's administrative division code, digits 3–8 of its firms' credit codes
TOTAL = 131
WITH_UNION = 66

# The 30 enterprises of the org tree (orgs.demo.ENTERPRISES, in order): industry section and workers.
TREE_FIRMS = [
    ("C", 420),
    ("G", 860),
    ("D", 310),
    ("D", 180),
    ("C", 650),
    ("E", 380),
    ("C", 290),
    ("C", 240),
    ("G", 350),
    ("J", 160),
    ("D", 270),
    ("C", 520),
    ("C", 460),
    ("D", 90),
    ("C", 330),
    ("F", 75),
    ("K", 140),
    ("C", 210),
    ("G", 120),
    ("C", 380),
    ("C", 560),
    ("L", 95),
    ("C", 170),
    ("C", 230),
    ("N", 410),
    ("C", 300),
    ("H", 130),
    ("E", 260),
    ("A", 150),
    ("L", 80),
]
# The construction firms of the chains, registered by name: (name, town number 1–13, workers).
CHAIN_FIRMS = [
    ("滨海恒通建筑劳务有限公司", 1, 160),
    ("盐城宏远建筑安装工程有限公司", 4, 120),
    ("滨海瑞丰装饰工程有限公司", 2, 85),
    ("滨海天成建筑劳务有限公司", 8, 140),
    ("江苏博润市政工程有限公司", 13, 210),
    ("滨海德隆水电安装工程有限公司", 6, 45),
    ("滨海安泰钢结构工程有限公司", 3, 70),
    ("江苏中恒建设工程有限公司", 13, 330),
    ("滨海同创建设工程有限公司", 6, 260),
    ("滨海兴隆建筑劳务有限公司", 11, 110),
]
# The other firms, by industry: how many, the trades they are named after, and their size.
OTHER_FIRMS = [
    (
        "C",
        35,
        ["机械制造", "纺织", "服饰", "电子科技", "食品", "塑业", "木业", "五金制品", "包装材料", "家具", "电器"],
        (40, 700),
    ),
    ("E", 4, ["建设工程", "建筑劳务", "装饰工程", "市政工程"], (30, 300)),
    ("F", 12, ["商贸", "超市", "农资", "建材", "医药连锁"], (5, 60)),
    ("H", 8, ["餐饮管理", "大酒店", "酒店管理"], (12, 120)),
    ("G", 7, ["物流", "运输", "快递服务", "货运"], (20, 260)),
    ("O", 5, ["家政服务", "汽车维修", "保洁服务"], (5, 45)),
    ("A", 6, ["生态农业", "水产养殖", "农业发展"], (5, 80)),
    ("I", 3, ["信息技术", "网络科技"], (10, 80)),
    ("K", 3, ["房地产开发", "置业"], (10, 120)),
    ("M", 2, ["检测技术", "工程设计"], (10, 60)),
    ("Q", 2, ["康复医院", "护理院"], (30, 180)),
    ("P", 2, ["职业培训学校", "教育咨询"], (10, 40)),
    ("N", 2, ["园林绿化", "环境工程"], (20, 140)),
]
BRANDS = [
    "鑫达",
    "恒泰",
    "华盛",
    "永泰",
    "金鹏",
    "宏远",
    "瑞丰",
    "天成",
    "嘉禾",
    "博润",
    "国信",
    "泰和",
    "万利",
    "汇通",
    "正大",
    "明阳",
    "新宇",
    "通达",
    "东升",
    "海韵",
    "锦程",
    "富源",
    "德隆",
    "安泰",
    "利民",
    "腾飞",
    "盛世",
    "金海",
    "绿源",
    "长青",
    "润发",
    "百川",
    "中恒",
    "协和",
    "同创",
    "顺昌",
    "兴隆",
    "宝丰",
    "凯旋",
    "众邦",
]
PLACES = ["滨海", "滨海", "滨海", "江苏", "盐城"]
# Small firms join the industry's joint union of the tree (orgs.demo.GRASSROOTS, numbered from 1).
JOINT_UNIONS = {"E": 8, "H": 9, "G": 7}
COMMUNITIES = "新港友爱民主建设向阳幸福东风三里五星红旗中心光明新桥振兴富民海丰永安"
ROADS = ["人民路", "海滨大道", "建设路", "振兴路", "工业园路", "港城路", "沿海大道", "东环路", "新城路", "文化路"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志宏海燕晓东文斌"
ORG_CODE = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the characters a credit code may hold

# (name, town number, location, months since it started, months it runs, developer, general contractor,
#  chain of (firm, firm above or None for the general contractor, work))
PROJECTS = [
    (
        "滨海县人民医院新院区建设工程",
        1,
        "滨海县东坎街道海滨大道与人民路交叉口东北侧",
        14,
        24,
        "滨海县城市建设投资有限公司",
        "滨海金桥建设工程有限公司",
        [
            ("江苏五汛钢构有限公司", None, "钢结构工程专业分包"),
            ("滨海安泰钢结构工程有限公司", "江苏五汛钢构有限公司", "钢结构安装"),
            ("滨海恒通建筑劳务有限公司", "滨海安泰钢结构工程有限公司", "劳务分包（钢结构安装班组）"),
            ("滨海瑞丰装饰工程有限公司", None, "装饰装修工程专业分包"),
            ("滨海天成建筑劳务有限公司", "滨海瑞丰装饰工程有限公司", "劳务分包（内装）"),
            ("滨海德隆水电安装工程有限公司", None, "给排水及电气安装"),
        ],
    ),
    (
        "滨海港区通用码头二期工程",
        13,
        "滨海港经济区港区南路",
        20,
        24,
        "滨海港务集团有限公司",
        "江苏中恒建设工程有限公司",
        [
            ("江苏博润市政工程有限公司", None, "堆场及道路工程"),
            ("滨海兴隆建筑劳务有限公司", "江苏博润市政工程有限公司", "劳务分包"),
            ("盐城宏远建筑安装工程有限公司", None, "机电设备安装"),
        ],
    ),
    (
        "通榆镇安置小区（三期）建设项目",
        6,
        "通榆镇振兴路北侧、新城路东侧",
        8,
        24,
        "滨海县城市建设投资有限公司",
        "滨海同创建设工程有限公司",
        [
            ("滨海恒通建筑劳务有限公司", None, "主体结构劳务分包"),
            ("滨海瑞丰装饰工程有限公司", None, "外墙保温及装饰工程"),
            ("滨海天成建筑劳务有限公司", "滨海瑞丰装饰工程有限公司", "劳务分包（外墙）"),
        ],
    ),
]


def org_code_check(body):
    """The check character of an 8-character organisation code (GB 11714)."""
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng, taken):
    """A new-style code of a firm registered in 滨海 (91 + region + MA…), both check characters computed."""
    while True:
        body = "MA" + "".join(rng.choice(ORG_CODE) for _n in range(6))
        first17 = f"91{REGION}{body}{org_code_check(body)}"
        code = first17 + uscc.calc_check_digit(first17)
        if code not in taken:
            taken.add(code)
            return code


def _person(rng):
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice([1, 2])))


def _phone(rng):
    if rng.random() < 0.2:
        return f"0515-8{rng.randint(0, 9_999_999):07d}"
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"


def _facts(rng, town, name, industry, workers, taken):
    short = town.name.removesuffix("工会")
    street = short.endswith("街道")
    return {
        "name": name,
        "credit_code": credit_code(rng, taken),
        "org_unit": town,
        "community": "".join(rng.sample(COMMUNITIES, 2)) + ("社区" if street else "村"),
        "industry": industry,
        "workers": workers,
        "has_union": False,
        "union_unit": None,
        "address": f"滨海县{short}{rng.choice(ROADS)}{rng.randint(1, 399)}号",
        "contact_name": _person(rng),
        "contact_phone": _phone(rng),
    }


def plan():
    """The 131 enterprises' facts, the same on every load."""
    rng = random.Random(131)  # noqa: S311 - demo data, not security
    units = {u.code: u for u in subtree(OrgUnit.objects.get(code=COUNTY))}
    towns = [units[f"{COUNTY}T{i:03d}"] for i in range(1, len(org_demo.TOWNS) + 1)]
    taken, names, firms = set(), set(), []
    for i, (name, (industry, workers)) in enumerate(zip(org_demo.ENTERPRISES, TREE_FIRMS, strict=True), 1):
        unit = units[f"{COUNTY}E{i:03d}"]
        facts = _facts(rng, unit.parent, name, industry, workers, taken)
        facts.update(has_union=True, union_unit=unit)
        firms.append(facts)
        names.add(name)
    for name, town, workers in CHAIN_FIRMS:
        firms.append(_facts(rng, towns[town - 1], name, Industry.E, workers, taken))
        names.add(name)
    others = []
    for industry, count, trades, (least, most) in OTHER_FIRMS:
        for _n in range(count):
            name = ""
            while not name or name in names:
                name = f"{rng.choice(PLACES)}{rng.choice(BRANDS)}{rng.choice(trades)}有限公司"
            names.add(name)
            town = towns[len(others) % len(towns)] if rng.random() < 0.7 else rng.choice(towns)
            others.append(_facts(rng, town, name, industry, rng.randint(least, most), taken))
    # The chain firms and the others together: the union firms drawn so that about half of all have one.
    rest = firms[len(TREE_FIRMS) :] + others
    for facts in rng.sample(rest, WITH_UNION - len(TREE_FIRMS)):
        facts["has_union"] = True
        joint = JOINT_UNIONS.get(facts["industry"])
        if joint is not None:
            facts["union_unit"] = units[f"{COUNTY}G{joint:03d}"]
    return firms + others


def build():
    """Register the registry and the projects that are not there yet."""
    today = clock.today()
    county = OrgUnit.objects.get(code=COUNTY)
    with transaction.atomic():
        known = set(Enterprise.objects.values_list("credit_code", flat=True))
        with clock.at(moment(add_months(today.replace(day=1), -24), 9, 30)):
            for facts in plan():
                if facts["credit_code"] not in known:
                    services.create_enterprise(actor=SYSTEM, **facts)
        by_name = {e.name: e for e in Enterprise.objects.filter(within(county, "org_unit"))}
        for name, town, location, since, months, developer, general, links in PROJECTS:
            unit = OrgUnit.objects.get(code=f"{COUNTY}T{town:03d}")
            if Project.objects.filter(org_unit=unit, name=name).exists():
                continue
            starts = add_months(today, -since)
            with clock.at(moment(starts, 10)):
                project = services.create_project(
                    actor=SYSTEM,
                    name=name,
                    location=location,
                    org_unit=unit,
                    starts_on=starts,
                    ends_on=add_months(starts, months),
                    developer=by_name[developer],
                    general_contractor=by_name[general],
                )
                nodes = {}
                for firm, above, work in links:
                    nodes[firm] = services.add_subcontract(
                        project=project, contractor=by_name[firm], under=nodes.get(above), work=work, actor=SYSTEM
                    )


def summary():
    county = OrgUnit.objects.get(code=COUNTY)
    firms = Enterprise.objects.filter(within(county, "org_unit"))
    projects = Project.objects.filter(within(county, "org_unit"))
    return (
        f"{firms.count()} enterprises registered in 滨海 ({firms.filter(has_union=True).count()} with a union), "
        f"{projects.count()} construction projects with their contractor chains"
    )
