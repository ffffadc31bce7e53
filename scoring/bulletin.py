"""The results bulletin (考核结果通报) of a published round, as an official document (.docx or print).

Always in Chinese whatever the reader's language: it is sent to the units as a notice. Money is in
万元 as reports give it; the table lists every unit with its rank, total, grade and subsidy.
"""

from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from documents.official import OfficialDocument, cn_date
from orgs.models import OrgKind
from qingdan import clock
from scoring.explain import grade_word, points
from scoring.models import FundMethod, Grade


def _addressees():
    return {
        OrgKind.CITY: _("all city federations"),
        OrgKind.COUNTY: _("all county (district) federations"),
        OrgKind.TOWN: _("all town and street unions"),
        OrgKind.GRASSROOTS: _("all grassroots unions"),
        OrgKind.DEPARTMENT: _("all competent departments"),
        OrgKind.ENTERPRISE: _("all enterprise unions"),
    }


def wan(amount):
    """``¥1,040,000`` as ``104.00万元``."""
    return _("%(amount)s ten-thousand yuan") % {"amount": f"{Decimal(amount) / 10000:,.2f}"}


def addressee(results):
    """各<kind>, 各有关单位 when the units are all of one kind; 各有关单位 otherwise."""
    kinds = {r.unit.kind for r in results}
    words = _addressees().get(kinds.pop()) if len(kinds) == 1 else None
    if words:
        return _("%(units)s and all units concerned") % {"units": words}
    return _("All units concerned")


def _fund_paragraph(round, results):
    total = sum((r.fund_amount or 0 for r in results), Decimal(0))
    if round.fund_method == FundMethod.PER_GRADE:
        return _(
            "The results are linked to the work-fund subsidy: an amount is set for each grade, %(total)s in all; "
            "each unit's amount is in the table below."
        ) % {"total": wan(total)}
    if round.fund_method == FundMethod.POOL:
        return _(
            "The results are linked to the work-fund subsidy: each unit receives a base of %(base)s, and the rest "
            "of the %(pool)s fund is shared in proportion to their scores by the units scoring at least %(floor)s "
            "points; each unit's amount is in the table below."
        ) % {
            "base": wan(round.fund_base or 0),
            "pool": wan(round.fund_pool or 0),
            "floor": points(round.fund_floor or 0),
        }
    return _("The results are an important basis for commendations and for the work-fund subsidy.")


def document(round, results):
    """The bulletin of ``round`` (published) over ``results`` in rank order."""
    results = sorted(results, key=lambda r: (r.rank or 10**9, r.unit.path))
    with translation.override(settings.LANGUAGE_CODE):
        counts = Counter(r.grade for r in results)
        grades = "，".join(
            _("%(grade)s: %(n)s") % {"grade": grade_word(g), "n": counts[g]} for g in Grade.values if counts[g]
        )
        excellent = [r.unit.name for r in results if r.grade == Grade.EXCELLENT]
        vetoed = sum(1 for r in results if r.vetoed)
        paragraphs = [
            _(
                "Under “%(rubric)s”, %(office)s has carried out %(round)s, assessing the work of %(n)s units from "
                "%(start)s to %(end)s. The results are announced as follows."
            )
            % {
                "rubric": round.rubric.name,
                "office": round.owner_unit.name,
                "round": round.name,
                "n": len(results),
                "start": cn_date(round.period_start),
                "end": cn_date(round.period_end),
            },
            _("Of the %(n)s units: %(grades)s.") % {"n": len(results), "grades": grades} if grades else "",
            _("The units rated excellent are: %(names)s.") % {"names": "、".join(excellent)}
            if excellent
            else _("No unit was rated excellent."),
            _("%(n)s units could not be rated excellent because of a one-vote veto item.") % {"n": vetoed}
            if vetoed
            else "",
            _fund_paragraph(round, results),
            _(
                "We hope the units rated excellent keep up their good work, and that the others learn from them, "
                "find where they fall short and catch up, so that the union's work moves forward."
            ),
        ]
        funds = round.fund_method != FundMethod.NONE
        head = [_("Rank"), _("Unit"), _("Total points"), _("Grade")] + ([_("Fund subsidy (yuan)")] if funds else [])
        table = [head]
        for r in results:
            line = [str(r.rank or ""), r.unit.name, points(r.total, True), grade_word(r.grade) if r.grade else ""]
            if funds:
                line.append(f"{r.fund_amount:,.2f}" if r.fund_amount is not None else "")
            table.append(line)
        if results:
            # The 合计 row: the funds add up; points do not, so their cell gives the mean and says so.
            totals = [r.total for r in results if r.total is not None]
            mean = sum(totals, Decimal(0)) / len(totals) if totals else None
            line = [
                _("Total"),
                _("%(n)s units in all") % {"n": len(results)},
                _("mean %(points)s") % {"points": points(mean, True)} if mean is not None else "",
                "",
            ]
            if funds:
                line.append(f"{sum((r.fund_amount or 0 for r in results), Decimal(0)):,.2f}")
            table.append(line)
        return OfficialDocument(
            title=_("On the results of %(name)s") % {"name": round.name},
            number=round.bulletin_number,
            addressee=addressee(results),
            paragraphs=[p for p in paragraphs if p],
            issuer=round.owner_unit.name,
            issued_on=timezone.localtime(round.published_at).date() if round.published_at else clock.today(),
            table=table,
        )
