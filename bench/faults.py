"""Fault tests: kill and restart the parts of a deployment under load, N times each, and check what is left.

Run from the project root:  .venv/bin/python bench/faults.py [--runs 20] [--only NAME ...] [--fresh]

It sets up once a PostgreSQL database ``qingdan_faults`` (migrate + load_demo; kept for the next run unless
--fresh), starts what each scenario needs with deployed settings (``QINGDAN_DEBUG=false``, bench.settings as
bench/http_bench.py does) on the loopback ports 8690-8699, and runs the scenarios one after the other:

  appkill   kill -9 of one of two gunicorn instances mid-request (evidence uploads and page views in flight)
  jobkill   kill -9 of the Celery worker mid-job, a new worker started: the job redelivered, run exactly once
  redis     the broker's own Redis (port 8699) stopped and started again while a job is started through the page
  disk      a full 2 MB tmpfs as the media root while a signed-in user uploads evidence
  postgres  the machine's PostgreSQL restarted while pages are read (only when no test run uses PostgreSQL)

Each prints runs, passed, failed and the recovery time (median, max); each failed run says what it saw. Only
127.0.0.1 is contacted, every loop is bounded in count and time, and every process, the tmpfs and the Redis
server it started are stopped at the end in every case. The scenarios' helpers are in bench/fault_parts.py
and bench/fault_outages.py.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import fault_outages as outages  # noqa: E402
from bench import fault_parts as parts  # noqa: E402

SCENARIOS = ("appkill", "jobkill", "redis", "disk", "postgres")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Fault tests of the app servers, the jobs, Redis, the disk and PostgreSQL."
    )
    parser.add_argument("--runs", type=int, default=20, help="runs of each scenario (default 20)")
    parser.add_argument(
        "--only", nargs="+", choices=SCENARIOS, metavar="NAME", help="run only these: " + ", ".join(SCENARIOS)
    )
    parser.add_argument(
        "--own-postgres",
        action="store_true",
        help="restart a PostgreSQL server of the harness's own (port 8698) instead of the machine's shared one",
    )
    parser.add_argument("--fresh", action="store_true", help="drop and load the database again")
    return parser.parse_args(argv)


class Result:
    def __init__(self, name):
        self.name, self.runs, self.failures, self.recoveries, self.notes = name, 0, [], [], []
        self.skipped = ""

    def add(self, problems, recovery=None):
        self.runs += 1
        if problems:
            self.failures.append(f"run {self.runs}: " + "; ".join(problems))
        if recovery is not None:
            self.recoveries.append(recovery)
        state = "FAIL " + "; ".join(problems) if problems else "ok"
        timing = f" recovery {recovery:.2f} s" if recovery is not None else ""
        print(f"  [{self.name} {self.runs}] {state}{timing}", flush=True)

    def line(self):
        if self.skipped:
            return f"{self.name:9} skipped: {self.skipped}"
        rec = self.recoveries
        timing = f"{statistics.median(rec):6.2f} s {max(rec):6.2f} s" if rec else "     —        —"
        passed = self.runs - len(self.failures)
        return f"{self.name:9} {self.runs:4} {passed:6} {len(self.failures):6}   {timing}"


# --- 1. kill -9 of an app server mid-request ------------------------------------------------------------------


def scenario_appkill(ctx, runs, result):
    """Two gunicorn instances of one worker each, three clients sending each request to the next instance
    (GET of an item, POST of a new evidence file to it); one instance's worker is killed while they run."""
    ports = (parts.PORTS["app_a"], parts.PORTS["app_b"])
    servers = [parts.start_gunicorn(ctx.env(), port, workers=1, name=f"app{i}") for i, port in enumerate(ports)]
    try:
        for server, port in zip(servers, ports, strict=True):
            parts.wait_ready(server, port)
        clients = [parts.signed_in(ports[0], "reporter") for _ in range(3)]
        for run in range(runs):
            victim_index = run % 2
            victim, survivor = servers[victim_index], servers[1 - victim_index]
            load = parts.Load(clients, ports, ctx.item_pk, tag=f"a{run}-{time.time_ns()}")
            load.start()
            time.sleep(1.0)
            worker = parts.wait_worker(victim.pid)
            mid_post = load.post_in_flight(ports[victim_index])
            killed_at = time.monotonic()
            os.kill(worker, signal.SIGKILL)
            recovery = parts.time_until_200(ports[victim_index], since=killed_at, limit=60)
            time.sleep(0.5)
            load.stop()
            problems = parts.check_uploads(ctx, load.posts)
            survivor_port = ports[1 - victim_index]
            bad = [r for r in load.log if r.port == survivor_port and r.at > killed_at and not r.ok]
            if bad:
                problems.append(f"the surviving server failed {len(bad)} requests ({bad[0].outcome})")
            if survivor.poll() is not None:
                problems.append("the surviving gunicorn exited")
            new_worker = parts.wait_worker(victim.pid, not_pid=worker, limit=5)
            if new_worker is None:
                problems.append("gunicorn's master did not start a new worker")
            if recovery is None:
                problems.append("the killed instance did not answer 200 within 60 s")
            cut = [p for p in load.posts if not p.ok]
            left = ["nothing" if ctx.upload_rows(p.name)[0] == 0 else "all its rows" for p in cut]
            where = "while it served a POST" if mid_post else "with no POST seen being served"
            result.notes.append(f"killed {where}; POSTs without an answer: {len(cut)}, which left {left or '-'}")
            result.add(problems, recovery)
    finally:
        for server in servers:
            parts.stop(server)


