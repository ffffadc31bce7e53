"""The wage-arrears warning colour (欠薪三色预警) at every boundary, under the federation's own rules, and computed
again whenever a fact of a dispute changes."""

from decimal import Decimal

import pytest

from cases import dispute_flow
from cases.colours import colour_of
from cases.models import DisputeEventKind
from orgs.models import Notification
from orgs.rules import set_rule

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("months", "workers", "amount", "colour"),
    [
        ("0", 1, "0", "yellow"),
        ("1.0", 1, "0", "yellow"),  # at most one month: yellow
        ("1.1", 1, "0", "orange"),
        ("2.0", 1, "0", "orange"),  # at most two months: orange
        ("2.1", 1, "0", "red"),
        ("0.5", 29, "0", "yellow"),
        ("0.5", 30, "0", "orange"),  # 30 workers raise it one level
        ("0.5", 1, "499999.99", "yellow"),
        ("0.5", 1, "500000", "orange"),  # ¥500,000 raises it one level
        ("1.5", 30, "0", "red"),
        ("1.5", 30, "500000", "red"),  # two raisers still raise one level
        ("2.5", 30, "500000", "red"),  # raising red stays red
    ],
)
def test_colour_at_every_boundary(months, workers, amount, colour):
    found, reason = colour_of(months=Decimal(months), workers=workers, amount=Decimal(amount), case_rules={})
    assert found == colour
    assert reason


def test_a_raised_colour_says_why_in_the_reason():
    colour, reason = colour_of(months=Decimal("0.5"), workers=30, amount=Decimal("500000"), case_rules={})
    assert colour == "orange"
    assert "30" in reason and "500,000" in reason


def test_red_raised_again_stays_red_and_names_both_reasons():
    colour, reason = colour_of(months=Decimal("2.5"), workers=31, amount=Decimal(0), case_rules={})
    assert colour == "red"
    assert "2.5" in reason and "31" in reason


def test_a_federation_changes_its_colour_lines_for_its_own_disputes_only(office, make_dispute, town_b, firm_b):
    """滨海 counts up to two months as yellow; 临河 keeps the default rule."""
    set_rule(unit=office.org_unit, key="cases.yellow_max_months", value=2, actor=office)
    set_rule(unit=office.org_unit, key="cases.orange_max_months", value=3, actor=office)
    ours = make_dispute(months_in_arrears="1.5")
    theirs = make_dispute(unit=town_b, enterprise=firm_b, months_in_arrears="1.5")
    assert ours.colour == "yellow"
    assert ours.rules["yellow_max_months"] == 2
    assert theirs.colour == "orange"


def test_a_dispute_keeps_the_rules_it_was_registered_with(office, make_dispute):
    dispute = make_dispute(months_in_arrears="1.5")
    set_rule(unit=office.org_unit, key="cases.yellow_max_months", value=2, actor=office)
    changed = dispute_flow.change_facts(dispute=dispute, actor=office, version=dispute.version, workers=4)
    assert changed.colour == "orange"  # still the 1-month line it copied


def test_the_colour_is_computed_again_when_a_fact_changes(office, make_dispute, django_capture_on_commit_callbacks):
    dispute = make_dispute(months_in_arrears="0.5", workers=3)
    assert dispute.colour == "yellow"
    with django_capture_on_commit_callbacks(execute=True):
        changed = dispute_flow.change_facts(
            dispute=dispute, actor=office, version=dispute.version, months_in_arrears="2.5"
        )
    assert changed.colour == "red"
    event = changed.events.get(kind=DisputeEventKind.COLOUR)
    assert (event.data["old"], event.data["new"]) == ("yellow", "red")
    assert "2.5" in event.data["reason"]
    # A case turning red is announced at once (the office changed it, so it tells the others; none here but itself).
    assert changed.colour_reason == event.data["reason"]


def test_more_workers_raise_the_colour_on_a_change(office, make_dispute):
    dispute = make_dispute(months_in_arrears="1.5", workers=10)
    assert dispute.colour == "orange"
    changed = dispute_flow.change_facts(dispute=dispute, actor=office, version=dispute.version, workers=30)
    assert changed.colour == "red"
    assert changed.events.filter(kind=DisputeEventKind.COLOUR).count() == 1


def test_a_change_that_keeps_the_colour_writes_no_colour_event(office, make_dispute):
    dispute = make_dispute(months_in_arrears="0.5")
    changed = dispute_flow.change_facts(dispute=dispute, actor=office, version=dispute.version, months_in_arrears="0.9")
    assert changed.colour == "yellow"
    assert not changed.events.filter(kind=DisputeEventKind.COLOUR).exists()


def test_turning_red_tells_the_town_and_the_county_office(
    office, town_reporter, make_dispute, django_capture_on_commit_callbacks
):
    dispute = make_dispute(months_in_arrears="1.5")
    with django_capture_on_commit_callbacks(execute=True):
        dispute_flow.change_facts(dispute=dispute, actor=town_reporter, version=dispute.version, workers=40)
    assert Notification.objects.filter(user=office, text__contains="红色预警").count() == 1
    assert not Notification.objects.filter(user=town_reporter).exists()  # who made the change knows


def test_the_page_shows_the_colour_as_a_word(office, client_for, make_dispute):
    dispute = make_dispute(months_in_arrears="3")
    page = client_for(office).get(f"/cases/disputes/{dispute.pk}/").content.decode()
    assert "红色预警" in page and "欠薪3个月" in page
