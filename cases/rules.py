"""The demands and disputes area's rules (DOMAIN.md, "Rules from wider practice"): set per federation on the
rules page and copied onto each demand, dispute and letter when it is registered (its ``rules``)."""

from django.utils.translation import gettext_lazy as _

from qingdan.rules import declare
from qingdan.rules import of as _of

PREFIX = "cases."
of = _of  # a rule's value as a case copied it: ``rules.of(demand, rules.REPLY_WORKDAYS)``

AREA = "cases"
REPLY_WORKDAYS = declare(
    "cases.reply_workdays", _("Working days a handling unit has to reply to a demand"),
    default=3, minimum=1, maximum=60, unit=_("working days"), area=AREA,
)  # fmt: skip
REOPEN_DAYS = declare(
    "cases.reopen_days", _("Days after a reply in which the worker can reopen a demand"),
    default=30, minimum=1, maximum=365, unit=_("days"), area=AREA,
)  # fmt: skip
DEMAND_URGE_INTERVAL = declare(
    "cases.demand_urge_interval_days", _("Days between two urgings of an overdue demand reply"),
    default=3, minimum=1, maximum=365, unit=_("days"), area=AREA,
)  # fmt: skip
MEDIATION_WORKDAYS = declare(
    "cases.mediation_workdays", _("Working days one level of mediation may take"),
    default=15, minimum=1, maximum=120, unit=_("working days"), area=AREA,
)  # fmt: skip
FOLLOW_UP_DAYS = declare(
    "cases.follow_up_days", _("Days after an agreement the worker is asked whether they were paid"),
    default=30, minimum=1, maximum=365, unit=_("days"), area=AREA,
)  # fmt: skip
YELLOW_MONTHS = declare(
    "cases.yellow_max_months", _("Months in arrears up to which a dispute is yellow"),
    default=1, minimum=0, maximum=120, unit=_("months"), area=AREA,
)  # fmt: skip
ORANGE_MONTHS = declare(
    "cases.orange_max_months", _("Months in arrears up to which a dispute is orange (red above)"),
    default=2, minimum=0, maximum=120, unit=_("months"), area=AREA,
)  # fmt: skip
RAISE_WORKERS = declare(
    "cases.raise_workers", _("Workers involved from which a dispute's colour goes one level up"),
    default=30, minimum=1, maximum=1000000, unit=_("workers"), area=AREA,
)  # fmt: skip
RAISE_AMOUNT = declare(
    "cases.raise_amount_yuan", _("Amount claimed from which a dispute's colour goes one level up"),
    default=500000, minimum=1, maximum=2000000000, unit=_("yuan"), area=AREA,
)  # fmt: skip
NOTICE_REPLY_WORKDAYS = declare(
    "cases.notice_reply_workdays", _("Working days an employer has to answer a reminder letter (提示函)"),
    default=10, minimum=1, maximum=60, unit=_("working days"), area=AREA,
)  # fmt: skip
OPINION_REPLY_WORKDAYS = declare(
    "cases.opinion_reply_workdays", _("Working days an employer has to answer an opinion letter (意见书)"),
    default=15, minimum=1, maximum=60, unit=_("working days"), area=AREA,
)  # fmt: skip
PROPOSAL_REPLY_WORKDAYS = declare(
    "cases.proposal_reply_workdays", _("Working days the labour bureau has to register a proposal letter (建议书)"),
    default=5, minimum=1, maximum=60, unit=_("working days"), area=AREA,
)  # fmt: skip
