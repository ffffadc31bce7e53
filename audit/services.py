"""The one way to write the audit trail."""

import json

from django.core.serializers.json import DjangoJSONEncoder

from audit.masking import mask_personal
from audit.models import AuditEvent, Result


def client_ip(request):
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _jsonable(data):
    if data is None:
        return None
    return json.loads(json.dumps(mask_personal(data), cls=DjangoJSONEncoder))


def record(
    *,
    action,
    actor=None,
    obj=None,
    object_type="",
    object_id="",
    org_unit=None,
    result=Result.SUCCESS,
    before=None,
    after=None,
    message="",
    request=None,
    actor_username="",
):
    """Append one audit event.

    Call it inside the transaction of the change it describes, so that the change
    and its record are committed together or not at all. Personal data in
    ``before``/``after`` is masked here, so callers may pass plain values.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if actor is not None:
        actor_username = actor.username
        if org_unit is None:
            org_unit = actor.org_unit
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_username=actor_username[:150],
        object_type=object_type,
        object_id=str(object_id),
        org_unit=org_unit,
        org_path=org_unit.path if org_unit is not None else "",
        result=result,
        before=_jsonable(before),
        after=_jsonable(after),
        message=message[:500],
        client_ip=client_ip(request),
    )
