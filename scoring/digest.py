"""The assessment's part of the weekly digest (``qingdan.digests``): rounds published that week that the user sees
(run in their subtree or assessing their unit). Nothing of the assessment is overdue in the digest's sense."""

from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditEvent
from qingdan.digests import Line, Offer, digest_source, local_day, week_bounds
from scoring.models import RoundStatus
from scoring.queries import visible_rounds


@digest_source("scoring", gettext_lazy("Assessment"), position=30)
def rounds(user, start, end, today):
    offer = Offer()
    since, until = week_bounds(start, end)
    # The round keeps when it was published, not by whom: the audit trail's publish event names the person.
    by_user = AuditEvent.objects.filter(
        action="scoring.publish", object_type="scoring.round", object_id=Cast(OuterRef("pk"), CharField()), actor=user
    )
    published = (
        visible_rounds(user)
        .filter(status=RoundStatus.PUBLISHED, published_at__gte=since, published_at__lt=until)
        .exclude(Exists(by_user))
        .order_by("published_at", "id")
    )
    offer.add_changed(
        gettext_lazy("Assessment rounds published"),
        published,
        lambda round: Line(
            text=_("Results published: %(name)s") % {"name": round.name},
            url=reverse("scoring:round", args=[round.pk]),
            unit=round.owner_unit.name,
            day=local_day(round.published_at),
        ),
    )
    return offer
