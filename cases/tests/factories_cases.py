"""Demands, disputes, letters and meetings written straight with the ORM, for the figures, metrics, API and import
tests (the workflows that make them belong to other parts of the area), and the seeds' figures: 龙岗's joint
meetings (131 enterprises, 278 demands, 236 resolved) and 仙桃's mediation studio (550 disputes, 156 agreements,
¥1,040,000.00 paid)."""

import secrets
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from cases.models import (
    Colour,
    Demand,
    DemandCategory,
    DemandResult,
    DemandSource,
    DemandStatus,
    Dispute,
    DisputeKind,
    DisputeSource,
    DisputeStatus,
    JointMeeting,
    Letter,
    LetterKind,
    LetterStatus,
    Level,
    Outcome,
    Rating,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _moment(day):
    return datetime.combine(day, time(10), tzinfo=SHANGHAI)


def demand(enterprise, unit=None, *, received_on=date(2026, 3, 2), status=DemandStatus.ASSIGNED, save=True, **facts):
    """A demand of ``enterprise`` registered under ``unit`` (default: the enterprise's unit). ``status`` replied or
    closed gives it a reply on time and a result (``result``, default resolved) unless the facts say otherwise."""
    values = {
        "enterprise": enterprise,
        "org_unit": unit or enterprise.org_unit,
        "source": DemandSource.MEETING,
        "category": DemandCategory.WAGES,
        "worker_name": "张建国",
        "worker_phone": "13812345678",
        "content": "加班费未按规定计发",
        "status": status,
        "received_on": received_on,
        "reply_due": received_on,
        "receipt_hash": secrets.token_hex(32),
    }
    if status in (DemandStatus.REPLIED, DemandStatus.CLOSED):
        values.update(
            reply="已协调企业补发", result=DemandResult.RESOLVED, replied_at=_moment(received_on), replied_on_time=True
        )
    if status == DemandStatus.CLOSED:
        values.update(closed_at=_moment(received_on))
    values.update(facts)
    made = Demand(**values)
    if save:
        made.save()
    return made


def dispute(enterprise, unit=None, *, received_on=date(2026, 3, 2), save=True, **facts):
    values = {
        "enterprise": enterprise,
        "org_unit": unit or enterprise.org_unit,
        "kind": DisputeKind.WAGES,
        "source": DisputeSource.WALK_IN,
        "summary": "拖欠工资两个月",
        "worker_name": "李红梅",
        "worker_phone": "13912345678",
        "workers": 3,
        "months_in_arrears": Decimal("1"),
        "amount_claimed": Decimal("30000"),
        "colour": Colour.YELLOW,
        "colour_reason": "1 个月欠薪",
        "status": DisputeStatus.REGISTERED,
        "received_on": received_on,
    }
    values.update(facts)
    made = Dispute(**values)
    if save:
        made.save()
    return made


def agreed(enterprise, unit=None, *, agreed_amount, paid, **facts):
    """A dispute settled by an agreement at a mediation level, with the amount agreed and paid."""
    facts = {
        "status": DisputeStatus.CLOSED,
        "level": Level.TOWN,
        "outcome": Outcome.AGREEMENT,
        "amount_agreed": Decimal(agreed_amount),
        "amount_paid": Decimal(paid),
        **facts,
    }
    facts.setdefault("agreed_on", facts.get("received_on", date(2026, 3, 2)))
    return dispute(enterprise, unit, **facts)


_letters = iter(range(1, 10**9))


def letter(
    enterprise, unit=None, *, kind=LetterKind.NOTICE, status=LetterStatus.ISSUED, issued_on=date(2026, 3, 2), **facts
):
    values = {
        "issuing_unit": unit or enterprise.org_unit,
        "enterprise": enterprise,
        "addressee": enterprise.name,
        "kind": kind,
        "number": f"滨工函〔2026〕{next(_letters)}号-{secrets.token_hex(3)}",
        "issued_on": issued_on,
        "problem": "未按时足额支付工资",
        "request": "限期整改",
        "status": status,
    }
    if status in (LetterStatus.DELIVERED, LetterStatus.ANSWERED, LetterStatus.ESCALATED, LetterStatus.LAPSED):
        values["delivered_on"] = issued_on
    if status == LetterStatus.ANSWERED:
        values.update(answered_on=issued_on, answer="已整改")
    values.update(facts)
    return Letter.objects.create(**values)


def meeting(enterprise, unit=None, *, held_on=date(2026, 3, 2), **facts):
    values = {
        "enterprise": enterprise,
        "org_unit": unit or enterprise.org_unit,
        "held_on": held_on,
        "title": "一季度联席会议",
        "participants": "企业工会主席、企业负责人",
        **facts,
    }
    return JointMeeting.objects.create(**values)


# --- the seeds ----------------------------------------------------------------------------------------------------


def longgang(enterprises, unit=None, year=2026):
    """278 demands from the joint meetings of ``enterprises`` (龙岗 had 131), 236 resolved, spread over the months
    of ``year`` up to September, all accepted (the article's rate is 236 ÷ 278): the other 42 partly resolved,
    unresolved or still being handled."""
    made = []
    for n in range(278):
        received = date(year, n % 9 + 1, n % 27 + 1)
        firm = enterprises[n % len(enterprises)]
        if n < 236:
            made.append(
                demand(firm, unit, received_on=received, status=DemandStatus.CLOSED, save=False,
                       rating=Rating.SATISFIED if n % 5 else Rating.FAIRLY, rated_at=_moment(received),
                       replied_on_time=n % 10 != 0)
            )  # fmt: skip
        elif n < 260:
            made.append(
                demand(firm, unit, received_on=received, status=DemandStatus.REPLIED, save=False,
                       result=DemandResult.PARTLY if n % 2 else DemandResult.UNRESOLVED)
            )  # fmt: skip
        else:
            made.append(demand(firm, unit, received_on=received, save=False))
    return Demand.objects.bulk_create(made)


def xiantao(enterprises, unit=None, year=2026):
    """550 disputes accepted, 156 of them ending in an agreement, ¥1,040,000.00 paid (¥6,666.66 or ¥6,666.67 each
    on 155 of them and ¥6,667.03 on one, so the sum is exact), the rest in mediation, referred or withdrawn."""
    made = []
    paid_each = Decimal("6666.66")
    remainder = Decimal("1040000.00") - paid_each * 155
    colours = [Colour.YELLOW, Colour.ORANGE, Colour.RED]
    for n in range(550):
        received = date(year, n % 9 + 1, n % 28 + 1)
        firm = enterprises[n % len(enterprises)]
        common = {"received_on": received, "colour": colours[n % 3], "workers": 1 + n % 7, "save": False}
        if n < 156:
            paid = paid_each if n < 155 else remainder
            made.append(agreed(firm, unit, agreed_amount=paid + 1000, paid=paid, **common))
        elif n < 300:
            made.append(dispute(firm, unit, status=DisputeStatus.MEDIATING, level=Level.ENTERPRISE, **common))
        elif n < 400:
            made.append(
                dispute(
                    firm, unit, status=DisputeStatus.REFERRED, level=Level.TOWN, outcome=Outcome.ARBITRATION, **common
                )
            )
        else:
            made.append(dispute(firm, unit, **common))
    return Dispute.objects.bulk_create(made)
