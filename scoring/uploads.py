"""Files uploaded with an assessment change (a recorded event, a self-assessment): every file is checked
before any is kept, and a refused change keeps none of them, neither the evidence row nor the stored file.

    problems = check_uploads(files)
    if not problems:
        event = keep_with(files, actor=user, unit=user.org_unit, then=lambda pieces: events.record_event(...))
"""

from django.db import transaction

from checklists import services as evidence_services
from checklists.models import Evidence
from qingdan.errors import Refused


def check_uploads(files):
    """The reason each bad file is refused (size, type, content); empty when every file is acceptable."""
    problems = []
    for uploaded in files:
        try:
            evidence_services.sniff_evidence(uploaded)
        except Refused as refused:
            problems.append(refused.message)
    return problems


def drop_stored_files(pieces):
    """After a rollback: the files of evidence rows that no longer exist (a file already in the library stays)."""
    kept = set(Evidence.objects.filter(pk__in=[p.pk for p in pieces]).values_list("pk", flat=True))
    for piece in pieces:
        if piece.pk not in kept:
            piece.file.delete(save=False)


def keep_with(files, *, actor, then, unit=None):
    """Keep ``files`` in ``unit``'s evidence library (the actor's own by default) and call ``then(pieces)`` in
    the same transaction; returns what ``then`` returns. When anything raises (a refusal, a conflict), the
    rows roll back, the files stored on the way are deleted and the exception goes on to the caller."""
    pieces = []
    try:
        with transaction.atomic():
            for uploaded in files:
                pieces.append(evidence_services.add_evidence(uploaded=uploaded, actor=actor, unit=unit))
            return then(pieces)
    except Exception:
        drop_stored_files(pieces)
        raise
