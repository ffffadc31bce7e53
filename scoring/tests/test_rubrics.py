"""Building a rubric: sections and criteria that must add up, tiers that must not overlap, metrics that
must exist and fit, a share judged by hand that can be limited, a copy for next year, and a rubric
frozen once a round uses it. Every refusal says why and changes nothing."""

from datetime import date

import pytest
from django.utils import translation

from qingdan.errors import Refused
from scoring import rubrics, workflow
from scoring.models import Criterion, Kind, Rubric, Section
from scoring.tests.conftest import PERIOD, build_rubric, simple_rubric_spec

pytestmark = pytest.mark.django_db


def zh(msgid, **params):
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    return text % params if params else text


def refused(msgid, **params):
    """``with refused(msgid): ...`` — the call is refused with exactly this message."""
    return pytest.raises(Refused, match="^" + _escape(zh(msgid, **params)) + "$")


def _escape(text):
    import re

    return re.escape(text)


def empty(actor, **kwargs):
    return rubrics.create_rubric(
        actor=actor,
        name=kwargs.pop("name", "考核办法"),
        year=kwargs.pop("year", 2026),
        full_marks=kwargs.pop("full_marks", 100),
        excellent_from=kwargs.pop("excellent_from", 90),
        good_from=kwargs.pop("good_from", 80),
        pass_from=kwargs.pop("pass_from", 60),
        **kwargs,
    )


def round_of(actor, rubric, units):
    return workflow.create_round(
        actor=actor, rubric=rubric, name="考核", period_start=PERIOD[0], period_end=PERIOD[1], units=units
    )


# --- sections adding up -----------------------------------------------------------------------


def test_sections_may_not_exceed_full_marks(city_office):
    rubric = empty(city_office)
    rubrics.add_section(rubric=rubric, actor=city_office, name="党的建设", max_points=60)
    with refused(
        "That makes %(used)s points, more than the %(limit)s of %(where)s.",
        used="101.00",
        limit="100.00",
        where=zh("full marks"),
    ):
        rubrics.add_section(rubric=rubric, actor=city_office, name="业务工作", max_points=41)
    assert list(rubric.sections.values_list("name", flat=True)) == ["党的建设"]


def test_subsections_and_criteria_may_not_exceed_their_section(city_office):
    rubric = empty(city_office)
    work = rubrics.add_section(rubric=rubric, actor=city_office, name="业务工作", max_points=50)
    rubrics.add_section(rubric=rubric, actor=city_office, name="基础工作", max_points=40, parent=work)
    with refused(
        "That makes %(used)s points, more than the %(limit)s of %(where)s.",
        used="55.00",
        limit="50.00",
        where="业务工作",
    ):
        rubrics.add_section(rubric=rubric, actor=city_office, name="重点工作", max_points=15, parent=work)
    rubrics.add_criterion(section=work, actor=city_office, name="创新", kind=Kind.MANUAL, max_points=10)
    with refused(
        "That makes %(used)s points, more than the %(limit)s of %(where)s.",
        used="51.00",
        limit="50.00",
        where="业务工作",
    ):
        rubrics.add_criterion(section=work, actor=city_office, name="多余", kind=Kind.MANUAL, max_points=1)
    # a deduction and a veto add nothing to the section's points, so they always fit
    rubrics.add_criterion(
        section=work,
        actor=city_office,
        name="催办",
        kind=Kind.PER_OCCURRENCE,
        metric="urgings_received",
        points_each=-2,
    )
    rubrics.add_criterion(section=work, actor=city_office, name="否决", kind=Kind.VETO)
    assert Criterion.objects.filter(section=work).count() == 3


def test_a_rubric_falling_short_is_listed_with_its_problems_and_no_round_can_use_it(city_office, county_a):
    rubric = empty(city_office)
    party = rubrics.add_section(rubric=rubric, actor=city_office, name="党的建设", max_points=60)
    rubrics.add_criterion(section=party, actor=city_office, name="学习", kind=Kind.MANUAL, max_points=50)
    rubrics.add_section(rubric=rubric, actor=city_office, name="业务工作", max_points=30)
    found = rubrics.problems(rubric)
    assert found == [
        zh("The sections add up to %(sum)s points, not the full marks of %(full)s.", sum="90.00", full="100.00"),
        zh(
            "“%(name)s” has %(points)s points but its parts add up to %(sum)s.",
            name="党的建设",
            points="60.00",
            sum="50.00",
        ),
        zh(
            "“%(name)s” has %(points)s points but its parts add up to %(sum)s.",
            name="业务工作",
            points="30.00",
            sum="0",
        ),
        zh("“%(name)s” has no criteria.", name="业务工作"),
    ]
    with refused("The rubric cannot be used yet: %(problems)s", problems="；".join(found)):
        round_of(city_office, rubric, [county_a])
    rubric.refresh_from_db()
    assert rubric.frozen_at is None and not rubric.rounds.exists()
    assert rubrics.problems(empty(city_office, name="空")) == [zh("The rubric has no sections.")]


