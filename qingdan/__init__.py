# The Celery app is loaded with Django, so that ``celery -A qingdan`` finds it and tasks bind to it.
from qingdan.celery import app as celery_app

__all__ = ("celery_app",)
