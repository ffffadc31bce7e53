"""The survey area's rules: set per federation on the rules page, copied onto each distribution when it is sent
(``Distribution.rules``, read with ``qingdan.rules.of``)."""

from django.utils.translation import gettext_lazy as _

from qingdan.rules import declare

RESUBMIT_DAYS = declare(
    "surveys.resubmit_days", _("Days a unit has to resubmit a response sent back"),
    default=7, minimum=1, maximum=90, unit=_("days"), area="surveys",
)  # fmt: skip
