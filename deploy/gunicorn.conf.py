"""gunicorn's settings for Qingdan's app servers: ``gunicorn -c deploy/gunicorn.conf.py qingdan.wsgi --bind …``.

deploy/local.sh starts its two servers with it; a production service may too. With ``PROMETHEUS_MULTIPROC_DIR``
set, the workers' request metrics are added up on ``/metrics`` (qingdan/telemetry.py): the folder is emptied when
the server starts, so counts of an earlier run are not added in, and a worker that exits is marked dead, so its
live gauges drop out.

The application is loaded once, in the master, and warmed there (``qingdan/warm.py``: the URLconf's views imported,
the catalogues read, every template compiled) before the workers are forked: a worker's first requests then cost
what its later ones do, instead of half a second each while users sign in after a restart.
"""

import os
from pathlib import Path

timeout = 120  # an import's preview or a small export may take a minute; longer work runs as a job
graceful_timeout = 10
forwarded_allow_ips = "127.0.0.1"  # nginx on the same machine sets X-Forwarded-Proto
preload_app = True


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for left in Path(folder).glob("*.db"):
            left.unlink()


def when_ready(server):
    if server.cfg.preload_app:
        from qingdan import warm

        server.log.info("warmed: %d templates compiled before forking the workers", warm.up())


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
