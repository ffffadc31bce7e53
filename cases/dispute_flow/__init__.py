"""Every change to a labour dispute (劳动争议): registering it (from the office or from a grid leader's phone), its
facts and warning colour, the three parties and their actions, three-level mediation one level at a time, the
outcome, the payments, the follow-up question to the worker, reopening, and the daily ``scan``.

Each function takes keyword-only arguments, asks the action's ``can_<action>`` predicate (the same one the page
and the inbox ask), checks the transition against ``TRANSITIONS``, checks the ``version`` the form was read at,
locks the dispute, writes its timeline and the audit trail in the same transaction, and notifies on commit.

``actor=SYSTEM`` is the platform (the demo loader, the scan); the worker answering a follow-up is nobody.

The package re-exports the names the pages, the inbox, the demo and the tests use."""

from cases.dispute_flow.access import (  # noqa: F401
    ACTION_MAX,
    ACTION_NAMES,
    AMOUNT_MAX,
    BODY_MAX,
    CHANGED,
    EVENT_LABELS,
    FOLLOW_UP_PURPOSE,
    GRID_MAX,
    MONTHS_MAX,
    OPEN,
    OUTCOME_LABELS,
    REGISTER_KINDS,
    STATUS_LABELS,
    TRANSITIONS,
    S,
    can_change_facts,
    can_issue_follow_up,
    can_manage_parties,
    can_mediate,
    can_record_agreement,
    can_record_payment,
    can_refer,
    can_register,
    can_reopen,
    can_report_grid,
    can_see_phone,
    can_start_mediation,
    can_withdraw,
    county_of,
    event_label,
    grid_town,
    handled_filter,
    handles,
    outcome_label,
    status_label,
    stored_language,
    town_of,
)
from cases.dispute_flow.changes import (  # noqa: F401
    add_party_action,
    change_facts,
    complete_party_action,
    overdue_actions,
    record_phone_view,
    register,
    report_from_grid,
    set_party,
)
from cases.dispute_flow.facts import COLOUR_FACTS, FACTS, clean_amount, clean_months, clean_workers, snapshot  # noqa: F401
from cases.dispute_flow.follow_up import (  # noqa: F401
    answer_follow_up,
    escalate,
    follow_up_for,
    issue_follow_up,
    open_follow_up,
    reopen,
    scan,
)
from cases.dispute_flow.mediation import (  # noqa: F401
    assign_mediator,
    fail_level,
    level_above,
    mediation_due,
    record_agreement,
    record_payment,
    record_session,
    refer,
    start_mediation,
    withdraw,
)
from cases.dispute_flow.steps import county_office, town_people  # noqa: F401