# --- 2. kill -9 of a Celery worker mid-job --------------------------------------------------------------------


def scenario_jobkill(ctx, runs, result):
    """The harness's own job kind ``faults.rows`` (var/faults/lib/faultjobs, never in the app) inserts
    ROWS rows in BATCHES steps over about 4 s in the job's one transaction. The worker (main process and its pool
    child) is killed with SIGKILL half-way, a new worker is started at once."""
    env = ctx.env(broker=parts.SHARED_BROKER, settings="faults_settings")
    parts.purge_queue(parts.SHARED_BROKER)
    worker = parts.start_worker(env, "jobkill-0")
    try:
        parts.wait_worker_ready("jobkill-0")
        for run in range(runs):
            problems, recovery = [], None
            job = ctx.start_rows_job(f"run{run}-{time.time_ns()}")
            running = parts.wait_for(lambda job=job: ctx.job_progress(job.pk) > 0, limit=30)
            if not running:
                problems.append("the job did not start within 30 s")
                result.add(problems)
                continue
            time.sleep(1.0)
            seen_before = ctx.rows_of(job.pk)
            parts.kill_group(worker)
            killed_at = time.monotonic()
            worker = parts.start_worker(env, f"jobkill-{run + 1}")
            samples, partial = 0, set()
            deadline = killed_at + 120
            while time.monotonic() < deadline:
                count, status = ctx.rows_of(job.pk), ctx.job_status(job.pk)
                samples += 1
                if count not in (0, parts.ROWS):
                    partial.add(count)
                if status in ("succeeded", "failed"):
                    recovery = time.monotonic() - killed_at
                    break
                time.sleep(0.1)
            if seen_before:
                problems.append(f"{seen_before} rows were visible while the job ran (not one transaction)")
            if partial:
                problems.append(f"partial row counts seen after the kill: {sorted(partial)[:5]}")
            final = ctx.job(job.pk)
            if final.status != "succeeded":
                problems.append(f"the job is {final.status} 120 s after the kill ({final.message[:80]})")
            # The same message again (a duplicate delivery): a finished job must not run twice.
            parts.send_again(job.pk)
            time.sleep(2.0)
            rows, attempts = ctx.rows_of(job.pk), ctx.job(job.pk).attempts
            if rows != parts.ROWS:
                problems.append(f"{rows} rows after success and a duplicate message, not {parts.ROWS}")
            if attempts != 2:
                problems.append(f"the job ran {attempts} times, not twice (killed once, redelivered once)")
            result.add(problems, recovery)
    finally:
        parts.kill_group(worker)
        parts.purge_queue(parts.SHARED_BROKER)


# --- 4. Redis restarted ---------------------------------------------------------------------------------------


