"""The registry of job kinds: each area names its long work in its own ``<area>/jobs.py`` with ``@job``,
discovered the way ``qingdan.metrics`` discovers metrics; ``jobs`` never imports an area.

    @job("scoring.compute", _("Compute assessment scores"))
    def compute(job, progress):  # progress(done, total)
        ...
        return {"url": ..., "counts": {...}}

The function returns the result shown on the job's page: ``url`` (with ``url_label``) to go on to, ``file``
(a name in the default storage, with ``file_name``) to download, ``counts`` ``{label: number}``, ``text``.

``atomic=True`` (the default) runs the function in one transaction with the job's success, so a worker killed
half-way leaves nothing half-written and a redelivered job starts over. A scan whose every step commits on
its own and is safe to run again says ``atomic=False``.
"""

from dataclasses import dataclass

from django.apps import apps
from django.utils.module_loading import autodiscover_modules


@dataclass
class Kind:
    key: str
    label: object
    run: object
    area: str
    atomic: bool = True


_REGISTRY: dict[str, Kind] = {}


def job(key, label, *, atomic=True):
    """Register the decorated function ``(job, progress) -> result dict`` as the job kind ``key``."""

    def register(func):
        _REGISTRY[key] = Kind(key=key, label=label, run=func, area=func.__module__.split(".")[0], atomic=atomic)
        return func

    return register


_discovered = False


def _discover():
    global _discovered
    if not _discovered:
        autodiscover_modules("jobs")
        _discovered = True


def kinds():
    """Every job kind an installed area provides, by key."""
    _discover()
    return {key: kind for key, kind in _REGISTRY.items() if apps.is_installed(kind.area)}


def get(key):
    """The job kind ``key``, or None when no installed area provides it."""
    return kinds().get(key)
