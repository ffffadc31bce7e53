"""The assessment demo (计分制量化考核, seed 004): 滨海县总工会 assesses its 13 town and street unions
(乡镇（街道）工会) with a 200-point rubric modelled on 张家口's, and links the results to a fund pool.

The last half-year whose assessment is over by the day the demo is loaded (``demo_calendar.assessed_half``)
is replayed as of its own days: the services date every record by the clock (urgings, applications, answers,
rounds), never by an argument, so ``records._clock`` sets the clock while a day's work runs. 示范市总工会
supervises the towns' reports with lists of its own (the county's 127 lists of seed 000 stay as they are);
the towns that reported late were urged in the half's last month, and each urging costs them 2 points. The
half-year round is published with the fund pool split; the round for the half's whole year is open for
self-assessment today.
"""

import random
from datetime import date
from itertools import groupby

from django.db import transaction

from orgs.models import OrgKind, OrgUnit, Role, User
from qingdan import clock
from qingdan.demo_calendar import assessed_half
from scoring.demo.people import CITY_USER, TOWN_USERS, _users
from scoring.demo.records import _clock, _events, _polls, _supervision, _survey
from scoring.demo.rounds import BASE, POOL, _full_year, _half_year, full_year_name, half_year_name
from scoring.demo.rubric import FLOOR, RUBRIC, _rubric
from scoring.models import Round, RoundStatus, Rubric

# What callers use (``load_demo`` and the tests).
__all__ = ["BASE", "FLOOR", "POOL", "RUBRIC", "build", "full_year_name", "half_year_name", "summary", "users"]


def build(password):
    """The rubric, the half-year's records and both rounds; does nothing when the rubric exists."""
    office = User.objects.get(username="office")
    county = office.org_unit
    if Rubric.objects.filter(owner_unit=county, name=RUBRIC).exists():
        return
    rng = random.Random(404)  # noqa: S311 - demo data, not security
    towns = list(OrgUnit.objects.filter(parent=county, kind=OrgKind.TOWN).order_by("code"))
    with transaction.atomic():
        city_office, people = _users(county, towns, password)
    half, today = assessed_half(), clock.today()
    with _clock(date(half.year, 2, 10), 10):
        rubric = _rubric(office, half.year)
    plan = []
    _supervision(plan, half, city_office, towns, people)
    _survey(plan, half, office, towns, people, rng)
    _polls(plan, half, office, towns, rng)
    _events(plan, half, office, towns)
    # What falls after the half is kept up to yesterday: the demo holds no record dated after it is loaded.
    plan = sorted((entry for entry in plan if entry[0].date() < today), key=lambda entry: (entry[0], entry[1]))
    for day, steps in groupby(plan, key=lambda entry: entry[0].date()):
        with _clock(day, 20):  # the day's work is committed in the evening
            for moment, _order, step in steps:
                with _clock(day, moment.hour):
                    step()
    _half_year(half, rubric, office, towns, people, rng)
    with transaction.atomic():
        _full_year(half, rubric, office, towns, people, rng)


def summary():
    """One line for ``load_demo``."""
    rounds = Round.objects.filter(rubric__name=RUBRIC, rubric__owner_unit__name="滨海县总工会")
    published = rounds.filter(status=RoundStatus.PUBLISHED).first()
    open_round = rounds.filter(status=RoundStatus.SELF_ASSESSMENT).first()
    if published is None or open_round is None:
        return "No assessment demo."
    results = published.results.all()
    return (
        f"assessment of the 13 town unions: {published.name} published "
        f"(top score {max(r.total for r in results)}, ¥{sum(r.fund_amount for r in results):,.2f} allocated), "
        f"{open_round.name} in self-assessment"
    )


def users():
    """The log-ins the assessment demo adds, as ``load_demo`` prints them."""
    lines = []
    city = User.objects.filter(username=CITY_USER[0]).select_related("org_unit").first()
    if city is not None:
        lines.append(f"{city.username:<10} {Role.OFFICE.label:<8} {city.full_name}  {city.org_unit.name}")
    towns = User.objects.filter(username__in=[name for name, _full in TOWN_USERS]).select_related("org_unit")
    first = towns.filter(username=TOWN_USERS[0][0]).first()
    if first is not None:
        lines.append(
            f"{first.username:<10} {Role.REPORTER.label:<8} {first.full_name}  {first.org_unit.name} "
            f"(and {', '.join(name for name, _full in TOWN_USERS[1:])}: one per town union)"
        )
    return lines
