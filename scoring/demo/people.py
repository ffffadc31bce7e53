"""Who takes part in the assessment demo: 示范市总工会's office clerk and one reporter per town union."""

from orgs import services as org_services
from orgs.models import Role, User
from qingdan.actors import SYSTEM

CITY_USER = ("city", "刘卫东", "13805150110")
# One reporter per town union, in the order of ``orgs.demo.TOWNS`` (codes T001…T013): they self-assess.
TOWN_USERS = [
    ("dongkan", "陈晓梅"),
    ("kanbei", "刘志强"),
    ("wuxun", "徐海波"),
    ("caiqiao", "蔡文静"),
    ("zhenghong", "朱红梅"),
    ("tongyu", "杨建华"),
    ("jiepai", "马国庆"),
    ("baju", "胡晓燕"),
    ("batan", "何永生"),
    ("binhuai", "高丽萍"),
    ("tianchang", "韩伟"),
    ("chentao", "冯雪"),
    ("binhaigang", "孟凡军"),
]
# How well each town works (0–1): its manual scores, its workers' satisfaction.
STRENGTH = [0.95, 0.85, 0.9, 0.5, 0.7, 0.6, 0.45, 0.8, 0.75, 0.65, 0.4, 0.3, 0.55]


def _users(county, towns, password):
    """示范市总工会's office clerk and one reporter per town union (created once, with the demo password)."""
    city = county.parent
    username, full_name, phone = CITY_USER
    city_office = User.objects.filter(username=username).first() or org_services.create_user(
        username=username,
        full_name=full_name,
        org_unit=city,
        roles=[Role.OFFICE],
        password=password,
        phone=phone,
        actor=SYSTEM,
    )
    people = []
    for i, (town, (name, full)) in enumerate(zip(towns, TOWN_USERS, strict=True)):
        user = User.objects.filter(username=name).first() or org_services.create_user(
            username=name,
            full_name=full,
            org_unit=town,
            roles=[Role.REPORTER],
            password=password,
            phone=f"138051502{i:02d}",
            actor=SYSTEM,
        )
        people.append(user)
    return city_office, people