def test_a_complete_rubric_has_no_problems_and_reports_its_shares(city_office):
    rubric = build_rubric(city_office, simple_rubric_spec())
    assert rubrics.problems(rubric) == []
    assert rubrics.shares(rubric) == (40, 60)


def test_bad_rubric_headers_are_refused(city_office):
    with refused("Full marks must be more than 0."):
        empty(city_office, full_marks=0)
    with refused("Grade thresholds must fall from excellent to pass, within full marks."):
        empty(city_office, excellent_from=80, good_from=85)
    with refused("Grade thresholds must fall from excellent to pass, within full marks."):
        empty(city_office, excellent_from=120)
    with refused("The share judged by hand is a percentage from 0 to 100."):
        empty(city_office, max_manual_share=120)
    empty(city_office)
    with refused("Your office already has a rubric of this name for this year."):
        empty(city_office)
    assert Rubric.objects.count() == 1


def test_a_deductions_section_stops_at_a_floor_of_zero_or_below(city_office):
    rubric = empty(city_office)
    with refused("The lowest score of a section is 0 or below."):
        rubrics.add_section(rubric=rubric, actor=city_office, name="扣分项目", max_points=0, floor=5)
    section = rubrics.add_section(rubric=rubric, actor=city_office, name="扣分项目", max_points=0, floor=-20)
    assert section.floor == -20


# --- criteria ---------------------------------------------------------------------------------


def test_tiers_may_not_overlap_and_must_fall(city_office):
    rubric = empty(city_office)
    section = rubrics.add_section(rubric=rubric, actor=city_office, name="建家", max_points=10)

    def tiered(tiers, max_points=3):
        return rubrics.add_criterion(
            section=section,
            actor=city_office,
            name="建家率",
            kind=Kind.TIERED,
            max_points=max_points,
            metric="close_out_rate",
            tiers=tiers,
        )

    with refused("Two tiers start at %(from)s%%: thresholds must not overlap.", **{"from": "70"}):
        tiered([{"from": 70, "points": 3}, {"from": 70, "points": 2}])
    with refused("A lower threshold must give fewer points than a higher one."):
        tiered([{"from": 70, "points": 2}, {"from": 60, "points": 3}])
    with refused("A tier threshold is a percentage from 0 to 100."):
        tiered([{"from": 170, "points": 3}])
    with refused("A tier's points must be more than 0 and at most the criterion's points."):
        tiered([{"from": 70, "points": 4}])
    with refused("A tiered criterion needs at least one tier."):
        tiered([])
    with refused("Each tier needs a threshold (%) and its points."):
        tiered([{"from": "seventy", "points": 3}])
    assert not Criterion.objects.exists()
    made = tiered([{"from": 50, "points": 1}, {"from": 70, "points": 3}, {"from": 60, "points": 2}])
    assert made.tiers == [{"from": "70", "points": "3"}, {"from": "60", "points": "2"}, {"from": "50", "points": "1"}]


