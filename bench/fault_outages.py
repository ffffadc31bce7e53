"""The helpers of bench/faults.py for the outages: the harness's own Redis, the full tmpfs, PostgreSQL restarted
(the machine's cluster, or a server of the harness's own)."""

import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.fault_parts import (
    DATABASE,
    HOST,
    OWN_REDIS_PORT,
    VAR,
    HarnessError,
    Load,
    _psql,
    _spawn,
    _undo,
    get,
    get_json,
    wait_for,
)

TMPFS = VAR / "tmpfs-media"
FILLER = "filler.bin"


# --- scenario 4: the harness's own Redis ----------------------------------------------------------------------


def start_redis():
    command = ["redis-server", "--port", str(OWN_REDIS_PORT), "--bind", HOST, "--save", "", "--appendonly", "no"]
    process = _spawn(command, os.environ.copy(), "redis")
    if not wait_for(lambda: _redis_ping(), limit=10):
        raise HarnessError("redis-server on port 8699 did not start")
    return process


def _redis_ping():
    import redis

    client = redis.Redis(host=HOST, port=OWN_REDIS_PORT, socket_timeout=1)
    try:
        return client.ping()
    finally:
        client.close()


def stop_redis(process):
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=10)


def post_compute(session, round_pk, reason):
    answer = session.post_form(f"/assessment/rounds/{round_pk}/compute/", {"reason": reason})
    if answer.status in (302, 303):
        page = get(session.port, answer.location, session.cookies)
        answer.says_failed = b"alert-danger" in page.body or "失败".encode() in page.body
    else:
        answer.says_failed = answer.clear
    return answer


def wait_job_done(ctx, job_id, limit):
    status = ctx.job_status(job_id)
    deadline = time.monotonic() + limit
    while status not in ("succeeded", "failed") and time.monotonic() < deadline:
        time.sleep(0.5)
        status = ctx.job_status(job_id)
    return status


# --- scenario 5: the tmpfs ------------------------------------------------------------------------------------


def mount_tmpfs():
    TMPFS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(TMPFS)], check=True)
    _undo.append(lambda: unmount(TMPFS))
    return TMPFS


def unmount(mount):
    if os.path.ismount(mount):
        subprocess.run(["umount", str(mount)], check=False)


def fill(mount):
    """Write a file until the disk is full (to the last block: 64 kB, then 4 kB, then single bytes)."""
    try:
        with open(mount / FILLER, "ab", buffering=0) as filler:
            for size in (65536, 4096, 1):
                try:
                    while filler.write(b"\0" * size):
                        pass
                except OSError:
                    continue
    except OSError:
        pass


def empty(mount):
    for path in sorted(mount.rglob("*"), reverse=True):
        if path.is_file():
            path.unlink()


def files_in(mount):
    return {(str(p.relative_to(mount)), p.stat().st_size) for p in mount.rglob("*") if p.is_file() and p.name != FILLER}


def orphans(ctx, tag, before):
    problems = []
    made = ctx.upload_rows(f"{tag}.pdf")
    if made != (0, 0, 0, 0, 0):
        problems.append(f"orphan rows (evidence, added, linked, item events, attached) = {made}")
    after = ctx.item_state()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    if changed:
        problems.append(f"changed: {changed}")
    return problems


# --- scenario 3: PostgreSQL -----------------------------------------------------------------------------------


def postgres_in_use():
    """Why PostgreSQL must not be restarted now ('' when it may): a test run using it."""
    pytest = subprocess.run(["pgrep", "-f", "pytest"], capture_output=True, text=True).stdout.split()
    rows = _psql("SELECT datname, count(*) FROM pg_stat_activity WHERE datname LIKE 'test_%' GROUP BY datname")
    if rows:
        return "test databases in use: " + ", ".join(f"{name} ({n} connections)" for name, n in rows)
    if pytest:
        return f"{len(pytest)} pytest processes running (they may use PostgreSQL)"
    return ""


PG_BIN = Path("/usr/lib/postgresql/15/bin")
OWN_PG_PORT = 8698
OWN_PG_DATA = Path("/tmp/qingdan_faults_pg")  # owned by the postgres user, removed at the end
OWN_PG_DOWN_SECONDS = 3  # the harness's own server stays down this long


def _as_postgres(*command, check=True):
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *map(str, command)],
        capture_output=True,
        text=True,
        check=check,
        timeout=120,
    )


