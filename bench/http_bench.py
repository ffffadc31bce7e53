"""HTTP benchmark: the busiest pages against two baselines, a bare Django view and a 20-row ORM page.

Run from the project root:  .venv/bin/python bench/http_bench.py [--requests N] [--seconds S] [--only NAME ...]

It builds a fresh SQLite database in var/bench/ (migrate + load_demo), serves the
project with one gunicorn command on a free loopback port, and sends the same
bounded number of GET requests to each target from a few keep-alive clients:

  bare           /bench/bare/   a 20-row HTML table, no template, no database (bench/urls.py)
  orm            /bench/orm/    20 org units read through the ORM, rendered by a small template
  log-in page    /login/        anonymous, as a first visit
  home · office  /              the workbench of the demo user "office"
  home · report. /              the workbench of the demo user "reporter"
  item list      /lists/items/  office
  figures        /lists/figures/ office
  results        /assessment/rounds/N/results/  office, the demo's published round
  overview       /overview/     leader

Each target gets requests/s and p50/p99 latency, and every page is printed as
ratios to the ORM page and to the bare view measured in the same run: on a
shared, noisy machine only the ratios mean anything. Only 127.0.0.1 is contacted, every loop is
bounded in count and in time, and the server is stopped at the end in every case.
Uses only the standard library (the server side needs the project's .venv).
"""

import argparse
import base64
import http.client
import importlib.metadata
import json
import math
import os
import platform
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
DB = VAR / "bench.sqlite3"
LOG = VAR / "gunicorn.log"
KEYS = VAR / "keys.json"  # the secret and data keys the database was loaded with, for --keep
HOST = "127.0.0.1"
# The demo users the targets sign in as, with the name the top bar shows them (orgs/demo.py).
DEMO_USERS = {"office": "程华", "reporter": "孙丽娟", "leader": "张文斌"}
GOAL = 0.5  # the signed-in pages' throughput goal, as a ratio to the ORM page
DEMO_PASSWORD = "Qingdan@2026"  # the documented demo password (orgs/demo.py), or $QINGDAN_DEMO_PASSWORD
SOCKET_TIMEOUT = 10.0
READY_TIMEOUT = 30.0
WARMUP_CAP = 30.0  # seconds per target


class BenchError(Exception):
    """Setting up or running the benchmark failed; the message says why."""


@dataclass
class Target:
    name: str
    path: str
    marker: bytes  # the response body must contain this
    user: str = ""  # the demo user whose session the requests carry; "" for anonymous
    latencies: list = field(default_factory=list)  # seconds, successful measured requests only
    elapsed: float = 0.0  # wall time of the measured phases
    errors: Counter = field(default_factory=Counter)
    capped: bool = False  # a phase stopped at the time cap before its request count
    round_rates: list = field(default_factory=list)

    @property
    def rate(self):
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


ROUND_PATH = "/assessment/rounds/{round}/results/"  # filled in with the demo's published round

TARGETS = [
    Target("bare", "/bench/bare/", b"</table>"),
    Target("orm", "/bench/orm/", b"</table>"),
    Target("log-in page", "/login/", b'name="csrfmiddlewaretoken"'),
    Target("home·office", "/", b'data-testid="inbox"', user="office"),
    Target("home·reporter", "/", b'data-testid="unit-items"', user="reporter"),
    Target("item list", "/lists/items/", b'data-testid="items"', user="office"),
    Target("figures", "/lists/figures/", b'data-testid="figure-cards"', user="office"),
    Target("results", ROUND_PATH, b'data-testid="result-cards"', user="office"),
    Target("overview", "/overview/", b'data-testid="overview-cards"', user="leader"),
]
BASELINES = ("bare", "orm")


