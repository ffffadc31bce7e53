"""What happens to an archived family (困难职工帮扶): aid, the preferential certificate (优惠证), pairing with cadres
and their visits and calls, monthly incomes, the yearly review, exit (脱困), permanent support (兜底) and the fast
re-archiving of a family that relapses. Every change is one function here with keyword-only arguments: it asks the
``can_*`` predicate the pages ask to show its button, locks the household, checks the version a form was read at
(``Conflict``), writes an audit row and a timeline ``Event`` in the same transaction and notifies on commit.

The exit line: a family exits when its per-capita monthly income has been above the *relative-hardship line* of
its file's rules (the local minimum living standard of this year × ``assistance.relative_percent``, the line
``decisions.preview`` shows) for ``assistance.exit_months`` consecutive months, each with evidence. Above the bare
standard alone a family is still in relative hardship and could be archived again the next day; above the relative
line it is out of every category the archive admits on income.

The package re-exports the names the pages, the demo and the tests use."""

from assistance.care.access import (  # noqa: F401
    CENT,
    CERTIFICATE_KIND,
    CERTIFICATE_MARK,
    HONOURING_BODIES,
    INCOME_STATUSES,
    MONEY_MAX,
    RENEW_DAYS,
    SERIOUS,
    TRANSITIONS,
    add_months,
    can_exit,
    can_give_aid,
    can_issue_certificate,
    can_log_contact,
    can_manage,
    can_move_to_permanent,
    can_pair,
    can_rearchive,
    can_record_month,
    can_renew_certificate,
    can_review,
    can_revoke_certificate,
    can_unpair,
    first_of,
    is_paired,
)
from assistance.care.aid import (  # noqa: F401
    certificate_problem,
    give_aid,
    is_expired,
    is_valid,
    issue_certificate,
    record_benefit,
    renew_certificate,
    revoke_certificate,
)
from assistance.care.exit import (  # noqa: F401
    FACTS,
    ExitCheck,
    exit_check,
    exit_hardship,
    exit_line,
    move_to_permanent,
    permanent_grounds,
    rearchive,
    record_month,
    review,
)
from assistance.care.page import care_context, scan  # noqa: F401
from assistance.care.pairing import cadre_problem, log_contact, pair, unpair  # noqa: F401
