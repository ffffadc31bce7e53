"""Audit chain benchmark: what sealing the audit trail costs record() on PostgreSQL.

Run from the project root:  .venv/bin/python bench/audit_chain_bench.py [--records 2000] [--threads 4]

It (re)creates its own database (default qingdan_audit_bench on 127.0.0.1), migrates it, and times in the
same process, alternating rounds so that a neighbour's load falls on both sides alike:

  sealed  audit.services.record() as the platform calls it: the insert in the business transaction, then,
          once that has committed, the seal pass in a short transaction of its own (the advisory lock, the
          head, the events with no seal, SHA-256 over each, the seals' insert, its commit)
  plain   the same columns inserted as record() did before the chain (one INSERT, no seal)

each in a transaction of its own, as an action's record is; first one writer at a time (the cost each record
pays), then ``--threads`` writers at once (their seal passes take turns under the lock; their business
transactions do not). The plain rows are sealed after each of their rounds, untimed, so that the sealed side
does not pay for them. It prints records per second and the ratio plain ÷ sealed, then walks the chain
(``audit.chain.verify``) and checks that no two seals follow the same seal (the chain did not fork).
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

    def sealed():
        with transaction.atomic():
            record(**arguments)
        # the seal pass has run here, on commit

    def plain():
        with transaction.atomic():
            AuditEvent(**fields(**arguments)).save(force_insert=True)

    return {"sealed": sealed, "plain": plain}


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
    from audit import chain

    rates = {name: [] for name in sides}
    for i in range(rounds):
        order = list(sides.items()) if i % 2 == 0 else list(reversed(sides.items()))
        for name, write in order:
            rates[name].append(run(write))
            if name == "plain":
                chain.seal_pending()  # untimed: the plain rows are not the sealed side's work
    sealed, plain = statistics.median(rates["sealed"]), statistics.median(rates["plain"])
    by_round = ", ".join(f"{p / s:.2f}×" for s, p in zip(rates["sealed"], rates["plain"], strict=True))
    print(
        f"{label:24}{plain:12.0f}{sealed:12.0f}{plain / sealed:10.2f}×   by round: {by_round}",
    )
    return plain / sealed


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

    print(f"\n{'records per second':24}{'plain':>12}{'sealed':>12}{'ratio':>11}   ({args.rounds} rounds, median)")
    alone = measure("one writer", sides, args.rounds, lambda write: one_writer(write, args.records))
    together = measure(
        f"{args.threads} writers at once",
        sides,
        args.rounds,
        lambda write: many_writers(write, args.records, args.threads),
    )
    print(
        f"\nSealing costs record() {alone:.2f}× the time of a plain insert with one writer, "
        f"{together:.2f}× in throughput with {args.threads} at once."
    )
    from django.db.models import Count

    from audit import chain
    from audit.models import AuditEvent, AuditSeal

    verdict = chain.check()
    forks = AuditSeal.objects.values("prev_hash").annotate(n=Count("seq")).filter(n__gt=1).count()
    unsealed = AuditEvent.objects.count() - verdict.count
    print(
        f"{verdict.count:,} events sealed; seals following the same seal: {forks}; "
        f"{'the chain holds' if verdict.broken is None else f'broken at {verdict.broken}'}; unsealed: {unsealed}"
    )
    return 0 if forks == 0 and verdict.broken is None and unsealed == 0 else 1


if __name__ == "__main__":
    sys.exit(pg.main(run, parse_args))
