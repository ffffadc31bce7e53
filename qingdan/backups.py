"""Backups of the whole platform in one archive, and what a restore checks them against.

An archive (``qingdan-backup-YYYYMMDD-HHMM.tar``) holds the database as its engine dumps it (PostgreSQL:
``pg_dump --format=custom``; SQLite: a copy made with SQLite's online backup API, consistent while the platform
runs), the uploaded files under ``media/``, and ``manifest.json`` last: the engine, each app's last migration, the
rows of every table, the audit trail's head, the files with their SHA-256, and the time taken. The manifest is
written last so that an archive cut short has none and is refused before anything is restored.

The row counts are taken in the same snapshot as the dump (PostgreSQL: a repeatable-read transaction whose snapshot
``pg_dump --snapshot`` shares; SQLite: the copy itself), so they are the counts the dump holds even while users
work. The audit trail is sealed and checked with ``audit.chain`` before the snapshot; its head in the snapshot is
what a restore must find again. ``qingdan/restores.py`` restores an archive and checks it against its manifest.
"""

import glob
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections, transaction

from audit import chain
from audit.models import AuditSeal
from qingdan import clock
from qingdan.progress import TerminalProgress

FORMAT = 1
MANIFEST = "manifest.json"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
MEDIA = "media/"
# Uploads waiting between an import's preview and its confirmation (qingdan/pages.py): deleted within a day, never
# referred to by a row, so not worth keeping.
TRANSIENT = ("pending-imports",)
# Apps whose tables a new database already fills from its migrations (the public-holiday calendar): rows there do
# not make a database "not empty".
REFERENCE_APPS = ("workdays",)
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A refusal of backup or restore, in Chinese and English, that changed nothing."""


def engine_of(alias="default"):
    vendor = connections[alias].vendor
    if vendor not in DUMPS:
        raise BackupError(f"不支持的数据库：{vendor}。 / Unsupported database: {vendor}.")
    return vendor


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def model_tables():
    """``{table: label}`` of every installed model with a table of its own, the many-to-many tables included."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        found.setdefault(meta.db_table, meta.app_label)
    return dict(sorted(found.items()))


def qingdan_tables():
    """The tables of the platform's own apps (not Django's), less the reference data the migrations load."""
    base = Path(settings.BASE_DIR)
    own = {config.label for config in apps.get_app_configs() if (base / config.name.split(".")[0]).is_dir()}
    return [table for table, app in model_tables().items() if app in own and app not in REFERENCE_APPS]


def existing_tables(alias="default"):
    connection = connections[alias]
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def tables_with_rows(alias="default"):
    """The platform's tables in ``alias`` that hold at least one row (tables not there yet count as empty)."""
    present = existing_tables(alias)
    full = []
    with connections[alias].cursor() as cursor:
        for table in qingdan_tables():
            if table in present:
                cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")  # noqa: S608 - a model's own table name
                if cursor.fetchone():
                    full.append(table)
    return full


def snapshot_facts(cursor, present, stream):
    """Row counts, migrations and the audit head read through ``cursor`` (a DB-API cursor inside the snapshot)."""
    tables = model_tables()
    progress = TerminalProgress("数据表 tables", stream=stream)
    counts = {}
    for done, table in enumerate(tables, start=1):
        if table in present:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - a model's own table name
            counts[table] = cursor.fetchone()[0]
        progress(done, len(tables))
    migrations = {}
    if "django_migrations" in present:
        cursor.execute("SELECT app, name FROM django_migrations")
        for app, name in cursor.fetchall():
            migrations[app] = max(migrations.get(app, ""), name)
    head = {"seq": 0, "hash": chain.GENESIS}
    seals = AuditSeal._meta.db_table
    if seals in present:
        cursor.execute(f"SELECT seq, hash FROM {quote(seals)} ORDER BY seq DESC LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
        if row:
            head = {"seq": int(row[0]), "hash": row[1]}
    return counts, dict(sorted(migrations.items())), head


# PostgreSQL ----------------------------------------------------------------------------------------------------


def pg_tool(name):
    """The path of ``pg_dump`` or ``pg_restore``: on PATH, else the newest in /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if candidates:
        return candidates[-1]
    raise BackupError(
        f"找不到 {name}：请安装 PostgreSQL 客户端（apt-get install postgresql-client）。 / "
        f"{name} was not found on PATH nor in /usr/lib/postgresql/*/bin: install the PostgreSQL client."
    )


def pg_environment(alias="default"):
    """The connection settings of ``alias`` as libpq's variables: the password never appears on a command line."""
    config = connections[alias].settings_dict
    values = {
        "PGDATABASE": config.get("NAME"),
        "PGHOST": config.get("HOST"),
        "PGPORT": config.get("PORT"),
        "PGUSER": config.get("USER"),
        "PGPASSWORD": config.get("PASSWORD"),
    }
    options = config.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("service", "PGSERVICE")):
        values[variable] = options.get(option)
    # Only these settings, never a PGHOST or PGDATABASE left in the operator's shell, say where to connect.
    env = {key: value for key, value in os.environ.items() if key not in values}
    env.update({key: str(value) for key, value in values.items() if value not in (None, "")})
    return env


