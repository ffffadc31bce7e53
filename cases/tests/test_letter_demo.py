"""The demo's joint meetings and letters of 滨海: every kind in every state it can reach, one full chain, some
decisions as list items of the town unions; loading it twice adds nothing."""

import pytest

from cases import demo, demo_letters
from cases.models import JointMeeting, Letter, LetterKind, LetterStatus, MeetingDecision
from orgs import demo as org_demo

pytestmark = pytest.mark.django_db

REACHABLE = {
    LetterKind.NOTICE: {LetterStatus.ISSUED, LetterStatus.DELIVERED, LetterStatus.ANSWERED, LetterStatus.ESCALATED},
    LetterKind.OPINION: {LetterStatus.ISSUED, LetterStatus.DELIVERED, LetterStatus.ANSWERED, LetterStatus.ESCALATED},
    LetterKind.PROPOSAL: {LetterStatus.ISSUED, LetterStatus.DELIVERED, LetterStatus.ANSWERED, LetterStatus.LAPSED},
}


def test_the_demo_meetings_and_letters_are_there_once_in_every_state():
    org_demo.build("Qingdan@2026")
    demo.build()
    demo_letters.build()
    assert JointMeeting.objects.count() == 12
    assert MeetingDecision.objects.filter(item_id__isnull=False).exists()
    assert MeetingDecision.objects.filter(item_id__isnull=True).exists()
    for kind, states in REACHABLE.items():
        assert set(Letter.objects.filter(kind=kind).values_list("status", flat=True)) == states, kind
    lapsed = Letter.objects.get(status=LetterStatus.LAPSED)
    assert lapsed.escalated_from.escalated_from.kind == LetterKind.NOTICE
    assert Letter.objects.filter(status=LetterStatus.DELIVERED, reply_due__lt=demo_letters.clock.today()).exists()
    counts = (Letter.objects.count(), JointMeeting.objects.count(), MeetingDecision.objects.count())
    demo_letters.build()
    assert (Letter.objects.count(), JointMeeting.objects.count(), MeetingDecision.objects.count()) == counts
