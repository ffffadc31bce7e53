"""Settings for the benchmark server: the project's own settings, plus the bare
baseline view (``bench.urls``).

The only other change is the static files storage. Production uses whitenoise's
manifest storage, which needs ``collectstatic`` (and writes into var/static that
other work trees share); the plain storage used here resolves ``{% static %}``
by joining strings instead of one in-memory dictionary look-up, which is a
difference of microseconds per page. Everything else (DEBUG off, middleware,
sessions, templates, database) is as deployed.
"""

from qingdan.settings import *  # noqa: F403
from qingdan.settings import STORAGES, VAR_DIR

ROOT_URLCONF = "bench.urls"
WSGI_APPLICATION = "bench.wsgi.application"

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Whitenoise indexes STATIC_ROOT at start-up: give it a directory of its own, not the shared var/static.
STATIC_ROOT = VAR_DIR / "bench" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