def run_tool(command, env):
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - fixed tool
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(
            f"{Path(command[0]).name} 失败（退出码 {done.returncode}）：{' '.join(detail[-3:])} / "
            f"{Path(command[0]).name} failed with exit status {done.returncode}."
        )
    return done


def dump_postgresql(alias, target, stream):
    """Dump with ``pg_dump --format=custom`` from a snapshot this transaction exports, and read the counts, the
    migrations and the audit head in that same snapshot."""
    tool = pg_tool("pg_dump")
    connection = connections[alias]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        stream.write("数据库 database: pg_dump --format=custom …\n")
        run_tool(
            [tool, "--format=custom", f"--snapshot={snapshot}", "--no-password", f"--file={target}"],
            pg_environment(alias),
        )
        present = set(connection.introspection.table_names(cursor))
        return snapshot_facts(cursor, present, stream)


def database_bytes(alias):
    """The database's size on disk: what its dump will not exceed by much."""
    with connections[alias].cursor() as cursor:
        if connections[alias].vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        return int(pages * cursor.fetchone()[0])


# SQLite --------------------------------------------------------------------------------------------------------


def dump_sqlite(alias, target, stream):
    """Copy the live database with SQLite's online backup API (a consistent copy while others write), then read
    the counts, the migrations and the audit head from the copy."""
    connection = connections[alias]
    connection.ensure_connection()
    progress = TerminalProgress("数据库 database", stream=stream)
    copy = sqlite3.connect(target)
    try:
        # In one step: a copy in several steps starts again whenever another connection writes between them, and
        # on a busy site might never finish. One step holds the read lock for the copy; writers wait for it.
        connection.connection.backup(copy, pages=-1, progress=lambda _s, left, total: progress(total - left, total))
        cursor = copy.cursor()
        present = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return snapshot_facts(cursor, present, stream)
    finally:
        copy.close()


# Files ---------------------------------------------------------------------------------------------------------


def media_location():
    """The folder the uploaded files are kept in, or None with the reason when the storage is not local."""
    storage = storages["default"]
    if isinstance(storage, FileSystemStorage):
        return Path(storage.location), None
    kind = type(storage).__name__
    return None, (
        f"文件存储（{kind}）不在本机，未备份文件：请用存储自身的版本和复制功能备份。 / "
        f"The file storage ({kind}) is not local: its files are not in this archive; back it up with the storage's "
        "own versioning and replication."
    )


def media_files(root):
    """``[(relative path, Path)]`` of the files under ``root``, in order, less the transient uploads."""
    if root is None or not root.is_dir():
        return []
    found = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if relative.parts[0] in TRANSIENT or not path.is_file() or path.is_symlink():
            continue
        found.append((relative.as_posix(), path))
    return sorted(found)


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _Hashing:
    """A file read through for tarfile, hashed on the way."""

    def __init__(self, source):
        self.source, self.digest = source, hashlib.sha256()

    def read(self, size=-1):
        data = self.source.read(size)
        self.digest.update(data)
        return data


