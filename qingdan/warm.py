"""What an app server's worker would otherwise do on its first requests, done once in gunicorn's master before it
forks them (``deploy/gunicorn.conf.py``, ``preload_app``): every view module imported through the URLconf, every
language's catalogue read, every template compiled into the cached loader. The workers share it as they start.

Measured on the province's data: a fresh process answered its first ``/login/`` in 433 ms and its first workbench in
132 ms (then 1 ms and 24 ms). Each of four workers paid that while fifty users signed in at once (bench/README.md).
"""

from pathlib import Path

from django.conf import settings
from django.db import connections
from django.template import engines
from django.template.utils import get_app_template_dirs
from django.urls import get_resolver
from django.utils import translation

TEMPLATE_SUFFIXES = (".html", ".txt", ".xml")


def template_names():
    """The name of every template the project and its apps hold, as ``get_template`` takes it."""
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine.get("DIRS", [])]
    folders += [Path(folder) for folder in get_app_template_dirs("templates")]
    names = set()
    for folder in folders:
        for path in folder.rglob("*"):
            if path.suffix in TEMPLATE_SUFFIXES and path.is_file():
                names.add(path.relative_to(folder).as_posix())
    return sorted(names)


def up():
    """Import, read and compile what the first requests would; returns how many templates were compiled. No
    connection to the database stays open (a forked worker must not share one)."""
    get_resolver().url_patterns  # noqa: B018 - imports every view module the URLconf names
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Sign in")  # reads the language's catalogues
    compiled = 0
    for engine in engines.all():
        for name in template_names():
            try:
                engine.get_template(name)
            except Exception:  # noqa: BLE001, S112 - a fragment another engine owns, or one that only extends at run time
                continue
            compiled += 1
    connections.close_all()
    return compiled
