"""The four close-out procedures, the extension, and every refusal, through the workflow functions."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import translation

from audit.models import AuditEvent
from checklists import permissions, workflow
from checklists import rules as closeout_rules
from checklists.models import DocumentKind, EventKind, ExtensionStatus, Item, ItemStatus
from checklists.queries import Colour, colour_filter, supervision_colour
from orgs.models import Notification
from qingdan import clock
from qingdan.errors import Conflict, Refused
from surveys import services as survey_services
from surveys.models import Poll, PollMode

pytestmark = pytest.mark.django_db
TODAY = clock.today


def test_procedure_1_apply_then_pass_closes_with_a_confirmation(
    item, reporter, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = workflow.apply_for_closeout(item=item, actor=reporter, report="人才公寓已改造，28名技术人才入住。")
    assert (item.status, item.applications, item.version) == (ItemStatus.APPLIED, 1, 1)
    assert Notification.objects.filter(user=reviewer, text__contains="改善技术人才居住条件").exists()
    with django_capture_on_commit_callbacks(execute=True):
        item = workflow.verify(item=item, actor=reviewer, passed=True, opinion="经现场核实，符合要求。", version=1)
    assert item.status == ItemStatus.CLOSED and item.first_pass and item.closed_at
    confirmation = item.documents.get(kind=DocumentKind.CONFIRMATION)
    assert confirmation.number == f"滨产改办销〔{TODAY().year}〕1号"
    assert [e.kind for e in item.events.all()] == [EventKind.ISSUED, EventKind.APPLIED, EventKind.CLOSED]
    assert AuditEvent.objects.filter(action="checklists.closed", object_id=str(item.pk)).exists()
    assert Notification.objects.filter(user=reporter, text__contains=confirmation.number).exists()


def test_procedure_3_fail_rectify_reapply_second_verification(item, reporter, reviewer):
    workflow.apply_for_closeout(item=item, actor=reporter, report="已完成。")
    new_deadline = TODAY() + timedelta(days=20)
    item = workflow.verify(
        item=item,
        actor=reviewer,
        passed=False,
        opinion="佐证材料不全。",
        findings="未见入住名单",
        fixes="补充入住人员名单和照片",
        new_deadline=new_deadline,
    )
    assert (item.status, item.deadline, item.rectifications) == (ItemStatus.RECTIFYING, new_deadline, 1)
    assert item.original_deadline == TODAY() + timedelta(days=30)
    letter = item.documents.get(kind=DocumentKind.RECTIFICATION)
    assert letter.body["fixes"] == "补充入住人员名单和照片" and letter.number.startswith("滨产改办整改〔")
    item = workflow.apply_for_closeout(item=item, actor=reporter, report="已补充名单。")
    assert (item.status, item.applications) == (ItemStatus.APPLIED, 2)
    item = workflow.verify(item=item, actor=reviewer, passed=True, opinion="二次验收通过。")
    assert item.status == ItemStatus.CLOSED and not item.first_pass


def test_a_failure_without_a_future_deadline_or_findings_is_refused(item, reporter, reviewer):
    workflow.apply_for_closeout(item=item, actor=reporter, report="已完成。")
    with pytest.raises(Refused, match="新的整改期限"):
        workflow.verify(
            item=item, actor=reviewer, passed=False, opinion="不合格", findings="x", fixes="y", new_deadline=TODAY()
        )
    with pytest.raises(Refused, match="整改意见书"):
        workflow.verify(
            item=item, actor=reviewer, passed=False, opinion="不合格", new_deadline=TODAY() + timedelta(days=3)
        )
    assert Item.objects.get(pk=item.pk).status == ItemStatus.APPLIED


def test_procedure_2_urging_issued_once_per_run_and_colours(item, office, reporter, settings, frozen_clock):
    Item.objects.filter(pk=item.pk).update(deadline=TODAY() - timedelta(days=3))
    call_command("scan_deadlines")
    call_command("scan_deadlines")  # the same day: nothing more
    item.refresh_from_db()
    assert item.urgings == 1 and item.documents.filter(kind=DocumentKind.URGING).count() == 1
    assert supervision_colour(item) == Colour.YELLOW
    # A week later the item is urged again and turns red; a notice of a new year starts the sequence again.
    first = TODAY()
    frozen_clock.shift(timedelta(days=closeout_rules.URGE_INTERVAL.default))
    call_command("scan_deadlines")
    item.refresh_from_db()
    assert item.urgings == 2 and supervision_colour(item) == Colour.RED
    numbers = list(item.documents.order_by("pk").filter(kind=DocumentKind.URGING).values_list("number", flat=True))
    second = 2 if TODAY().year == first.year else 1
    assert numbers == [f"滨产改办催〔{first.year}〕1号", f"滨产改办催〔{TODAY().year}〕{second}号"]


def test_a_new_deadline_starts_the_colour_afresh_and_the_urgings_stay_counted(item, office, reporter, reviewer):
    """Urged twice, the item is red; failed with a new deadline in three days, it is blue (deadline
    near), not red; its two urgings still count in the figures and the colour filter agrees."""
    Item.objects.filter(pk=item.pk).update(deadline=TODAY() - timedelta(days=20))
    workflow.urge(item=item, actor=office, today=TODAY() - timedelta(days=7))
    workflow.urge(item=item, actor=office)
    item.refresh_from_db()
    assert (item.urgings, supervision_colour(item)) == (2, Colour.RED)
    workflow.apply_for_closeout(item=item, actor=reporter, report="已完成")
    workflow.verify(
        item=item, actor=reviewer, passed=False, opinion="不合格", findings="缺台账", fixes="补台账",
        new_deadline=TODAY() + timedelta(days=3),
    )  # fmt: skip
    item.refresh_from_db()
    assert (item.urgings, item.deadline_urgings, supervision_colour(item)) == (2, 0, Colour.BLUE)
    assert list(Item.objects.filter(colour_filter(Colour.BLUE))) == [item]
    assert not Item.objects.filter(colour_filter(Colour.RED)).exists()


def test_blue_when_the_deadline_is_near(deep_item):
    assert deep_item.deadline == TODAY() + timedelta(days=10) and supervision_colour(deep_item) is None
    Item.objects.filter(pk=deep_item.pk).update(deadline=TODAY() + timedelta(days=3))
    deep_item.refresh_from_db()
    assert supervision_colour(deep_item) == Colour.BLUE


def test_applied_items_are_not_urged(item, reporter):
    workflow.apply_for_closeout(item=item, actor=reporter, report="已完成。")
    Item.objects.filter(pk=item.pk).update(deadline=TODAY() - timedelta(days=3))
    call_command("scan_deadlines")
    assert Item.objects.get(pk=item.pk).urgings == 0


def _answer_poll(item, satisfied, total):
    poll = item.satisfaction_poll
    question = poll.questionnaire.questions.get(code="S1")
    tokens = list(poll.tokens.order_by("pk")[:total])
    for i, token in enumerate(tokens):
        level = "satisfied" if i < satisfied else "basic"
        survey_services.submit_poll_response(poll=poll, raw={question.pk: [level]}, token=token.token)


@pytest.mark.parametrize(("satisfied", "closes"), [(79, False), (80, True)])
def test_procedure_4_deep_review_closes_only_at_80_percent(
    deep_item, reporter, reviewer, evaluator, rule, satisfied, closes
):
    rule("closeout.poll_tokens", 100)
    workflow.apply_for_closeout(item=deep_item, actor=reporter, report="举办技能竞赛2场。")
    item = workflow.verify(
        item=deep_item, actor=reviewer, passed=True, opinion="请第三方深度验收。", evaluator=evaluator
    )
    assert item.status == ItemStatus.DEEP_REVIEW and item.evaluator == evaluator
    assert item.satisfaction_poll.tokens.count() == 100 and item.satisfaction_poll.subject_unit == item.responsible_unit
    _answer_poll(item, satisfied, 100)
    item = workflow.record_evaluation(
        item=item,
        actor=evaluator,
        conclusion="pass",
        opinion="材料齐全，职工认可。",
        report_notes="听取汇报",
        ledger_notes="台账完整",
        site_notes="现场查看",
        symposium_notes="座谈12人",
        new_deadline=TODAY() + timedelta(days=15),
    )
    assert item.satisfaction == pytest.approx(satisfied / 100)
    assert item.status == (ItemStatus.CLOSED if closes else ItemStatus.RECTIFYING)
    if not closes:
        assert "满意度 79.0% 低于 80%" in item.events.filter(kind=EventKind.FAILED).get().opinion


def test_a_failed_evaluation_goes_back_to_rectification_even_when_satisfied(
    deep_item, reporter, reviewer, evaluator, office, rule
):
    rule("closeout.poll_tokens", 10)
    Item.objects.filter(pk=deep_item.pk).update(deadline=TODAY() - timedelta(days=1))
    workflow.urge(item=deep_item, actor=office)  # late: urged once about the first deadline
    workflow.apply_for_closeout(item=deep_item, actor=reporter, report="已完成。")
    item = workflow.verify(item=deep_item, actor=reviewer, passed=True, opinion="深度验收", evaluator=evaluator)
    _answer_poll(item, 10, 10)
    with pytest.raises(Refused, match="新的整改期限"):
        workflow.record_evaluation(item=item, actor=evaluator, conclusion="fail", opinion="台账不全")
    item = workflow.record_evaluation(
        item=item, actor=evaluator, conclusion="fail", opinion="台账不全", new_deadline=TODAY() + timedelta(days=10)
    )
    assert item.status == ItemStatus.RECTIFYING
    item.refresh_from_db()
    assert (item.urgings, item.deadline_urgings, supervision_colour(item)) == (1, 0, None)  # a new deadline


def test_extension_approved_moves_the_deadline_and_keeps_the_original(item, reporter, office):
    new = item.deadline + timedelta(days=30)
    extension = workflow.request_extension(item=item, actor=reporter, new_deadline=new, reason="资金拨付延迟")
    with pytest.raises(Refused, match="已有延期申请"):
        workflow.request_extension(item=item, actor=reporter, new_deadline=new, reason="再次申请")
    workflow.decide_extension(extension=extension, actor=office, approve=True, note="同意")
    item.refresh_from_db()
    assert item.deadline == new and item.original_deadline == new - timedelta(days=30)
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED
    with pytest.raises(Refused, match="已经处理"):
        workflow.decide_extension(extension=extension, actor=office, approve=False)


def test_extension_refused_keeps_the_deadline_and_none_after_the_deadline(item, reporter, office):
    old = item.deadline
    extension = workflow.request_extension(item=item, actor=reporter, new_deadline=old + timedelta(days=5), reason="x")
    workflow.decide_extension(extension=extension, actor=office, approve=False, note="不同意")
    assert Item.objects.get(pk=item.pk).deadline == old
    Item.objects.filter(pk=item.pk).update(deadline=TODAY() - timedelta(days=1))
    with pytest.raises(Refused, match="完成时限之前"):
        workflow.request_extension(
            item=Item.objects.get(pk=item.pk), actor=reporter, new_deadline=TODAY() + timedelta(days=9), reason="x"
        )


@pytest.mark.parametrize(
    ("who", "action", "message"),
    [
        ("reporter", "verify", "不允许"),  # a reporter verifying
        ("co_reporter", "apply", "不允许"),  # a co-unit applying
        ("reviewer", "verify_not_applied", "不能"),  # verifying an item not applied
        ("reporter", "apply_closed", "不能"),  # applying for a closed item
        ("evaluator", "evaluate_unassigned", "不允许"),  # an evaluator not assigned
        ("outsider", "verify", "不允许"),  # another county
    ],
)
def test_forbidden_moves_are_refused_and_change_nothing(request, item, reporter, reviewer, who, action, message):
    actor = request.getfixturevalue(who)
    if action == "apply_closed":
        workflow.apply_for_closeout(item=item, actor=reporter, report="r")
        workflow.verify(item=item, actor=reviewer, passed=True, opinion="ok")
    elif action == "verify":
        workflow.apply_for_closeout(item=item, actor=reporter, report="r")
    before = Item.objects.filter(pk=item.pk).values("status", "version").get()
    with pytest.raises(Refused, match=message):
        if action in ("apply", "apply_closed"):
            workflow.apply_for_closeout(item=item, actor=actor, report="r")
        elif action in ("verify", "verify_not_applied"):
            workflow.verify(item=item, actor=actor, passed=True, opinion="ok")
        else:
            workflow.record_evaluation(item=item, actor=actor, conclusion="pass", opinion="ok")
    assert Item.objects.filter(pk=item.pk).values("status", "version").get() == before


def test_a_stale_version_is_a_conflict(item, reporter, reviewer):
    workflow.apply_for_closeout(item=item, actor=reporter, report="r", version=0)
    with pytest.raises(Conflict):
        workflow.verify(item=item, actor=reviewer, passed=True, opinion="ok", version=0)
    assert Item.objects.get(pk=item.pk).status == ItemStatus.APPLIED


def test_the_responsible_unit_never_verifies_its_own_application(item, reporter, dept_a):
    from orgs.models import Role
    from orgs.tests.factories import UserFactory

    workflow.apply_for_closeout(item=item, actor=reporter, report="已完成。")
    own_reviewer = UserFactory(username="own-reviewer", org_unit=dept_a, roles=[Role.REVIEWER])
    with pytest.raises(Refused, match="不允许"):
        workflow.verify(item=item, actor=own_reviewer, passed=True, opinion="自己验收")
    both = UserFactory(username="both", org_unit=item.checklist.issuing_unit, roles=[Role.REVIEWER, Role.REPORTER])
    assert not permissions.can_verify(both, item) or both.org_unit_id != item.responsible_unit_id
    assert Item.objects.get(pk=item.pk).status == ItemStatus.APPLIED


def test_a_reporter_above_the_unit_cannot_apply(item, county_a):
    from orgs.models import Role
    from orgs.tests.factories import UserFactory

    county_reporter = UserFactory(username="county-reporter", org_unit=county_a, roles=[Role.REPORTER])
    with pytest.raises(Refused, match="不允许"):
        workflow.apply_for_closeout(item=item, actor=county_reporter, report="代为申请")


def test_an_evaluator_sees_only_assigned_items(item, evaluator, county_a):
    from checklists.queries import visible_items
    from orgs.models import Role
    from orgs.tests.factories import UserFactory

    county_evaluator = UserFactory(username="evaluator-c", org_unit=county_a, roles=[Role.EVALUATOR])
    assert not visible_items(county_evaluator).exists()
    Item.objects.filter(pk=item.pk).update(evaluator=county_evaluator)
    assert list(visible_items(county_evaluator)) == [item]


def test_a_pending_extension_stops_urging_and_lapses_when_the_unit_applies(item, reporter, office):
    extension = workflow.request_extension(
        item=item, actor=reporter, new_deadline=item.deadline + timedelta(days=9), reason="资金未到位"
    )
    Item.objects.filter(pk=item.pk).update(deadline=TODAY() - timedelta(days=2))
    call_command("scan_deadlines")
    assert Item.objects.get(pk=item.pk).urgings == 0
    workflow.apply_for_closeout(item=Item.objects.get(pk=item.pk), actor=reporter, report="已完成。")
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.REFUSED and extension.decision_note == "已撤回：单位已申请销号。"
    # The withdrawal is on the item's timeline and in the audit row of the application.
    lapsed = item.events.get(kind=EventKind.EXTENSION_REFUSED)
    assert (lapsed.opinion, lapsed.actor) == ("已撤回：单位已申请销号。", reporter)
    applied = AuditEvent.objects.get(action="checklists.applied", object_id=str(item.pk))
    assert applied.after["extensions_withdrawn"] == [extension.pk]
    with pytest.raises(Refused, match="已经处理"):
        workflow.decide_extension(extension=extension, actor=office, approve=True)


def test_red_when_overdue_more_than_thirty_days_and_no_colour_while_applied(item, reporter, settings):
    Item.objects.filter(pk=item.pk).update(deadline=TODAY() - timedelta(days=closeout_rules.LONG_OVERDUE.default + 1))
    item.refresh_from_db()
    assert supervision_colour(item) == Colour.RED
    from checklists.queries import colour_filter

    assert Item.objects.filter(colour_filter(Colour.RED), pk=item.pk).exists()
    workflow.apply_for_closeout(item=item, actor=reporter, report="已完成。")
    item.refresh_from_db()
    assert supervision_colour(item) is None and not Item.objects.filter(colour_filter(Colour.RED), pk=item.pk).exists()


def test_too_few_poll_answers_cannot_close_and_the_poll_closes_at_evaluation(
    deep_item, reporter, reviewer, evaluator, rule
):
    rule("closeout.poll_tokens", 10)
    workflow.apply_for_closeout(item=deep_item, actor=reporter, report="已完成。")
    item = workflow.verify(item=deep_item, actor=reviewer, passed=True, opinion="深度验收", evaluator=evaluator)
    _answer_poll(item, 3, 3)  # 100% of only three workers
    item = workflow.record_evaluation(
        item=item, actor=evaluator, conclusion="pass", opinion="材料齐全", new_deadline=TODAY() + timedelta(days=10)
    )
    assert item.status == ItemStatus.RECTIFYING
    assert "仅有 3 名职工作答" in item.events.filter(kind=EventKind.FAILED).get().opinion
    assert item.satisfaction_poll.is_closed()


def test_answers_through_an_open_link_never_close_an_item(deep_item, reporter, reviewer, evaluator, rule):
    rule("closeout.poll_tokens", 10)
    workflow.apply_for_closeout(item=deep_item, actor=reporter, report="已完成。")
    item = workflow.verify(item=deep_item, actor=reviewer, passed=True, opinion="深度验收", evaluator=evaluator)
    poll = item.satisfaction_poll
    # A poll turned into an open link by hand (the platform no longer makes one for a questionnaire that decides):
    # twelve scripted "very satisfied" answers, each with a fresh cookie.
    Poll.objects.filter(pk=poll.pk).update(mode=PollMode.OPEN, cap=100)
    poll.refresh_from_db()
    question = poll.questionnaire.questions.get(code="S1")
    for n in range(12):
        survey_services.submit_poll_response(
            poll=poll, raw={question.pk: ["very_satisfied"]}, device_id=f"script-{n:012d}"
        )
    item = workflow.record_evaluation(
        item=item, actor=evaluator, conclusion="pass", opinion="材料齐全", new_deadline=TODAY() + timedelta(days=10)
    )
    assert item.status == ItemStatus.RECTIFYING and item.satisfaction is None
    assert "仅有 0 名职工作答" in item.events.filter(kind=EventKind.FAILED).get().opinion


def test_an_english_users_refusal_is_all_english(item, reporter, reviewer):
    workflow.apply_for_closeout(item=item, actor=reporter, report="已完成")
    workflow.verify(item=item, actor=reviewer, passed=True, opinion="合格")
    with translation.override("en"), pytest.raises(Refused) as refused:
        workflow.apply_for_closeout(item=item, actor=reporter, report="again")
    assert refused.value.message == "This item is “Closed out”; it cannot be applied for now."
    assert not re.search(r"[\u4e00-\u9fff]", refused.value.message)