class Client:
    """One HTTP/1.1 connection to the server (reopened whenever the server closes it) and its cookies."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=SOCKET_TIMEOUT)
        self.cookies = {}
        self.connects = 0
        self.requests = 0

    def request(self, method, path, body=None, headers=None):
        sent = {"Accept": "text/html", "User-Agent": "qingdan-bench"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        sent.update(headers or {})
        if self.conn.sock is None:
            self.connects += 1
        self.requests += 1
        try:
            self.conn.request(method, path, body=body, headers=sent)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise
        return response.status, response.headers, data

    def keep_cookies(self, headers):
        for line in headers.get_all("Set-Cookie") or []:
            try:
                jar = SimpleCookie(line)
            except CookieError:
                continue
            for name, morsel in jar.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)

    def close(self):
        self.conn.close()


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Requests/s and p50/p99 latency of the busiest pages, as ratios to a 20-row ORM page and a bare view."
    )

    def bounded(kind, low, high):
        def convert(text):
            value = kind(text)
            if not low <= value <= high:
                raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
            return value

        return convert

    parser.add_argument(
        "--requests", type=bounded(int, 1, 1_000_000), default=2000, help="measured requests per target (default 2000)"
    )
    parser.add_argument(
        "--seconds",
        type=bounded(float, 1, 3600),
        default=120.0,
        help="time cap for the measured requests of one target (default 120)",
    )
    parser.add_argument(
        "--warmup",
        type=bounded(int, 0, 100_000),
        default=100,
        help="unmeasured requests per target before measuring (default 100)",
    )
    parser.add_argument("--clients", type=bounded(int, 1, 64), default=4, help="concurrent clients (default 4)")
    parser.add_argument(
        "--rounds",
        type=bounded(int, 1, 100),
        default=4,
        help="the requests are split into rounds that alternate the targets (default 4)",
    )
    parser.add_argument("--workers", type=bounded(int, 1, 32), default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--port", type=bounded(int, 0, 65535), default=0, help="loopback port (default: a free one)")
    parser.add_argument(
        "--redis",
        metavar="URL",
        default="",
        help="serve with QINGDAN_REDIS_URL=URL, as in production: cache and sessions in Redis, busy pages kept "
        "between requests (qingdan/pagecache.py); default: no Redis, nothing kept",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="reuse the database of the last complete preparation (and its keys) instead of loading the demo again",
    )
    names = [t.name for t in TARGETS if t.name not in BASELINES]
    parser.add_argument(
        "--only",
        nargs="+",
        choices=names,
        metavar="NAME",
        help="measure only these pages (the two baselines always run): " + ", ".join(names),
    )
    return parser.parse_args(argv)


def new_keys():
    return {
        "QINGDAN_SECRET_KEY": secrets.token_urlsafe(50),
        "QINGDAN_DATA_KEYS": "b1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "QINGDAN_LOOKUP_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def server_env(keys, redis=""):
    """The environment of manage.py and gunicorn: deployed settings (DEBUG off), plain HTTP, the bench database;
    with ``redis``, the cache and sessions of production under a key prefix of this run's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGDAN_") or k == "QINGDAN_DEMO_PASSWORD"}
    env.update(
        keys,
        DJANGO_SETTINGS_MODULE="bench.settings",
        QINGDAN_DEBUG="false",
        QINGDAN_DATABASE_URL=f"sqlite:///{DB}",
        QINGDAN_ALLOWED_HOSTS=HOST,
        QINGDAN_SECURE_SSL_REDIRECT="false",
        QINGDAN_LOG_LEVEL="WARNING",
    )
    if redis:
        env.update(QINGDAN_REDIS_URL=redis, QINGDAN_CACHE_PREFIX=f"bench-{secrets.token_hex(4)}")
    return env


