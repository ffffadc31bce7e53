"""The warm-up gunicorn's master runs before it forks the app server's workers (qingdan/warm.py)."""

from django.template import engines
from django.template.loaders.cached import Loader as CachedLoader

from qingdan import warm


def _cached_names():
    loaders = [loader for engine in engines.all() for loader in engine.engine.template_loaders]
    cached = [loader for loader in loaders if isinstance(loader, CachedLoader)]
    return {name for loader in cached for name in loader.get_template_cache}


def test_the_warm_up_compiles_every_template_without_a_query(monkeypatch):
    # No database here: a query would fail the test.
    closed = []
    monkeypatch.setattr(warm.connections, "close_all", lambda: closed.append(True))
    for engine in engines.all():
        for loader in engine.engine.template_loaders:
            loader.reset()
    names = warm.template_names()
    assert {"base.html", "orgs/login.html", "overview/dashboard.html"} <= set(names)
    assert not {"base.html", "overview/dashboard.html"} & _cached_names()
    assert warm.up() == len(names)
    assert set(names) <= _cached_names()  # a worker forked now finds each one compiled
    assert closed == [True]  # a worker forked after it shares no connection of the master's