def add_file(archive, name, path):
    """Add ``path`` as ``name``; returns its size and SHA-256, read once. The file is opened before anything of it
    is written, so one removed meanwhile raises FileNotFoundError with the archive still whole."""
    with open(path, "rb") as source:
        info = archive.gettarinfo(arcname=name, fileobj=source)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        hashing = _Hashing(source)
        archive.addfile(info, hashing)
    return info.size, hashing.digest.hexdigest()


def add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(clock.now().timestamp()), 0o600
    archive.addfile(info, io.BytesIO(data))


# The backup ----------------------------------------------------------------------------------------------------


def default_name():
    return f"qingdan-backup-{clock.local_now():%Y%m%d-%H%M}.tar"


def output_path(output):
    """Where the archive goes: a file named by the clock in ``output`` (a folder, made if missing) or ``output``
    itself when it names a .tar file. Refuses one that exists."""
    folder = Path(output) if output else Path(settings.VAR_DIR) / "backups"
    path = folder if folder.suffix == ".tar" and not folder.is_dir() else folder / default_name()
    if path.exists() or Path(f"{path}.partial").exists():
        raise BackupError(
            f"备份文件已存在，未覆盖：{path}。请换一个文件名或目录。 / "
            f"The output already exists and was left alone: {path}. Choose another name or folder."
        )
    if not path.parent.is_dir():
        if output and folder.suffix == ".tar":
            raise BackupError(f"目录不存在：{path.parent}。 / No such folder: {path.parent}.")
        path.parent.mkdir(parents=True, exist_ok=True)
    return path


def check_room(path, needed):
    free = shutil.disk_usage(path.parent).free
    if free < needed:
        raise BackupError(
            f"磁盘空间不足：{path.parent} 剩余 {free / 1048576:,.1f} MB，备份约需 {needed / 1048576:,.1f} MB。 / "
            f"Not enough room in {path.parent}: {free / 1048576:,.1f} MB free, the backup needs about "
            f"{needed / 1048576:,.1f} MB."
        )


def audit_before(alias):
    """Seal what commits left unsealed and walk the chain, as ``manage.py verify_audit`` does."""
    verdict = chain.check(using=alias)
    return {
        "events": verdict.count,
        "head_seq": verdict.head_seq,
        "head_hash": verdict.head_hash,
        "broken": None if verdict.broken is None else str(verdict.broken),
    }