def prepare_database(env):
    VAR.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    KEYS.unlink(missing_ok=True)
    for command in (["migrate", "--noinput"], ["load_demo"]):
        try:
            done = subprocess.run(
                [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800
            )
        except subprocess.TimeoutExpired:
            raise BenchError(
                f"manage.py {' '.join(command)} took more than 30 minutes: is the machine overloaded?"
            ) from None
        if done.returncode:
            raise BenchError(f"manage.py {' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def published_round():
    """The id of the demo's published assessment round (the last one, should there be several)."""
    with sqlite3.connect(DB) as db:
        row = db.execute("SELECT max(id) FROM scoring_round WHERE status = 'published'").fetchone()
    if not row or row[0] is None:
        raise BenchError("the demo has no published assessment round")
    return row[0]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def gunicorn_args(workers, port):
    return ["--workers", str(workers), "--bind", f"{HOST}:{port}", "bench.wsgi:application"]


def start_server(env, workers, port):
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        *gunicorn_args(workers, port),
        "--log-level",
        "warning",
        "--timeout",
        "30",
        "--graceful-timeout",
        "5",
    ]
    with open(LOG, "wb") as log:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop_server(server):
    if server.poll() is not None:
        return
    server.terminate()  # gunicorn's arbiter stops its workers on SIGTERM
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # the session started for this server only
        server.wait(timeout=5)


def log_tail(lines=20):
    try:
        return "\n".join(LOG.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_until_ready(server, port):
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with status {server.returncode}:\n{log_tail()}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            try:
                conn.request("GET", "/bench/bare/")
                response = conn.getresponse()
                response.read()
            finally:
                conn.close()
        except OSError:
            time.sleep(0.2)
            continue
        if response.status != 200:
            raise BenchError(f"GET /bench/bare/ answered {response.status}, not 200:\n{log_tail()}")
        return
    raise BenchError(f"gunicorn did not answer on {HOST}:{port} within {READY_TIMEOUT:.0f} s:\n{log_tail()}")


def sign_in(client, user, password):
    """Log in through the real form (CSRF cookie and hidden field), keeping the session cookie."""
    status, headers, body = client.request("GET", "/login/")
    client.keep_cookies(headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or token is None or "csrftoken" not in client.cookies:
        raise BenchError(f"GET /login/ answered {status} without a CSRF cookie and field")
    form = {"csrfmiddlewaretoken": token.group(1).decode(), "username": user, "password": password, "next": ""}
    status, headers, body = client.request(
        "POST", "/login/", body=urlencode(form), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    client.keep_cookies(headers)
    if status not in (302, 303) or "sessionid" not in client.cookies:
        raise BenchError(f"log-in as {user} failed: POST /login/ answered {status}")
    status, _headers, body = client.request("GET", "/")
    name = DEMO_USERS[user]
    if status != 200 or name.encode() not in body:
        raise BenchError(f"signed in as {user}, but GET / answered {status} without {name}")


def run_phase(clients, target, count, seconds, record):
    """Send ``count`` GETs to the target from all clients at once, stopping early after ``seconds``.

    Returns the successful latencies (seconds), the wall time, and whether the time cap cut it short.
    """
    lock = threading.Lock()
    issued = 0
    deadline = time.monotonic() + seconds

    def take_ticket():
        nonlocal issued
        with lock:
            if issued >= count or time.monotonic() >= deadline:
                return False
            issued += 1
            return True

    per_client = [[] for _ in clients]

    def work(client, latencies):
        while take_ticket():
            start = time.perf_counter()
            try:
                status, _headers, body = client.request("GET", target.path)
            except (OSError, http.client.HTTPException) as failure:
                target.errors[type(failure).__name__] += 1
                continue
            took = time.perf_counter() - start
            if status != 200:
                target.errors[f"HTTP {status}"] += 1
            elif target.marker not in body:
                target.errors["unexpected page"] += 1
            else:
                latencies.append(took)

    threads = [threading.Thread(target=work, args=pair, daemon=True) for pair in zip(clients, per_client, strict=True)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = [value for chunk in per_client for value in chunk]
    if record:
        target.latencies.extend(latencies)
        target.elapsed += elapsed
        target.round_rates.append(len(latencies) / elapsed if elapsed else 0.0)
        target.capped |= issued < count
    return latencies


def percentile(values, p):
    """Nearest-rank percentile of already sorted values, in milliseconds."""
    if not values:
        return math.nan
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)] * 1000


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def print_header(args, port):
    version = importlib.metadata.version
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print("Qingdan HTTP benchmark: pages against a 20-row ORM page and a bare Django view, same server, same run")
    print(
        f"machine  {cores} cores ({usable} usable), {cpu_model()}, {platform.system()} {platform.release()}, "
        f"load average {load}"
    )
    print(
        f"software Python {platform.python_version()}, Django {version('django')}, "
        f"gunicorn {version('gunicorn')}, whitenoise {version('whitenoise')}"
    )
    state = "kept from the last run (--keep)" if args.keep_used else "fresh"
    print(f"database SQLite {sqlite3.sqlite_version}, {state}: {DB.relative_to(ROOT)} (migrate + load_demo)")
    print(f"server   gunicorn {' '.join(gunicorn_args(args.workers, port))}  (bench.settings: DEBUG off, plain HTTP)")
    kept = f"Redis {args.redis}, busy pages kept between requests" if args.redis else "per process, no page kept"
    print(f"cache    {kept}")
    print(
        f"load     {args.clients} clients, {args.requests} requests per target in {args.rounds} rounds, "
        f"{args.warmup} warm-up requests per target, cap {args.seconds:g} s per target"
    )
    print()


def print_results(targets, clients):
    print(f"{'target':<14} {'user':<9} {'path':<30} {'ok':>6} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    stats = {}
    for target in targets:
        ordered = sorted(target.latencies)
        stats[target.name] = (target.rate, percentile(ordered, 50), percentile(ordered, 99))
        rate, p50, p99 = stats[target.name]
        note = "  (stopped at the time cap)" if target.capped else ""
        print(
            f"{target.name:<14} {target.user or '-':<9} {target.path:<30} {len(ordered):>6} "
            f"{sum(target.errors.values()):>6} {rate:>8.1f} {p50:>8.2f} {p99:>8.2f}{note}"
        )
    by_name = {target.name: target for target in targets}
    for base_name in ("orm", "bare"):
        base = by_name[base_name]
        base_rate, base_p50, base_p99 = stats[base_name]
        print()
        print(f"ratios to the {base_name} page (throughput: higher is better; latency: lower is better)")
        for target in targets:
            if target.name in BASELINES and (target.name == base_name or base_name == "orm"):
                continue
            rate, p50, p99 = stats[target.name]
            by_round = " ".join(
                f"{mine / theirs:.2f}"
                for mine, theirs in zip(target.round_rates, base.round_rates, strict=True)
                if theirs
            )
            goal = ""
            if base_name == "orm" and target.user and base_rate:
                goal = "  meets" if rate / base_rate >= GOAL else "  BELOW"
                goal += f" the {GOAL:g}× goal"
            print(
                f"  {target.name:<14} {ratio(rate, base_rate):>7} throughput, {ratio(p50, base_p50):>7} p50, "
                f"{ratio(p99, base_p99):>7} p99   (by round: {by_round}){goal}"
            )
    connects = sum(c.connects for c in clients)
    sent = sum(c.requests for c in clients)
    print()
    if connects >= sent:
        why = "the server closed each one (gunicorn's sync workers), so every request includes a loopback TCP connect"
    else:
        why = "the server kept some alive"
    print(f"connections: {connects} opened for {sent} requests: {why}, for all targets alike")
    for target in targets:
        if target.errors:
            print(f"errors on {target.name}: " + ", ".join(f"{kind} ×{n}" for kind, n in target.errors.most_common()))


def ratio(value, base):
    if not base or math.isnan(value) or math.isnan(base):
        return "n/a"
    return f"{value / base:.2f}×"


def split(total, parts, index):
    return total // parts + (1 if index < total % parts else 0)


def main(argv=None):
    args = parse_args(argv)
    os.chdir(ROOT)
    args.keep_used = args.keep and DB.exists() and KEYS.exists()
    if args.keep_used:
        env = server_env(json.loads(KEYS.read_text()), args.redis)
        print(f"reusing {DB.relative_to(ROOT)} (--keep)", flush=True)
    else:
        keys = new_keys()
        env = server_env(keys, args.redis)
        print("preparing a fresh database (migrate + load_demo) ...", flush=True)
        prepare_database(env)
        KEYS.write_text(json.dumps(keys))
        KEYS.chmod(0o600)
    password = env.get("QINGDAN_DEMO_PASSWORD") or DEMO_PASSWORD
    round_id = published_round()
    targets = [
        Target(t.name, t.path.format(round=round_id), t.marker, t.user)
        for t in TARGETS
        if t.name in BASELINES or not args.only or t.name in args.only
    ]
    port = args.port or free_port()
    print_header(args, port)
    server = start_server(env, args.workers, port)
    pool = {}
    try:
        wait_until_ready(server, port)
        for user in dict.fromkeys(target.user for target in targets):
            pool[user] = [Client(port) for _ in range(args.clients)]
            if user:
                for client in pool[user]:
                    sign_in(client, user, password)
        for target in targets:
            run_phase(pool[target.user], target, args.warmup, min(args.seconds, WARMUP_CAP), record=False)
        for index in range(args.rounds):
            shift = index % len(targets)
            for target in targets[shift:] + targets[:shift]:
                count = split(args.requests, args.rounds, index)
                if count:
                    run_phase(pool[target.user], target, count, args.seconds / args.rounds, record=True)
        if server.poll() is not None:
            raise BenchError(f"gunicorn stopped during the run:\n{log_tail()}")
    finally:
        for clients in pool.values():
            for client in clients:
                client.close()
        stop_server(server)
    print_results(targets, [client for clients in pool.values() for client in clients])
    failed = [t.name for t in targets if t.errors or not t.latencies]
    if failed:
        print(f"FAILED: errors or no successful request on {', '.join(failed)}; server log: {LOG.relative_to(ROOT)}")
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as problem:
        print(f"bench: {problem}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