def test_metrics_must_exist_fit_the_kind_and_be_available(city_office):
    rubric = empty(city_office)
    section = rubrics.add_section(rubric=rubric, actor=city_office, name="业务", max_points=100)

    def add(**declaration):
        return rubrics.add_criterion(section=section, actor=city_office, name="指标", **declaration)

    from qingdan import metrics

    for key, label, kind, _area in metrics.planned()[:1]:  # a metric of an area not built yet, if any is left
        with refused("The metric “%(name)s” is not available yet.", name=zh(str(label))):
            add(kind=Kind.RATIO if kind == metrics.RATE else Kind.CONDITION, max_points=10, metric=key)
    with refused("Choose a metric."):
        add(kind=Kind.RATIO, max_points=10, metric="made_up")
    with refused("Choose a metric."):
        add(kind=Kind.RATIO, max_points=10)
    with refused(
        "The metric “%(name)s” does not fit this kind of criterion.", name=zh("Urgings received (failures to report)")
    ):
        add(kind=Kind.RATIO, max_points=10, metric="urgings_received")
    with refused("The metric “%(name)s” does not fit this kind of criterion.", name=zh("Close-out rate")):
        add(kind=Kind.PER_OCCURRENCE, metric="close_out_rate", points_each=-1)
    with refused("A bonus per occurrence needs a cap."):
        add(kind=Kind.PER_OCCURRENCE, metric="praise_provincial", points_each=3)
    with refused("Points each must be above or below 0."):
        add(kind=Kind.PER_OCCURRENCE, metric="urgings_received", points_each=0)
    with refused("Give the date by which the condition must hold."):
        add(kind=Kind.CONDITION, max_points=15)
    with refused("The criterion's points must be more than 0."):
        add(kind=Kind.MANUAL, max_points=0)
    with refused("%(label)s must be a number.", label=zh("Criterion points")):
        add(kind=Kind.MANUAL, max_points="ten")
    with refused("Unknown kind of criterion."):
        add(kind="formula", max_points=5)
    assert not Criterion.objects.exists()
    bonus = add(kind=Kind.PER_OCCURRENCE, metric="praise_provincial", points_each=3, cap=5)
    assert (bonus.max_points, bonus.counts_to_full_marks, bonus.is_computed) == (5, 5, True)
    hardship = add(kind=Kind.CONDITION, max_points=15, condition_by=date(2026, 6, 30))
    assert hardship.is_computed is False  # no metric named: entered by hand
    computed = add(kind=Kind.CONDITION, max_points=15, condition_by=date(2026, 6, 30), metric="hardship_all_exited_on")
    assert computed.is_computed is True  # the hardship archive computes the day
    rate = add(kind=Kind.RATIO, max_points=10, metric="hardship_exit_rate")
    assert rate.is_computed is True


def test_planned_metrics_are_listed_but_never_available(city_office):
    from qingdan import metrics

    planned = {key for key, _label, _kind, _area in metrics.planned()}
    assert not {"hardship_exit_rate", "hardship_all_exited_on"} & planned  # the hardship archive computes them
    assert not planned & set(metrics.available())


def test_the_share_judged_by_hand_can_be_limited(city_office, county_a):
    rubric = build_rubric(city_office, simple_rubric_spec(), max_manual_share=20)  # 60 of 100 by hand
    message = zh(
        "%(share)s%% of full marks is judged by hand; this rubric allows at most %(limit)s%%.",
        share="60.0",
        limit="20.00",
    )
    assert rubrics.problems(rubric) == [message]
    with pytest.raises(Refused):
        round_of(city_office, rubric, [county_a])
    within = build_rubric(
        city_office,
        [
            ("党的建设", 20, [{"name": "学习", "kind": "manual", "max_points": 20}]),
            ("业务工作", 80, [{"name": "销号", "kind": "ratio", "max_points": 80, "metric": "close_out_rate"}]),
        ],
        name="限额内",
        max_manual_share=20,
    )
    assert rubrics.problems(within) == []
    assert round_of(city_office, within, [county_a]).rubric_id == within.pk


# --- copy and freeze --------------------------------------------------------------------------


def test_copy_to_next_year_keeps_the_tree_and_moves_condition_dates(city_office):
    rubric = build_rubric(
        city_office,
        [
            (
                "业务工作",
                80,
                [],
                [
                    ("基础工作", 40, [{"name": "要点", "kind": "manual", "max_points": 40}]),
                    (
                        "重点工作",
                        40,
                        [
                            {"name": "销号", "kind": "ratio", "max_points": 25, "metric": "close_out_rate"},
                            {"name": "脱困", "kind": "condition", "max_points": 15, "condition_by": date(2024, 2, 29)},
                        ],
                    ),
                ],
            ),
            (
                "加分",
                20,
                [
                    {
                        "name": "批示",
                        "kind": "per_occurrence",
                        "metric": "praise_provincial",
                        "points_each": 3,
                        "cap": 20,
                    }
                ],
            ),
        ],
        year=2024,
        max_manual_share=70,
    )
    copy = rubrics.copy_rubric(rubric=rubric, actor=city_office, year=2025)
    assert (copy.name, copy.year, copy.full_marks, copy.max_manual_share) == (rubric.name, 2025, 100, 70)
    copy.refresh_from_db()
    assert copy.copied_from_id == rubric.pk and copy.frozen_at is None

    def shape(r):
        def walk(nodes):
            return [
                (
                    s.name,
                    s.max_points,
                    [(c.name, c.kind, c.max_points, c.metric, c.points_each, c.cap) for c in criteria],
                    walk(children),
                )
                for s, criteria, children in nodes
            ]

        return walk(rubrics.tree(r))

    assert shape(copy) == shape(rubric)
    assert Criterion.objects.get(section__rubric=copy, name="脱困").condition_by == date(2025, 2, 28)
    assert Criterion.objects.get(section__rubric=rubric, name="脱困").condition_by == date(2024, 2, 29)
    assert rubrics.problems(copy) == []
    with refused("Your office already has a rubric of this name for this year."):
        rubrics.copy_rubric(rubric=rubric, actor=city_office, year=2025)


