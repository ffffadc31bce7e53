"""The Celery tasks: run one job (``jobs.run``), and start a scheduled kind from celery beat (``jobs.scheduled``)."""

from qingdan.celery import app


@app.task(name="jobs.run", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id):
    from jobs import services

    services.run(job_id, in_worker=True)


@app.task(name="jobs.scheduled", ignore_result=True)
def start_scheduled(kind, every="day"):
    """Start the scheduled run of ``kind`` for this day (or week): two schedulers, or beat firing twice, make one
    job of the period."""
    from jobs import services

    services.start(kind=kind, owner=None, key=services.period_key(every))
