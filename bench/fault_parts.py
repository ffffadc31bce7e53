"""The helpers of bench/faults.py: the database and settings of the harness, its processes, an HTTP client and
the checks of what a fault left behind. Standard library on the client side; the checks read the database
through the project's own models (Django set up in this process with the harness's settings)."""

import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "faults"
LIB = VAR / "lib"  # the harness's settings and job kind, on the worker's import path only
KEYS = VAR / "keys.json"
HOST = "127.0.0.1"
DATABASE = "qingdan_faults"
DATABASE_URL = f"postgresql://postgres@{HOST}:5432/{DATABASE}"
SHARED_BROKER = "redis://127.0.0.1:6379/5"
OWN_REDIS_PORT = 8699
OWN_BROKER = f"redis://{HOST}:{OWN_REDIS_PORT}/0"
OWN_CACHE = f"redis://{HOST}:{OWN_REDIS_PORT}/1"
PORTS = {"app_a": 8690, "app_b": 8691, "redis_app": 8692, "broker_app": 8695, "disk_app": 8693, "pg_app": 8694}
PASSWORD = os.environ.get("QINGDAN_DEMO_PASSWORD", "Qingdan@2026")
ROWS, BATCHES = 4000, 40  # the harness job's rows, written in this many steps
STEP_SECONDS = 0.1  # between steps: the job takes about BATCHES * STEP_SECONDS
VISIBILITY_SECONDS = 10  # the worker's Redis visibility timeout in this harness (the project's: 2 x 30 min + 5 min)
TIMEOUT = 20.0  # seconds a request may take before the client gives up

_processes = []  # every process started, for cleanup()
_undo = []  # what cleanup() undoes besides the processes: a mount, a PostgreSQL server


class HarnessError(Exception):
    """The harness could not set up or run a scenario; the message says why."""


def now_text():
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- settings, database, Django in this process ---------------------------------------------------------------

SETTINGS_MODULE = f"""from bench.settings import *  # noqa: F403
from bench.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "faultjobs"]
# kombu sweeps the unacknowledged messages every unacked_restore_interval x unacked_restore_throttle seconds
# (10 x 10 by default): once a second here, so a message comes back about VISIBILITY_SECONDS after its delivery.
CELERY_BROKER_TRANSPORT_OPTIONS = {{
    "visibility_timeout": {VISIBILITY_SECONDS},
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}}
"""

JOB_MODULE = f"""import time

from django.db import connection

from jobs.registry import job


@job("faults.rows", "Fault test rows")
def rows(job, progress):
    total, steps = job.params["rows"], job.params["batches"]
    per = total // steps
    with connection.cursor() as cursor:
        for step in range(steps):
            values = [(job.pk, step * per + n) for n in range(per)]
            cursor.executemany("INSERT INTO faults_row (job_id, n) VALUES (%s, %s)", values)
            progress((step + 1) * per, total)
            time.sleep({STEP_SECONDS})
    return {{"counts": {{"rows": total}}}}
"""


def write_lib():
    (LIB / "faultjobs").mkdir(parents=True, exist_ok=True)
    (LIB / "faults_settings.py").write_text(SETTINGS_MODULE)
    (LIB / "faultjobs" / "__init__.py").write_text("")
    (LIB / "faultjobs" / "jobs.py").write_text(JOB_MODULE)


def keys():
    if KEYS.exists():
        return json.loads(KEYS.read_text())
    sys.path.insert(0, str(ROOT))
    from bench.http_bench import new_keys

    made = new_keys()
    KEYS.write_text(json.dumps(made))
    return made


def base_env(settings="bench.settings"):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGDAN_") or k == "QINGDAN_DEMO_PASSWORD"}
    env.update(
        keys(),
        DJANGO_SETTINGS_MODULE=settings,
        PYTHONPATH=f"{LIB}{os.pathsep}{ROOT}",
        QINGDAN_DEBUG="false",
        QINGDAN_DATABASE_URL=DATABASE_URL,
        QINGDAN_ALLOWED_HOSTS=HOST,
        QINGDAN_SECURE_SSL_REDIRECT="false",
        QINGDAN_LOG_LEVEL="WARNING",
        QINGDAN_MEDIA_ROOT=str(VAR / "media"),
        QINGDAN_HEALTH_MIN_FREE_MB="0",
        QINGDAN_JOB_SOFT_SECONDS="60",
    )
    return env


def _psql(sql, database="postgres"):
    import psycopg

    with psycopg.connect(f"postgresql://postgres@{HOST}:5432/{database}", autocommit=True, connect_timeout=10) as conn:
        return conn.execute(sql).fetchall() if sql.lstrip().upper().startswith("SELECT") else conn.execute(sql)


