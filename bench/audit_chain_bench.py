"""Audit chain benchmark: what chaining the audit trail costs record() on PostgreSQL.

Run from the project root:  .venv/bin/python bench/audit_chain_bench.py [--records 2000] [--threads 4]

It (re)creates its own database (default qingdan_audit_bench on 127.0.0.1), migrates it, and times in the
same process, alternating rounds so that a neighbour's load falls on both sides alike:

  chained    audit.services.record(): the transaction-level advisory lock, the head's hash read, SHA-256
             over the canonical row, the insert
  unchained  the same columns inserted as record() did before the chain (one INSERT)

each in a transaction of its own, as an action's record is; first one writer at a time (the cost each record
pays), then ``--threads`` writers at once (the lock makes them take turns to the end of each transaction).
It prints records per second and the ratio unchained ÷ chained, then checks that no two chained rows follow the
same row (the chain did not fork; the unchained rows, with no hash, break it on purpose).
Only 127.0.0.1 (or the --database URL) is contacted.
"""

import argparse
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import pg  # noqa: E402 - needs the path above
from bench.pg import prepare_database  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/qingdan_audit_bench"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=2000, help="records per side and round (default 2000)")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="writers at once in the concurrent part (default 4)")
    parser.add_argument("--database", default=DEFAULT_URL, help=f"PostgreSQL URL (default {DEFAULT_URL})")
    args = parser.parse_args()
    if args.records < 1 or args.rounds < 1 or args.threads < 1:
        parser.error("--records, --rounds and --threads must be at least 1")
    return args


def setup_django(url):
    os.environ["QINGDAN_DATABASE_URL"] = url
    os.environ["QINGDAN_DEBUG"] = "true"
    os.environ["DJANGO_SETTINGS_MODULE"] = "qingdan.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def writers(unit):
    """The two sides: one record each, in a transaction of its own."""
    from django.db import transaction

    from audit.models import AuditEvent, Result
    from audit.services import fields, record

    arguments = {
        "action": "bench.record",
        "actor": None,
        "obj": None,
        "object_type": "orgs.orgunit",
        "object_id": str(unit.pk),
        "org_unit": unit,
        "result": Result.SUCCESS,
        "before": {"status": "applied"},
        "after": {"status": "closed", "satisfaction": 0.875},
        "message": "",
        "request": None,
        "actor_username": "bench",
    }

    def chained():
        with transaction.atomic():
            record(**arguments)

    def unchained():
        with transaction.atomic():
            AuditEvent(**fields(**arguments)).save(force_insert=True)

    return {"chained": chained, "unchained": unchained}


def one_writer(write, count):
    begin = time.perf_counter()
    for _ in range(count):
        write()
    return count / (time.perf_counter() - begin)


def many_writers(write, count, threads):
    from django.db import connections

    share = max(1, count // threads)
    barrier = threading.Barrier(threads + 1)
    failures = []

    def work():
        try:
            write()  # connect before the clock starts
            barrier.wait()
            for _ in range(share):
                write()
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    begin = time.perf_counter()
    for thread in pool:
        thread.join()
    seconds = time.perf_counter() - begin
    if failures:
        raise pg.BenchError(f"a writer failed: {failures[0]!r}")
    return share * threads / seconds


def measure(label, sides, rounds, run):
    rates = {name: [] for name in sides}
    for i in range(rounds):
        order = list(sides.items()) if i % 2 == 0 else list(reversed(sides.items()))
        for name, write in order:
            rates[name].append(run(write))
    chained, unchained = statistics.median(rates["chained"]), statistics.median(rates["unchained"])
    by_round = ", ".join(f"{u / c:.2f}×" for c, u in zip(rates["chained"], rates["unchained"], strict=True))
    print(
        f"{label:24}{unchained:12.0f}{chained:12.0f}{unchained / chained:10.2f}×   by round: {by_round}",
    )
    return unchained / chained


def run(args):
    name = prepare_database(args.database, keep=False)
    setup_django(args.database)
    from django.db import connection

    from orgs import services
    from orgs.models import OrgKind, OrgUnit
    from qingdan.actors import SYSTEM

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"Audit chain benchmark · database {name} · PostgreSQL {version}")
    print(f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, load average {load}")
    unit = OrgUnit(code="B1", name="基准县总工会", kind=OrgKind.COUNTY)
    services.save_unit(unit=unit, actor=SYSTEM)
    sides = writers(unit)
    for write in sides.values():  # warm up: imports, plans, the connection
        one_writer(write, 100)

    print(f"\n{'records per second':24}{'unchained':>12}{'chained':>12}{'ratio':>11}   ({args.rounds} rounds, median)")
    alone = measure("one writer", sides, args.rounds, lambda write: one_writer(write, args.records))
    together = measure(
        f"{args.threads} writers at once",
        sides,
        args.rounds,
        lambda write: many_writers(write, args.records, args.threads),
    )
    print(
        f"\nChaining costs record() {alone:.2f}× the time of a plain insert with one writer, "
        f"{together:.2f}× in throughput with {args.threads} at once."
    )
    from django.db.models import Count

    from audit.models import AuditEvent

    chained = AuditEvent.objects.exclude(hash="")
    forks = chained.exclude(prev_hash="").values("prev_hash").annotate(n=Count("id")).filter(n__gt=1).count()
    print(f"{chained.count():,} chained rows; rows following the same row: {forks}")
    return 0 if forks == 0 else 1


if __name__ == "__main__":
    sys.exit(pg.main(run, parse_args))