def make_backup(*, output=None, alias="default", stream=None):
    """Write one archive of the database ``alias`` and the uploaded files; returns ``(path, manifest)``."""
    started, stream = time.monotonic(), stream or sys.stderr
    engine = engine_of(alias)
    if engine == "postgresql":
        pg_tool("pg_dump")
    path = output_path(output)
    root, remote = media_location()
    files = media_files(root)
    file_bytes = sum(p.stat().st_size for _name, p in files if p.exists())
    # The dump is written beside the archive and then copied into it: room for both, and a margin.
    check_room(path, 2 * database_bytes(alias) + file_bytes + 16 * 1048576)
    verified = audit_before(alias)
    partial = Path(f"{path}.partial")
    # The archive holds everything the platform knows: readable by the account that made it only. Made before the
    # work starts, so that a second backup into the same name at once stops here.
    try:
        partial.touch(mode=0o600, exist_ok=False)
    except FileExistsError as error:
        raise BackupError(f"另一个备份正在写入 {path}。 / Another backup is writing {path}.") from error
    work = None
    try:
        work = Path(tempfile.mkdtemp(prefix=".qingdan-backup-", dir=path.parent))
        dump = work / DUMPS[engine]
        dumper = dump_postgresql if engine == "postgresql" else dump_sqlite
        counts, migrations, head = dumper(alias, dump, stream)
        listed = []
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            dump_size, dump_sha = add_file(archive, DUMPS[engine], dump)
            dump.unlink()
            progress = TerminalProgress("文件 files", stream=stream)
            for done, (name, file_path) in enumerate(files, start=1):
                try:
                    size, sha = add_file(archive, MEDIA + name, file_path)
                except FileNotFoundError:
                    continue  # removed since it was listed: its row went with it
                listed.append({"path": name, "bytes": size, "sha256": sha})
                progress(done, len(files))
            manifest = {
                "format": FORMAT,
                "created_at": clock.now().isoformat(),
                "engine": engine,
                "database": {"file": DUMPS[engine], "bytes": dump_size, "sha256": dump_sha},
                "migrations": migrations,
                "tables": counts,
                "audit": {"head_seq": head["seq"], "head_hash": head["hash"], "checked_before_backup": verified},
                "files": {
                    "count": len(listed),
                    "bytes": sum(f["bytes"] for f in listed),
                    "skipped": remote,
                    "list": listed,
                },
            }
            manifest["seconds"] = round(time.monotonic() - started, 2)
            add_bytes(archive, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    return path, manifest


# Reading an archive --------------------------------------------------------------------------------------------


class Archive:
    """An archive opened for restoring: its members and its manifest, read through once so that an archive cut
    short or missing a part is refused before anything is changed."""

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.is_file():
            raise BackupError(f"找不到备份文件：{self.path}。 / No such archive: {self.path}.")
        try:
            with tarfile.open(self.path, "r:") as archive:
                self.members = {member.name: member for member in archive.getmembers()}
                if MANIFEST not in self.members:
                    raise BackupError(self._cut_short("没有清单 manifest.json", "it has no manifest.json"))
                self.manifest = json.loads(archive.extractfile(self.members[MANIFEST]).read().decode())
        except (tarfile.ReadError, EOFError, OSError) as error:
            raise BackupError(self._cut_short("无法读取", f"it cannot be read ({error})")) from error
        except (ValueError, UnicodeDecodeError) as error:
            raise BackupError(self._cut_short("清单已损坏", "its manifest is damaged")) from error
        if self.manifest.get("format") != FORMAT or self.manifest.get("engine") not in DUMPS:
            raise BackupError(
                f"不认识的备份格式：{self.path}。 / {self.path} is not an archive this version of Qingdan can restore."
            )
        database = self.manifest["database"]
        member = self.members.get(database["file"])
        if member is None or member.size != database["bytes"]:
            raise BackupError(self._cut_short("数据库文件缺失或不完整", "its database file is missing or incomplete"))

    def _cut_short(self, chinese, english):
        return (
            f"备份文件不完整或已损坏（{chinese}）：{self.path}，未恢复任何内容。 / "
            f"The archive {self.path} is truncated or damaged: {english}. Nothing was restored."
        )

    @property
    def engine(self):
        return self.manifest["engine"]

    def extract_database(self, target):
        """Write the database file to ``target``; returns its SHA-256."""
        digest = hashlib.sha256()
        try:
            with tarfile.open(self.path, "r:") as archive, open(target, "wb") as out:
                source = archive.extractfile(self.members[self.manifest["database"]["file"]])
                for chunk in iter(lambda: source.read(CHUNK), b""):
                    digest.update(chunk)
                    out.write(chunk)
        except (tarfile.ReadError, EOFError, OSError) as error:
            raise BackupError(
                self._cut_short("数据库文件读不全", f"its database file cannot be read ({error})")
            ) from error
        return digest.hexdigest()

    def extract_files(self, root, stream):
        """Write the uploaded files under ``root`` (each through a temporary name, so none is left half written)."""
        names = [m for m in self.members if m.startswith(MEDIA) and self.members[m].isfile()]
        progress = TerminalProgress("文件 files", stream=stream)
        with tarfile.open(self.path, "r:") as archive:
            for done, name in enumerate(names, start=1):
                relative = Path(name[len(MEDIA) :])
                if relative.is_absolute() or ".." in relative.parts:
                    continue  # never write outside the media folder, whatever the archive says
                target = root / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                temporary = target.with_name(f".{target.name}.restoring")
                with archive.extractfile(self.members[name]) as source, open(temporary, "wb") as out:
                    shutil.copyfileobj(source, out, CHUNK)
                os.replace(temporary, target)
                progress(done, len(names))
        return len(names)