def test_a_rubric_used_by_a_round_is_frozen(city_office, county_a, simple_rubric):
    round_of(city_office, simple_rubric, [county_a])
    simple_rubric.refresh_from_db()
    assert simple_rubric.frozen_at is not None
    section = simple_rubric.sections.first()
    criterion = Criterion.objects.filter(section__rubric=simple_rubric).first()
    message = "This rubric is used by an assessment round and can no longer change; copy it instead."
    with refused(message):
        rubrics.add_section(rubric=simple_rubric, actor=city_office, name="新增", max_points=0)
    with refused(message):
        rubrics.add_criterion(section=section, actor=city_office, name="新增", kind=Kind.VETO)
    with refused(message):
        rubrics.remove_section(section=section, actor=city_office)
    with refused(message):
        rubrics.remove_criterion(criterion=criterion, actor=city_office)
    assert Section.objects.filter(rubric=simple_rubric).count() == 2
    assert Criterion.objects.filter(section__rubric=simple_rubric).count() == 2
    # a stale copy of the rubric read before the round froze it is refused as well
    stale = Rubric.objects.get(pk=simple_rubric.pk)
    stale.frozen_at = None
    with refused(message):
        rubrics.add_section(rubric=stale, actor=city_office, name="新增", max_points=0)
    copy = rubrics.copy_rubric(rubric=simple_rubric, actor=city_office, year=2027)
    rubrics.remove_criterion(criterion=Criterion.objects.get(section__rubric=copy, name="理论学习"), actor=city_office)
    assert Criterion.objects.filter(section__rubric=simple_rubric).count() == 2


def test_removing_a_section_takes_its_subsections_and_criteria(city_office):
    rubric = build_rubric(
        city_office,
        [("业务工作", 100, [], [("基础工作", 100, [{"name": "要点", "kind": "manual", "max_points": 100}])])],
    )
    rubrics.remove_section(section=rubric.sections.get(name="业务工作"), actor=city_office)
    assert not Section.objects.filter(rubric=rubric).exists() and not Criterion.objects.exists()


def test_only_office_staff_write_a_rubric_and_only_the_owning_office_changes_it(city_office, reporter, outsider):
    with refused("Only office staff write rubrics."):
        empty(reporter)
    rubric = build_rubric(city_office, simple_rubric_spec())
    Rubric.objects.filter(pk=rubric.pk).update(full_marks=200)
    rubric.refresh_from_db()
    # outsider is office staff of 临河 below the city: the city's rubric is not theirs to change.
    with refused("Only the office that owns this rubric can change it."):
        rubrics.add_section(rubric=rubric, actor=outsider, name="加分项目", max_points=10)
    section = rubric.sections.first()
    with refused("Only the office that owns this rubric can change it."):
        rubrics.remove_section(section=section, actor=outsider)
    assert rubric.sections.count() == 2


@pytest.mark.parametrize("tiers", [[{"from": "NaN", "points": "1"}], [{"from": "Infinity", "points": "1"}], 5, "70:3"])
def test_a_tier_table_that_is_not_numbers_is_refused(city_office, tiers):
    rubric = empty(city_office)
    section = rubrics.add_section(rubric=rubric, actor=city_office, name="业务工作", max_points=100)
    with refused("Each tier needs a threshold (%) and its points."):
        rubrics.add_criterion(
            section=section,
            actor=city_office,
            name="建家率",
            kind=Kind.TIERED,
            max_points=3,
            metric="close_out_rate",
            tiers=tiers,
        )
    assert not Criterion.objects.exists()