def _loaded():
    if not _psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"):
        return False
    try:
        return bool(_psql("SELECT count(*) FROM orgs_user", DATABASE)[0][0])
    except Exception:
        return False


def prepare_database(fresh):
    VAR.mkdir(parents=True, exist_ok=True)
    if not fresh and KEYS.exists() and _loaded():
        return
    KEYS.unlink(missing_ok=True)
    _psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{DATABASE}"')
    env = base_env()
    for command in (["migrate", "--noinput"], ["load_demo"]):
        print(f"setting up: manage.py {' '.join(command)}", flush=True)
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800
        )
        if done.returncode:
            raise HarnessError(f"manage.py {' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


class Context:
    """The database as the checks see it, through the project's models."""

    @classmethod
    def prepare(cls, fresh=False):
        write_lib()
        prepare_database(fresh)
        _psql(
            "CREATE TABLE IF NOT EXISTS faults_row (job_id bigint NOT NULL, n int NOT NULL, PRIMARY KEY (job_id, n))",
            DATABASE,
        )
        for name, value in base_env("faults_settings").items():
            if name.startswith(("QINGDAN_", "DJANGO_")):
                os.environ[name] = value
        os.environ["QINGDAN_BROKER_URL"] = SHARED_BROKER
        sys.path[:0] = [str(LIB), str(ROOT)]
        import django

        django.setup()
        return cls()

    def __init__(self):
        from checklists import permissions
        from checklists.models import Item
        from orgs.models import User
        from scoring import permissions as scoring_permissions
        from scoring.models import Round

        reporter, office = User.objects.get(username="reporter"), User.objects.get(username="office")
        self.reporter = reporter
        items = Item.objects.filter(responsible_unit=reporter.org_unit).order_by("id")
        self.item_pk = next((i.pk for i in items if permissions.can_add_evidence(reporter, i)), None)
        if self.item_pk is None:
            raise HarnessError("the demo has no item that the reporter may add evidence to")
        rounds = Round.objects.order_by("-id")
        self.round_pk = next((r.pk for r in rounds if scoring_permissions.is_round_office(office, r)), None)

    def env(self, broker="", redis="", media=None, settings="bench.settings"):
        env = base_env(settings)
        if broker:
            env["QINGDAN_BROKER_URL"] = broker
        if redis:
            env["QINGDAN_REDIS_URL"] = redis
        if media:
            env["QINGDAN_MEDIA_ROOT"] = str(media)
        return env

    def close(self):
        from django.db import connections

        connections.close_all()

    def start_rows_job(self, key):
        from jobs import services

        return services.start(kind="faults.rows", params={"rows": ROWS, "batches": BATCHES}, key=key)

    def job(self, pk):
        from jobs.models import Job

        return Job.objects.get(pk=pk)

    def job_status(self, pk):
        return self.job(pk).status

    def job_progress(self, pk):
        job = self.job(pk)
        return job.done if job.status == "running" else 0

    def job_ids(self, kind):
        from jobs.models import Job

        return set(Job.objects.filter(kind=kind).values_list("pk", flat=True))

    def rows_of(self, job_id):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM faults_row WHERE job_id = %s", [job_id])
            return cursor.fetchone()[0]

    def item_state(self):
        from audit.models import AuditEvent
        from checklists.models import Item, ItemEvent
        from evidence.models import Evidence

        item = Item.objects.get(pk=self.item_pk)
        return {
            "item status": item.status,
            "item version": item.version,
            "item events": ItemEvent.objects.filter(item=item).count(),
            "item evidence": item.evidence.count(),
            "evidence rows": Evidence.objects.count(),
            # The refusal itself is recorded (audit/refusals.py): every other event would be a change.
            "audit events": AuditEvent.objects.exclude(action="access.refused").count(),
        }

    def upload_rows(self, name):
        """What one upload named ``name`` left: (evidence rows, 'evidence.added' events, links to the item, item
        events, 'checklists.evidence_attached' events)."""
        from audit.models import AuditEvent
        from checklists.models import EventKind, ItemEvent
        from evidence.models import Evidence

        found = list(Evidence.objects.filter(name=name))
        ids = [e.pk for e in found]
        return (
            len(found),
            AuditEvent.objects.filter(action="evidence.added", after__name=name).count(),
            Evidence.items.through.objects.filter(evidence_id__in=ids, item_id=self.item_pk).count(),
            ItemEvent.objects.filter(item_id=self.item_pk, kind=EventKind.EVIDENCE_ADDED, data__name=name).count(),
            sum(
                AuditEvent.objects.filter(action="checklists.evidence_attached", after__evidence=pk).count()
                for pk in ids
            ),
        )


# --- processes ------------------------------------------------------------------------------------------------


def _spawn(command, env, log_name):
    with open(VAR / f"{log_name}.log", "wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    _processes.append(process)
    return process


def start_gunicorn(env, port, workers, name):
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"{HOST}:{port}"]
    command += ["--log-level", "warning", "--timeout", "30", "--graceful-timeout", "5", "bench.wsgi:application"]
    return _spawn(command, env, name)


def start_worker(env, name):
    command = [sys.executable, "-m", "celery", "-A", "qingdan", "worker", "--concurrency=1", "--loglevel=INFO"]
    command += ["-n", f"{name}@faults", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    return _spawn(command, env, f"worker-{name}")


def wait_worker_ready(name, limit=60):
    log = VAR / f"worker-{name}.log"
    if not wait_for(lambda: b" ready." in log.read_bytes() if log.exists() else False, limit=limit):
        raise HarnessError(f"the Celery worker {name} was not ready within {limit} s:\n{log.read_text()[-1500:]}")


def stop(process):
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        kill_group(process)


def kill_group(process):
    """SIGKILL to the process and every process it started (its own session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def children(pid):
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def wait_worker(master, not_pid=None, limit=10):
    """A worker process of the gunicorn master ``master`` (other than ``not_pid``), or None after ``limit`` s."""
    found = None

    def look():
        nonlocal found
        found = next((c for c in children(master) if c != not_pid), None)
        return found is not None

    return found if wait_for(look, limit=limit) else None


def wait_for(condition, limit, every=0.1):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except Exception:  # the database or the server may be down for a moment: look again
            pass
        time.sleep(every)
    return False


def wait_ready(server, port, limit=60):
    if not wait_for(lambda: server.poll() is None and get(port, "/livez/").status == 200, limit=limit):
        raise HarnessError(f"the server on port {port} did not answer within {limit} s (exit {server.poll()})")


def cleanup():
    for process in reversed(_processes):
        if process.poll() is None:
            kill_group(process)
    while _undo:
        _undo.pop()()


# --- HTTP -----------------------------------------------------------------------------------------------------


@dataclass
class Answer:
    port: int
    at: float
    seconds: float = 0.0
    status: int | None = None
    body: bytes = b""
    location: str = ""
    error: str = ""
    headers: object = None

    @property
    def ok(self):
        return self.status is not None and self.status < 400

    @property
    def outcome(self):
        return f"{self.status}" if self.status is not None else f"no answer ({self.error})"

    @property
    def traceback(self):
        return b"Traceback (most recent call last)" in self.body or b"Exception Value" in self.body

    @property
    def clear(self):
        """A page in Chinese that says what went wrong, not Django's bare English error page."""
        text = self.body.decode(errors="replace")
        return (
            self.status is not None and bool(re.search(r"[\u4e00-\u9fff]", text)) and "Server Error (500)" not in text
        )

    says_failed = False

    @property
    def snippet(self):
        """The page's heading or first words, for the report."""
        text = self.body.decode(errors="replace")
        found = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S) or re.search(r"<title>(.*?)</title>", text, re.S)
        words = re.sub(r"<[^>]+>|\s+", " ", found.group(1) if found else text).strip()
        return repr(words[:60])


def request(port, method, path, cookies=None, body=None, headers=None, timeout=TIMEOUT):
    answer = Answer(port=port, at=time.monotonic())
    sent = {"Accept": "text/html", "User-Agent": "qingdan-faults"}
    if cookies:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    sent.update(headers or {})
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        answer.body, answer.status, answer.headers = response.read(), response.status, response.headers
        answer.location = response.headers.get("Location", "")
        if cookies is not None:
            keep_cookies(cookies, response.headers)
    except (OSError, http.client.HTTPException) as error:
        answer.error = type(error).__name__
    finally:
        conn.close()
        answer.seconds = time.monotonic() - answer.at
    return answer


def get(port, path, cookies=None):
    return request(port, "GET", path, cookies)


def get_json(port, path):
    answer = get(port, path)
    try:
        return answer.status, json.loads(answer.body)
    except ValueError:
        return answer.status, None


def keep_cookies(cookies, headers):
    for line in headers.get_all("Set-Cookie") or []:
        try:
            jar = SimpleCookie(line)
        except CookieError:
            continue
        for name, morsel in jar.items():
            if morsel.value and morsel["max-age"] != "0":
                cookies[name] = morsel.value
            else:
                cookies.pop(name, None)


class Session:
    def __init__(self, port, user):
        self.port, self.user, self.cookies = port, user, {}

    def post_form(self, path, fields, port=None, files=None):
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        if files is None:
            body, kind = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        else:
            body, kind = multipart(fields, files)
        return request(port or self.port, "POST", path, self.cookies, body, {"Content-Type": kind})


def signed_in(port, user):
    session = Session(port, user)
    page = get(port, "/login/", session.cookies)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if page.status != 200 or token is None:
        raise HarnessError(f"GET /login/ on port {port} answered {page.outcome}")
    form = {"csrfmiddlewaretoken": token.group(1).decode(), "username": user, "password": PASSWORD, "next": ""}
    done = request(
        port,
        "POST",
        "/login/",
        session.cookies,
        urlencode(form).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    if done.status not in (302, 303) or "sessionid" not in session.cookies:
        raise HarnessError(f"signing in as {user} failed: {done.outcome}")
    return session


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, kind) in files.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        parts.append(f"{head}Content-Type: {kind}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def pdf(tag, size):
    head = f"%PDF-1.4\n% {tag}\n".encode()
    return head + secrets.token_hex(max(size - len(head), 2) // 2).encode()


def post_evidence(session, port, item_pk, tag, size=20_000, follow=True):
    name = f"{tag}.pdf"
    answer = session.post_form(
        f"/lists/items/{item_pk}/evidence/", {}, port=port, files={"files": (name, pdf(tag, size), "application/pdf")}
    )
    answer.name = name
    if follow and answer.status in (302, 303):  # the item's page with the message the redirect left
        page = get(port, answer.location or f"/lists/items/{item_pk}/", session.cookies)
        answer.says_failed = b"alert-danger" in page.body
    return answer


def time_until_200(port, since, path="/livez/", limit=60):
    deadline = since + limit
    while time.monotonic() < deadline:
        if request(port, "GET", path, timeout=5).status == 200:
            return time.monotonic() - since
        time.sleep(0.05)
    return None


# --- scenario 1: the load and the checks of the uploads -------------------------------------------------------


class Load:
    """Each session sends, in turn to each port, a GET of the item and a POST of a new evidence file."""

    def __init__(self, sessions, ports, item_pk, tag):
        self.sessions, self.ports, self.item_pk, self.tag = sessions, ports, item_pk, tag
        self.log, self.posts, self._stop = [], [], threading.Event()
        self.in_flight = {}  # client number -> (port, "GET" or "POST", start) of its request on its way
        self._threads = [threading.Thread(target=self._run, args=(n, s), daemon=True) for n, s in enumerate(sessions)]

    def _run(self, number, session):
        count = 0
        while not self._stop.is_set() and count < 400:
            port = self.ports[(count + number) % len(self.ports)]
            self.in_flight[number] = (port, "POST" if count % 2 else "GET", time.monotonic())
            if count % 2:
                answer = post_evidence(session, port, self.item_pk, f"{self.tag}-{number}-{count}", follow=False)
                self.posts.append(answer)
            else:
                answer = get(port, f"/lists/items/{self.item_pk}/", session.cookies)
            self.in_flight.pop(number, None)
            self.log.append(answer)
            count += 1

    def start(self):
        for thread in self._threads:
            thread.start()

    def post_in_flight(self, port, for_seconds=0.05, limit=10):
        """Wait until a POST is the only request on its way to ``port`` (so its one sync worker is serving it) and
        has been for ``for_seconds``; False after ``limit`` s."""

        def serving_a_post():
            there = [(kind, start) for p, kind, start in list(self.in_flight.values()) if p == port]
            return len(there) == 1 and there[0][0] == "POST" and time.monotonic() - there[0][1] >= for_seconds

        return wait_for(serving_a_post, limit, 0.002)

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=TIMEOUT + 5)


def check_uploads(ctx, posts):
    problems = []
    for post in posts:
        made = ctx.upload_rows(post.name)
        if made not in ((0, 0, 0, 0, 0), (1, 1, 1, 1, 1)):
            problems.append(
                f"half-written upload {post.name} ({post.outcome}): evidence, added, linked, item events, attached = {made}"
            )
        elif post.status in (302, 303) and made != (1, 1, 1, 1, 1):
            problems.append(f"upload {post.name} answered {post.status} but left nothing")
    return problems


# --- scenario 2: the broker -----------------------------------------------------------------------------------


def purge_queue(url):
    """Empty the harness's own Redis database (its queue and unacknowledged messages)."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


def send_again(job_id):
    from jobs import services

    services.send(job_id)
