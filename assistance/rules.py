"""The hardship archive's rules (DOMAIN.md, "Rules from wider practice"): set per federation on the rules page and
copied onto a household's file when a decision is made (its ``rules``)."""

from django.utils.translation import gettext_lazy as _

from qingdan.rules import declare
from qingdan.rules import of as _of

PREFIX = "assistance."
of = _of

AREA = "assistance"
RELATIVE_PERCENT = declare(
    "assistance.relative_percent", _("Relative hardship: per-capita income below this share of the local standard"),
    default=200, minimum=100, maximum=500, unit="%", area=AREA,
)  # fmt: skip
ACCIDENT_PERCENT = declare(
    "assistance.accident_percent", _("Accidental hardship: a year's costs above this share of household income"),
    default=80, minimum=1, maximum=1000, unit="%", area=AREA,
)  # fmt: skip
EXIT_MONTHS = declare(
    "assistance.exit_months", _("Consecutive months above the line before a family exits hardship"),
    default=6, minimum=1, maximum=36, unit=_("months"), area=AREA,
)  # fmt: skip
PUBLICITY_DAYS = declare(
    "assistance.publicity_days", _("Days a public notice (公示) stays up"),
    default=7, minimum=1, maximum=60, unit=_("days"), area=AREA,
)  # fmt: skip
CHECK_WORKDAYS = declare(
    "assistance.check_workdays", _("Working days a department has to answer a check"),
    default=10, minimum=1, maximum=60, unit=_("working days"), area=AREA,
)  # fmt: skip
VISIT_DAYS = declare(
    "assistance.visit_days", _("Days after which a paired family not visited is flagged"),
    default=90, minimum=7, maximum=730, unit=_("days"), area=AREA,
)  # fmt: skip
REVIEW_DAYS = declare(
    "assistance.review_days", _("Days between two yearly reviews of an archived family"),
    default=365, minimum=30, maximum=1095, unit=_("days"), area=AREA,
)  # fmt: skip
CERTIFICATE_MONTHS = declare(
    "assistance.certificate_months", _("Months a preferential certificate is valid"),
    default=12, minimum=1, maximum=120, unit=_("months"), area=AREA,
)  # fmt: skip
FOLLOW_UP_DAYS = declare(
    "assistance.exit_follow_up_days", _("Days after an exit when the family is visited again"),
    default=365, minimum=30, maximum=1095, unit=_("days"), area=AREA,
)  # fmt: skip