def start_own_postgres():
    """A PostgreSQL server of the harness's own (port 8698, a copy of qingdan_faults), to restart freely while the
    machine's cluster is shared with a test run. Returns its database URL."""
    stop_own_postgres()
    OWN_PG_DATA.mkdir()
    os.chown(OWN_PG_DATA, *_postgres_ids())
    _as_postgres(PG_BIN / "initdb", "-D", OWN_PG_DATA, "-U", "postgres", "--auth=trust", "-E", "UTF8")
    options = f"-p {OWN_PG_PORT} -c listen_addresses={HOST} -c unix_socket_directories={OWN_PG_DATA}"
    _as_postgres(PG_BIN / "pg_ctl", "-D", OWN_PG_DATA, "-o", options, "-l", OWN_PG_DATA / "log", "-w", "start")
    _undo.append(stop_own_postgres)
    own = f"postgresql://postgres@{HOST}:{OWN_PG_PORT}"
    subprocess.run([PG_BIN / "createdb", "-h", HOST, "-p", str(OWN_PG_PORT), "-U", "postgres", DATABASE], check=True)
    dump = subprocess.Popen([PG_BIN / "pg_dump", "-h", HOST, "-U", "postgres", DATABASE], stdout=subprocess.PIPE)
    subprocess.run(
        [PG_BIN / "psql", "-q", "-h", HOST, "-p", str(OWN_PG_PORT), "-U", "postgres", "-d", DATABASE],
        stdin=dump.stdout,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    dump.wait()
    return f"{own}/{DATABASE}"


def _postgres_ids():
    import pwd

    entry = pwd.getpwnam("postgres")
    return entry.pw_uid, entry.pw_gid


def stop_own_postgres():
    if OWN_PG_DATA.exists():
        _as_postgres(PG_BIN / "pg_ctl", "-D", OWN_PG_DATA, "-m", "immediate", "stop", check=False)
        subprocess.run(["rm", "-rf", str(OWN_PG_DATA)], check=False)


@dataclass
class Outage:
    problems: list = field(default_factory=list)
    health: str = ""
    back_at: float = 0.0  # when the restart command ended: the server accepts connections again
    seconds: float = 0.0


def restart_postgres(port, own=False):
    """Restart the cluster (the machine's, or the harness's own); meanwhile ask /healthz/ every 0.1 s."""
    outage = Outage()
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart", "-m", "fast"]
    if own:
        options = f"-p {OWN_PG_PORT} -c listen_addresses={HOST} -c unix_socket_directories={OWN_PG_DATA}"
        pg_ctl = " ".join(f"'{part}'" for part in map(str, [PG_BIN / "pg_ctl", "-D", OWN_PG_DATA]))
        start = f"{pg_ctl} -o '{options}' -l '{OWN_PG_DATA / 'log'}' -w start"
        script = f"{pg_ctl} -m fast -w stop && sleep {OWN_PG_DOWN_SECONDS} && {start}"
        command = ["runuser", "-u", "postgres", "--", "sh", "-c", script]
    began = time.monotonic()
    restart = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = []
    while restart.poll() is None:
        status, body = get_json(port, "/healthz/")
        failed = sorted(n for n, c in (body or {}).get("checks", {}).items() if c.get("status") == "fail")
        seen.append((status, tuple(failed)))
        time.sleep(0.1)
    outage.back_at = time.monotonic()
    outage.seconds = outage.back_at - began
    if restart.returncode:
        outage.problems.append(f"pg_ctlcluster restart failed: {restart.stderr.read().decode()[-300:]}")
    down = [s for s in seen if s[0] != 200]
    outage.health = f"{sorted(set(down))}" if down else "never seen down"
    if any(s[0] == 503 and "database" not in s[1] for s in down):
        outage.problems.append(f"/healthz/ answered 503 without naming the database: {sorted(set(down))}")
    if any(s[0] not in (200, 503) for s in seen):
        outage.problems.append(f"/healthz/ answered {sorted({s[0] for s in seen})}")
    return outage


class Reads(Load):
    """Each session reads the item list again and again."""

    def __init__(self, sessions, port):
        super().__init__(sessions, (port,), None, "")

    def _run(self, number, session):
        count = 0
        while not self._stop.is_set() and count < 2000:
            self.log.append(get(self.ports[0], "/lists/items/", session.cookies))
            count += 1