def scenario_redis(ctx, runs, result):
    """Two gunicorn instances (one worker each) and a Celery worker on the harness's own redis-server (port 8699):
    ``full`` keeps its cache and sessions there too (as deploy/local.sh does), ``broker`` only its job queue.
    Each run stops Redis, asks both /healthz/, starts the assessment compute through its page as the office on
    both, starts Redis again, and waits for /healthz/ and for the jobs made during the outage."""
    redis_server = outages.start_redis()
    ports = {"full": parts.PORTS["redis_app"], "broker": parts.PORTS["broker_app"]}
    envs = {
        "full": ctx.env(broker=parts.OWN_BROKER, redis=parts.OWN_CACHE),
        "broker": ctx.env(broker=parts.OWN_BROKER),
    }
    servers = {
        name: parts.start_gunicorn(envs[name], port, workers=1, name=f"redis-{name}") for name, port in ports.items()
    }
    worker = parts.start_worker(envs["broker"], "redis-w")
    try:
        for name, port in ports.items():
            parts.wait_ready(servers[name], port)
        parts.wait_worker_ready("redis-w")
        for run in range(runs):
            problems, recoveries = [], []
            sessions = {name: parts.signed_in(port, "office") for name, port in ports.items()}
            outages.stop_redis(redis_server)
            outage = {}
            for name, port in ports.items():
                status, body = parts.get_json(port, "/healthz/")
                failed = {n for n, c in (body or {}).get("checks", {}).items() if c.get("status") == "fail"}
                if status != 503 or not failed & {"queue", "redis"}:
                    problems.append(
                        f"{name}: /healthz/ answered {status} with failed checks {sorted(failed)} while Redis was down"
                    )
                before = ctx.job_ids("scoring.compute")
                page = outages.post_compute(sessions[name], ctx.round_pk, f"fault run {run} {name} {time.time_ns()}")
                made = ctx.job_ids("scoring.compute") - before
                outage[name] = (page, made)
                result.notes.append(
                    f"{name}: compute POST during the outage: {page.outcome} in {page.seconds:.1f} s, "
                    f"{'the page says it failed' if page.says_failed else 'no failure shown'}, jobs made {len(made)}"
                )
                if page.seconds > 15:
                    problems.append(f"{name}: the compute page took {page.seconds:.1f} s while Redis was down")
                if page.traceback:
                    problems.append(f"{name}: the page showed a traceback")
            redis_server = outages.start_redis()
            restarted_at = time.monotonic()
            for name, port in ports.items():
                recovery = parts.time_until_200(port, since=restarted_at, path="/healthz/", limit=60)
                if recovery is None:
                    problems.append(f"{name}: /healthz/ did not answer 200 within 60 s of Redis coming back")
                else:
                    recoveries.append(recovery)
            for name, (page, made) in outage.items():
                for job_id in made:
                    status_now = outages.wait_job_done(ctx, job_id, limit=15)
                    if status_now not in ("succeeded", "failed"):
                        problems.append(
                            f"{name}: the job made during the outage is still {status_now} 15 s after Redis came back"
                        )
                    elif status_now == "failed" and not page.says_failed:
                        problems.append(f"{name}: the job failed but the page did not say so")
                if not made and not page.says_failed:
                    problems.append(
                        f"{name}: no job was made and the page ({page.outcome}, {page.snippet}) does not say why"
                    )
            result.add(problems, max(recoveries) if len(recoveries) == len(ports) else None)
    finally:
        for server in servers.values():
            parts.stop(server)
        parts.kill_group(worker)
        outages.stop_redis(redis_server)


# --- 5. a full disk while uploading ---------------------------------------------------------------------------


def scenario_disk(ctx, runs, result):
    """gunicorn with QINGDAN_MEDIA_ROOT on a 2 MB tmpfs; each run fills it and uploads a 200 kB PDF to an item as
    its unit's reporter, then frees it and uploads again (the recovery time is until that upload succeeds)."""
    mount = outages.mount_tmpfs()
    port = parts.PORTS["disk_app"]
    server = parts.start_gunicorn(ctx.env(media=mount), port, workers=1, name="disk-app")
    try:
        parts.wait_ready(server, port)
        client = parts.signed_in(port, "reporter")
        for run in range(runs):
            problems = []
            before = ctx.item_state()
            outages.fill(mount)
            files_before = outages.files_in(mount)
            tag = f"d{run}-{time.time_ns()}"
            post = parts.post_evidence(client, port, ctx.item_pk, tag, size=200_000)
            # A refusal goes back to the item's page with its message in red (the page the redirect leads to).
            if post.status in (302, 303) and not post.says_failed:
                problems.append(f"the upload answered {post.status} as if it succeeded on a full disk")
            if post.traceback:
                problems.append("the page showed a traceback")
            if post.status is None:
                problems.append(f"no answer: {post.outcome}")
            elif post.status not in (302, 303) and not post.clear:
                problems.append(f"the page ({post.status}, {post.snippet}) does not say what went wrong")
            problems += outages.orphans(ctx, tag, before)
            left = outages.files_in(mount) - files_before
            if left:
                sizes = ", ".join(f"{name} ({size} bytes)" for name, size in sorted(left)[:3])
                problems.append(f"orphan files left on the disk: {sizes}")
            freed_at = time.monotonic()
            outages.empty(mount)
            again = parts.post_evidence(client, port, ctx.item_pk, tag + "-again", size=200_000)
            recovery = time.monotonic() - freed_at if again.status in (302, 303) else None
            if recovery is None:
                problems.append(f"the upload after freeing space answered {again.outcome}")
            result.notes.append(f"full-disk upload: {post.outcome}")
            result.add(problems, recovery)
    finally:
        parts.stop(server)
        outages.unmount(mount)


