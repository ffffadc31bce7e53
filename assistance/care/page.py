import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from assistance import rules as archive_rules
from assistance.care.access import (
    _rule,
    can_exit,
    can_give_aid,
    can_issue_certificate,
    can_log_contact,
    can_pair,
    can_rearchive,
    can_record_month,
    can_review,
)
from assistance.care.aid import certificate_problem, is_valid
from assistance.models import (
    Certificate,
    Contact,
    Household,
    Pairing,
)
from orgs.models import OrgUnit, Role
from qingdan import clock
from qingdan.actors import SYSTEM

# --- the daily scan -----------------------------------------------------------------------------------------------


def scan(today=None):
    """Flags of the day, as notifications (once a day per person and flag, so running it twice is harmless):
    cadres whose paired families were not visited in ``VISIT_DAYS``, offices with expired certificates, reviews
    overdue and exited families due a follow-up. Returns the counts."""
    from assistance import care_queries
    from orgs.models import Notification, User

    today = today or clock.today()
    counts = {"not_visited": 0, "expired": 0, "review_due": 0, "follow_up": 0}
    start = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    messages = {}  # user pk → [(text, url)]

    def add(user_pk, text, url):
        messages.setdefault(user_pk, []).append((text, url))

    not_visited = care_queries.not_visited(Pairing.objects.all(), today).select_related("household")
    for pairing in not_visited:
        counts["not_visited"] += 1
        add(
            pairing.cadre_id,
            _("%(number)s has not been visited for %(days)d days or more.")
            % {"number": pairing.household.number, "days": archive_rules.VISIT_DAYS.default},
            reverse("assistance:contact_new") + f"?household={pairing.household_id}",
        )
    offices = {}

    def office_of(unit_id):
        """The office staff of the nearest unit on the line (the unit itself, else the union above it)."""
        if unit_id not in offices:
            line = OrgUnit.objects.get(pk=unit_id).line_ids
            staff = {}
            for pk, unit in User.objects.filter(
                org_unit_id__in=line, is_active=True, roles__role=Role.OFFICE
            ).values_list("pk", "org_unit_id"):
                staff.setdefault(unit, []).append(pk)
            offices[unit_id] = next((staff[u] for u in reversed(line) if u in staff), [])
        return offices[unit_id]

    by_unit = {}
    for certificate in care_queries.expired_certificates(Certificate.objects.all(), today).select_related("household"):
        counts["expired"] += 1
        by_unit.setdefault(certificate.household.org_unit_id, [0, 0, 0])[0] += 1
    for household in Household.objects.filter(care_queries.review_overdue(today)).only("org_unit_id"):
        counts["review_due"] += 1
        by_unit.setdefault(household.org_unit_id, [0, 0, 0])[1] += 1
    for household in care_queries.follow_ups_due(Household.objects.all(), today).only("org_unit_id"):
        counts["follow_up"] += 1
        by_unit.setdefault(household.org_unit_id, [0, 0, 0])[2] += 1
    for unit_id, (expired, review_due, follow_up) in by_unit.items():
        for pk in office_of(unit_id):
            if expired:
                add(pk, _("%(n)d preferential certificates have expired.") % {"n": expired},
                    reverse("assistance:certificates") + "?expired=1")  # fmt: skip
            if review_due:
                add(pk, _("%(n)d files are due their yearly review.") % {"n": review_due},
                    reverse("assistance:households") + "?review_due=1")  # fmt: skip
            if follow_up:
                add(pk, _("%(n)d exited families are due a follow-up visit.") % {"n": follow_up},
                    reverse("assistance:follow_ups") + "?due=1")  # fmt: skip
    with transaction.atomic():
        sent = set(
            Notification.objects.filter(user_id__in=list(messages), created_at__gte=start).values_list(
                "user_id", "text"
            )
        )
        Notification.objects.bulk_create(
            Notification(user_id=pk, text=text[:300], url=url)
            for pk, items in messages.items()
            for text, url in items
            if (pk, text[:300]) not in sent
        )
    return counts


# --- the household page's parts -----------------------------------------------------------------------------------


def care_context(user, household):
    """What ``assistance/care/_household_*.html`` show on the household page, as ``{"care": …}``: a few queries."""
    from assistance import care_queries

    today = clock.today()
    years, total = care_queries.household_totals(household)
    certificate = household.certificates.order_by("-issued_on", "-id").first()
    pairings = list(household.pairings.filter(until__isnull=True).select_related("cadre__org_unit"))
    contacts = household.contacts.select_related("cadre").order_by("-on", "-id")[:5]
    last_visit = household.contacts.filter(kind=Contact.Kind.VISIT).order_by("-on").values_list("on", flat=True).first()
    return {
        "care": {
            "aid_total": total,
            "aid_years": years,
            "recent_aid": household.aid.select_related("org_unit").order_by("-given_on", "-id")[:5],
            "certificate": certificate,
            "certificate_problem": certificate_problem(certificate, today) if certificate else None,
            "pairings": pairings,
            "contacts": contacts,
            "last_visit": last_visit,
            "visit_late": bool(pairings)
            and (last_visit is None or (today - last_visit).days > _rule(household, archive_rules.VISIT_DAYS)),
            "follow_up_on": household.exited_on
            + datetime.timedelta(days=_rule(household, archive_rules.FOLLOW_UP_DAYS))
            if household.exited_on
            else None,
            "can_give_aid": can_give_aid(user, household),
            "can_issue_certificate": can_issue_certificate(user, household)
            and not (certificate and is_valid(certificate, today)),
            "can_pair": can_pair(user, household),
            "can_log_contact": user is not SYSTEM and can_log_contact(user, household),
            "can_review": can_review(user, household),
            "can_exit": can_exit(user, household),
            "can_rearchive": can_rearchive(user, household),
            "can_record_month": can_record_month(user, household),
        }
    }
