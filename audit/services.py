"""The one way to write the audit trail."""

import contextlib
import json
from contextvars import ContextVar

from django.core.serializers.json import DjangoJSONEncoder

from audit import chain
from audit.masking import mask_personal
from audit.models import AuditEvent, Result
from qingdan import clock
from qingdan.boundary import client_address

# The address of the request that started a background job, for the events the job records without a request.
_started_from = ContextVar("audit_started_from", default=None)


@contextlib.contextmanager
def acting_from(address):
    """Events recorded inside, without a request of their own, carry ``address``: a job's events keep the address
    of the person who started it."""
    token = _started_from.set(address)
    try:
        yield
    finally:
        _started_from.reset(token)


def client_ip(request):
    return client_address(request) if request is not None else _started_from.get()


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

    It takes no lock: the row is sealed into the hash chain (``audit.chain``) right after
    the transaction commits, in a short transaction of its own, so recording never makes
    the caller wait for another writer, nor another writer for the caller's locks.
    """
    return append(
        fields(
            action=action,
            actor=actor,
            obj=obj,
            object_type=object_type,
            object_id=object_id,
            org_unit=org_unit,
            result=result,
            before=before,
            after=after,
            message=message,
            request=request,
            actor_username=actor_username,
        )
    )


def fields(
    *, action, actor, obj, object_type, object_id, org_unit, result, before, after, message, request, actor_username
):
    """The columns of one event, as they will be stored."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if actor is not None:
        actor_username = actor.username
        if org_unit is None:
            org_unit = actor.org_unit
    ip = client_ip(request)
    return {
        "created_at": clock.now(),
        "action": action,
        "actor": actor,
        "actor_username": actor_username[:150],
        "object_type": object_type,
        "object_id": str(object_id),
        "org_unit": org_unit,
        "org_path": org_unit.path if org_unit is not None else "",
        "result": result,
        "before": _jsonable(before),
        "after": _jsonable(after),
        "message": str(message)[:500],
        # As the column keeps it (an IPv6 address in its short form).
        "client_ip": AuditEvent._meta.get_field("client_ip").get_prep_value(ip),
    }


def append(columns):
    """Insert one event and have it sealed when its transaction commits."""
    event = AuditEvent(**columns)
    event.save(force_insert=True)
    chain.seal_after_commit(event)
    return event
