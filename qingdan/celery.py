"""The Celery app that runs background jobs (``jobs``) on a worker and the scheduled scans from celery beat.

    celery -A qingdan worker --loglevel=INFO
    celery -A qingdan beat --loglevel=INFO --schedule var/celerybeat-schedule

Its settings are Django's ``CELERY_*`` (the "Background jobs" block at the end of ``qingdan/settings.py``).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings")

app = Celery("qingdan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
