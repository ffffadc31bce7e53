"""The area's metrics for assessment: each unit's value over its subtree in the period, the records behind it, and
scoring offering them on its rubric form without being told about them."""

from datetime import date
from decimal import Decimal

import pytest

from cases.models import Colour, DemandResult, DemandStatus, DisputeStatus, Level
from cases.tests import factories_cases as make
from qingdan import metrics

PERIOD = (date(2026, 1, 1), date(2026, 12, 31))
KEYS = (
    "demand_resolution_rate",
    "demand_on_time_rate",
    "disputes_mediated",
    "amount_recovered",
    "red_disputes_unresolved",
)


@pytest.fixture
def cases_data(firm_a, firm_b, county_a):
    make.demand(firm_a, status=DemandStatus.CLOSED)
    make.demand(firm_a, status=DemandStatus.REPLIED, result=DemandResult.UNRESOLVED, replied_on_time=False)
    make.demand(firm_a)  # accepted, not replied
    make.demand(firm_a, status=DemandStatus.SUBMITTED)  # not accepted: in neither
    make.demand(firm_a, status=DemandStatus.CLOSED, received_on=date(2025, 6, 1))  # another year
    make.demand(firm_b, status=DemandStatus.CLOSED)
    make.agreed(firm_a, agreed_amount="5000.90", paid="5000.90")
    make.agreed(firm_a, agreed_amount="3000", paid="1000")
    make.dispute(firm_a, colour=Colour.RED)
    make.dispute(firm_a, colour=Colour.RED, status=DisputeStatus.MEDIATING, level=Level.ENTERPRISE)
    make.dispute(firm_a, colour=Colour.RED, status=DisputeStatus.WITHDRAWN)
    make.agreed(firm_b, agreed_amount="7000", paid="7000", colour=Colour.RED)


def value(key, units):
    return metrics.get(key)(units, *PERIOD)


def test_each_metric_rolls_up_the_subtree_and_leaves_the_other_county_out(cases_data, city, county_a, county_b, town_a):
    units = [city, county_a, county_b, town_a]
    rate = value("demand_resolution_rate", units)
    assert (rate[town_a.pk].numerator, rate[town_a.pk].denominator) == (1, 3)
    assert (rate[county_b.pk].numerator, rate[county_b.pk].denominator) == (1, 1)
    assert (rate[city.pk].numerator, rate[city.pk].denominator) == (2, 4)
    on_time = value("demand_on_time_rate", units)
    assert (on_time[county_a.pk].numerator, on_time[county_a.pk].denominator) == (1, 2)
    assert value("disputes_mediated", units)[county_a.pk].count == 3  # two agreements at the town, one in mediation
    recovered = value("amount_recovered", units)
    assert recovered[county_a.pk].count == 6000  # ¥6,000.90 in whole yuan
    assert recovered[county_b.pk].count == 7000 and recovered[city.pk].count == 13000
    red = value("red_disputes_unresolved", units)
    assert red[county_a.pk].count == 2 and red[county_b.pk].count == 0


def test_every_metric_lists_the_records_behind_its_value(cases_data, county_a):
    for key in KEYS:
        entry = metrics.get(key)
        got = entry(([county_a]), *PERIOD)[county_a.pk]
        page = entry.records_of(county_a, *PERIOD)
        if entry.kind == metrics.RATE:
            assert page.total == got.denominator, key
            assert sum(r.counted for r in page.rows) == got.numerator, key
        elif key == "amount_recovered":
            paid = sum(Decimal(r.text.rsplit("¥", 1)[1].replace(",", "")) for r in page.rows)
            assert int(paid) == got.count
        else:
            assert page.total == got.count, key
        assert all(r.url.startswith("/cases/") for r in page.rows)
        assert "临河" not in " ".join(r.text for r in page.rows)


def test_scoring_offers_the_metrics_on_its_rubric_form_by_itself():
    from scoring.forms_rubrics import metric_groups

    offered = {key: (kind, available) for kind, _name, rows in metric_groups() for key, _l, _d, available in rows}
    assert offered["demand_resolution_rate"] == (metrics.RATE, True)
    assert offered["demand_on_time_rate"] == (metrics.RATE, True)
    for key in ("disputes_mediated", "amount_recovered", "red_disputes_unresolved"):
        assert offered[key] == (metrics.COUNT, True), key
    assert "demand_resolution_rate" not in {key for key, *_rest in metrics.planned()}


def test_a_rubric_can_score_by_them(office):
    from scoring.tests.conftest import build_rubric

    rubric = build_rubric(
        office,
        [
            ("诉求办理", 10, [{"name": "诉求解决率", "kind": "ratio", "max_points": 10, "metric": "demand_resolution_rate"}]),
            {
                "name": "扣分项目",
                "points": 0,
                "floor": -10,
                "criteria": [
                    {"name": "红色预警未化解", "kind": "per_occurrence", "points_each": -1,
                     "metric": "red_disputes_unresolved"}
                ],
            },
        ],
        name="诉求争议考核",
    )  # fmt: skip
    assert {c.metric for s in rubric.sections.all() for c in s.criteria.all()} >= {
        "demand_resolution_rate",
        "red_disputes_unresolved",
    }
