"""Shared fixtures of the assessment tests: the city office that runs rounds over the two counties.

Kept small and stable: other test modules import ``build_rubric`` and ``simple_rubric_spec``.

    rubric = build_rubric(city_office, [
        ("党的建设", 60, [dict(name="学习", kind="manual", max_points=60)]),
        ("业务工作", 40, [dict(name="销号率", kind="ratio", max_points=40, metric="close_out_rate")]),
    ], full_marks=100)

A section is ``(name, points, criteria)`` or ``(name, points, criteria, children)`` with children in the
same form; a section dict ``{"name", "points", "criteria", "children", "floor"}`` also works. Criteria are
the keyword arguments of ``scoring.rubrics.add_criterion`` (without section and actor).
"""

from datetime import date

import pytest

from orgs.models import Role
from orgs.tests.factories import UserFactory
from scoring import rubrics, workflow

PERIOD = (date(2026, 1, 1), date(2026, 12, 31))


def _section_fields(spec):
    if isinstance(spec, dict):
        return spec["name"], spec["points"], spec.get("criteria", ()), spec.get("children", ()), spec.get("floor")
    name, points, criteria, *rest = spec
    return name, points, criteria, (rest[0] if rest else ()), None


def build_rubric(
    actor,
    sections,
    *,
    name="年度考核办法",
    year=2026,
    full_marks=100,
    excellent_from=90,
    good_from=80,
    pass_from=60,
    max_manual_share=None,
):
    """A rubric of ``actor``'s office built through ``scoring.rubrics`` from a nested spec (see module doc)."""
    rubric = rubrics.create_rubric(
        actor=actor,
        name=name,
        year=year,
        full_marks=full_marks,
        excellent_from=excellent_from,
        good_from=good_from,
        pass_from=pass_from,
        max_manual_share=max_manual_share,
    )

    def add(specs, parent):
        for spec in specs:
            section_name, points, criteria, children, floor = _section_fields(spec)
            section = rubrics.add_section(
                rubric=rubric, actor=actor, name=section_name, max_points=points, parent=parent, floor=floor
            )
            add(children, section)
            for criterion in criteria:
                rubrics.add_criterion(section=section, actor=actor, **criterion)

    add(sections, None)
    rubric.refresh_from_db()
    return rubric


def simple_rubric_spec():
    """100 points: a manual criterion of 60 and a close-out ratio of 40."""
    return [
        ("党的建设", 60, [{"name": "理论学习", "kind": "manual", "max_points": 60}]),
        ("业务工作", 40, [{"name": "清单销号率", "kind": "ratio", "max_points": 40, "metric": "close_out_rate"}]),
    ]


@pytest.fixture
def city_office(city):
    return UserFactory(username="city_office", org_unit=city, roles=[Role.OFFICE])


@pytest.fixture
def city_reviewer(city):
    return UserFactory(username="city_reviewer", org_unit=city, roles=[Role.REVIEWER])


@pytest.fixture
def simple_rubric(city_office):
    return build_rubric(city_office, simple_rubric_spec())


@pytest.fixture
def simple_round(city_office, simple_rubric, county_a, county_b):
    """A draft round of ``simple_rubric`` over both counties for 2026."""
    return workflow.create_round(
        actor=city_office,
        rubric=simple_rubric,
        name="2026年度考核",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        units=[county_a, county_b],
    )


@pytest.fixture(autouse=True)
def _kept_figures_match_the_records(kept_figures_checked):
    """The demo and the metric tests drive lists through the workflow: the kept figures must follow."""
