"""Prometheus metrics at ``GET /metrics`` (``prometheus_client``): requests and their latency by URL pattern, the
job queue's length, and whatever the apps add through ``register_collector``.

Labels are bounded: the view is the URL pattern's name (``checklists:item``), never the path with its ids; the
method one of the HTTP methods or ``other``; the status the response's code.

Several gunicorn workers: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory writable by the workers, in the
environment gunicorn starts with (before ``prometheus_client`` is first imported), and empty it at each start;
each worker then writes its counts there and a scrape, answered by any worker, adds them up. A gunicorn config
should also call ``prometheus_client.multiprocess.mark_process_dead(worker.pid)`` in its ``child_exit`` hook.

An app's own figures (the ``jobs`` app: jobs by kind and status) are read at each scrape by a function it
registers, typically in its ``AppConfig.ready()``::

    from qingdan.telemetry import gauge, register_collector

    def job_figures():
        rows = Job.objects.values_list("kind", "status").annotate(n=Count("pk"))
        yield gauge("qingdan_jobs", "Jobs by kind and status.", ["kind", "status"], {(k, s): n for k, s, n in rows})

    register_collector(job_figures)

A collector that fails is left out of that scrape (and logged); the others still answer.

Access: from the addresses and networks in ``QINGDAN_METRICS_ALLOW`` (default: loopback), or with
``Authorization: Bearer <QINGDAN_METRICS_TOKEN>``; anyone else gets the site's 404. A request that came through a
proxy (it carries ``X-Forwarded-For`` or ``X-Real-IP``) is judged by the client's address only when
``QINGDAN_BEHIND_PROXY`` is on, else only by the token: nginx on the same machine would otherwise make every
visitor look like loopback.
"""

import hmac
import ipaddress
import logging
import os

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe
from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from qingdan.boundary import client_address

log = logging.getLogger(__name__)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")

disable_created_metrics()  # the *_created series only double the page

# This module's own registry, not prometheus_client's global one: nothing else ends up on the page by accident.
REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "qingdan_http_requests",
    "HTTP requests answered, by URL pattern name, method and status.",
    ["view", "method", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "qingdan_http_request_duration_seconds",
    "Time from the first middleware to the answer, by URL pattern name.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)

_collectors = []


def register_collector(fn):
    """Adds ``fn`` to what every scrape reads: called with no argument, it returns (or yields) metric families,
    e.g. built with ``gauge``. Registering the same function twice keeps one. Returns ``fn`` (a decorator too)."""
    if fn not in _collectors:
        _collectors.append(fn)
    return fn


def unregister_collector(fn):
    if fn in _collectors:
        _collectors.remove(fn)


def gauge(name, documentation, labels, samples):
    """A gauge family for a collector: ``samples`` maps a tuple of label values to a number (or is a number when
    there are no labels)."""
    family = GaugeMetricFamily(name, documentation, labels=labels or None)
    if not labels:
        family.add_metric([], samples)
    else:
        for values, number in sorted(samples.items()):
            family.add_metric([str(v) for v in values], number)
    return family


def observe_request(*, view, method, status, seconds):
    """Counts one answered request (``qingdan.logs.RequestIdMiddleware`` calls it for every request)."""
    REQUESTS.labels(view=view, method=method if method in METHODS else "other", status=str(status)).inc()
    LATENCY.labels(view=view).observe(seconds)


def queue_length_figures():
    """The job queue's length, when a Redis broker is configured (read with the health check's bounded timeout)."""
    from qingdan import health

    length = health.queue_length()
    if length is not None:
        yield gauge("qingdan_job_queue_length", "Tasks waiting in the job queue (Redis LLEN).", [], length)


register_collector(queue_length_figures)


class _Registered:
    """The registered functions as one prometheus_client collector."""

    def collect(self):
        for fn in list(_collectors):
            try:
                families = list(fn() or ())
            except Exception:
                log.exception("The metrics collector %s failed; it is left out of this scrape.", fn.__qualname__)
                continue
            yield from families


class _Requests:
    def collect(self):
        yield from REGISTRY.collect()


def exposition():
    """The metrics page's text: the request metrics (of every worker in multiprocess mode) and the collectors'."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Requests())
    registry.register(_Registered())
    return generate_latest(registry)


def may_read_metrics(request):
    token = settings.QINGDAN_METRICS_TOKEN
    offered = request.META.get("HTTP_AUTHORIZATION", "")
    if token and offered.startswith("Bearer ") and hmac.compare_digest(offered[7:].strip(), token):
        return True
    if not settings.QINGDAN_BEHIND_PROXY and any(request.META.get(header) for header in PROXY_HEADERS):
        return False
    address = client_address(request)
    if address is None:
        return False
    address = ipaddress.ip_address(address)
    return any(address in network for network in settings.QINGDAN_METRICS_ALLOW)


@require_safe
def metrics_view(request):
    if not may_read_metrics(request):
        raise Http404
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