# --- 3. PostgreSQL restarted ----------------------------------------------------------------------------------


def scenario_postgres(ctx, runs, result, own=False):
    """gunicorn (2 workers) with two clients reading the item list as the office and a probe of /healthz/;
    the machine's PostgreSQL is restarted (pg_ctlcluster) while they run (with --own-postgres: a server of the
    harness's own on port 8698, a copy of the database)."""
    busy = "" if own else outages.postgres_in_use()
    if busy:
        result.skipped = busy
        print(f"  [postgres] skipped: {busy}", flush=True)
        return
    port = parts.PORTS["pg_app"]
    env = ctx.env()
    if own:
        env["QINGDAN_DATABASE_URL"] = outages.start_own_postgres()
    server = parts.start_gunicorn(env, port, workers=2, name="pg-app")
    try:
        parts.wait_ready(server, port)
        clients = [parts.signed_in(port, "office") for _ in range(2)]
        for run in range(runs):
            busy = "" if own else outages.postgres_in_use()
            if busy:
                result.skipped = f"stopped after {run} runs: {busy}"
                break
            problems = []
            reads = outages.Reads(clients, port)
            reads.start()
            time.sleep(1.0)
            ctx.close()
            restart_at = time.monotonic()
            outage = outages.restart_postgres(port, own=own)
            recovery = parts.time_until_200(port, since=outage.back_at, path="/healthz/", limit=60)
            time.sleep(1.0)
            reads.stop()
            problems += outage.problems
            slow = [r for r in reads.log if r.seconds > 15]
            if slow:
                problems.append(f"{len(slow)} requests took over 15 s")
            tracebacks = [r for r in reads.log if r.traceback]
            if tracebacks:
                problems.append(f"{len(tracebacks)} answers showed a traceback")
            late = [r for r in reads.log if r.at > outage.back_at + (recovery or 0) + 2 and not r.ok]
            if late:
                problems.append(
                    f"{len(late)} requests failed more than 2 s after /healthz/ recovered ({late[0].outcome})"
                )
            if recovery is None:
                problems.append("/healthz/ did not answer 200 within 60 s")
            failed = sorted({r.outcome for r in reads.log if not r.ok})
            result.notes.append(f"outage answers: {failed}, /healthz/ during the outage: {outage.health}")
            during = [r for r in reads.log if restart_at <= r.at <= outage.back_at]
            result.notes.append(
                f"restart took {outage.seconds:.0f} s; {sum(not r.ok for r in during)} of {len(during)} reads in it "
                f"failed, the slowest answer {max((r.seconds for r in reads.log), default=0):.1f} s"
            )
            result.add(problems, recovery)
    finally:
        parts.stop(server)
        if own:
            outages.stop_own_postgres()


def main(argv=None):
    args = parse_args(argv)
    chosen = [name for name in SCENARIOS if not args.only or name in args.only]
    started = parts.now_text()
    ctx = parts.Context.prepare(fresh=args.fresh)
    print(f"fault tests, {args.runs} runs each, started {started}, load average {parts.load()}", flush=True)
    results = []
    functions = {
        "appkill": scenario_appkill,
        "jobkill": scenario_jobkill,
        "redis": scenario_redis,
        "disk": scenario_disk,
        "postgres": scenario_postgres,
    }
    try:
        for name in chosen:
            result = Result(name)
            results.append(result)
            print(f"{name}: {functions[name].__doc__.split(chr(10))[0]}", flush=True)
            try:
                if name == "postgres":
                    scenario_postgres(ctx, args.runs, result, own=args.own_postgres)
                else:
                    functions[name](ctx, args.runs, result)
            except parts.HarnessError as error:
                result.skipped = result.skipped or f"harness error after {result.runs} runs: {error}"
                print(f"  [{name}] {result.skipped}", flush=True)
    finally:
        parts.cleanup()
    print(f"\nfinished {parts.now_text()}, load average {parts.load()}")
    print("scenario  runs passed failed   recovery median    max")
    for result in results:
        print(result.line())
    for result in results:
        for failure in result.failures[:5]:
            print(f"  {result.name} {failure}")
        for note, count in sorted(Counter(result.notes).items()):
            print(f"  {result.name} note ({count}x): {note}")
    return 1 if any(r.failures for r in results) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        parts.cleanup()
        sys.exit(2)
    except subprocess.SubprocessError as error:
        parts.cleanup()
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
