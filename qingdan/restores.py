"""Restoring an archive of ``qingdan/backups.py`` onto an empty database, and checking a database against an
archive's manifest: every table's rows, the audit chain from its first event to the head the backup saw, the
uploaded files by their SHA-256 and the dump itself.

A restore goes onto an empty database only (a new one on a spare host, as the monthly drill does): it refuses,
changing nothing, when any table of the platform holds a row, so it can never mix a backup into live data.
"""

import os
import shutil
import sqlite3
import sys
import tempfile
import unicodedata
from collections import namedtuple
from contextlib import closing
from pathlib import Path

from django.db import DatabaseError, connections

from audit import chain
from qingdan import backups, pagecache
from qingdan.backups import BackupError

# ``note``: what a failed check found, in full, printed under the table.
Check = namedtuple("Check", "name expected found ok note", defaults=(None,))


def describe_target(alias):
    config = connections[alias].settings_dict
    if connections[alias].vendor == "sqlite":
        return f"SQLite {config['NAME']}"
    return f"PostgreSQL {config.get('NAME')} @ {config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}"


def refuse_unless_empty(alias):
    try:
        full = backups.tables_with_rows(alias)
    except DatabaseError as error:
        raise BackupError(
            f"无法连接目标数据库 {describe_target(alias)}：{error}。请先创建一个空数据库（createdb）。 / "
            f"Cannot open the target database {describe_target(alias)}: create an empty database first (createdb)."
        ) from error
    if full:
        raise BackupError(
            f"目标数据库不是空的：{len(full)} 个表有数据（{'、'.join(full[:5])}…），未做任何改动。请恢复到一个新建的"
            f"空数据库。 / The target database is not empty: {len(full)} tables hold rows ({', '.join(full[:5])}, …); "
            "nothing was changed. Restore onto a new, empty database."
        )


def _refuse_unless_sound(path):
    """SQLite's own check of the file, before it takes the target's place."""
    try:
        with closing(sqlite3.connect(path)) as copy:
            verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        verdict = str(error)
    if verdict != "ok":
        raise BackupError(
            f"备份中的数据库文件已损坏（{verdict}），未做任何改动。 / The archive's database file is damaged "
            f"({verdict}); nothing was changed."
        )


def restore_sqlite(archive, alias):
    """Put the archive's copy in place of the target file (written beside it first, then renamed over it)."""
    name = str(connections[alias].settings_dict["NAME"])
    if name.startswith("file:") or name == ":memory:":
        raise BackupError(f"SQLite 目标必须是文件：{name}。 / The SQLite target must be a file, not {name}.")
    target = Path(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.restoring")
    try:
        digest = archive.extract_database(temporary)
        _refuse_unless_sound(temporary)
        connections[alias].close()
        # A journal left beside the old file would be replayed into the new one.
        for suffix in ("-journal", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return digest


def restore_postgresql(archive, alias, stream):
    """``pg_restore --no-owner --exit-on-error`` into the target, in one transaction: a dump that fails half way
    leaves nothing behind (and one commit is twice as fast as one per statement). Tables a migrate left there
    empty are dropped and made again from the dump (``--clean --if-exists``)."""
    tool = backups.pg_tool("pg_restore")
    had_tables = bool(backups.existing_tables(alias))
    work = Path(tempfile.mkdtemp(prefix="qingdan-restore-"))
    try:
        dump = work / backups.DUMPS["postgresql"]
        digest = archive.extract_database(dump)
        connections[alias].close()
        command = [tool, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--no-password"]
        if had_tables:
            command += ["--clean", "--if-exists"]
        env = backups.pg_environment(alias)
        stream.write("数据库 database: pg_restore …\n")
        backups.run_tool([*command, f"--dbname={env['PGDATABASE']}", str(dump)], env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return digest


def restore(*, path, alias="default", stream=None, confirm=None):
    """Restore the archive at ``path`` onto the empty database ``alias`` and the media folder; returns the
    archive and the SHA-256 of the database file as read. ``confirm(target)`` may still say no."""
    stream = stream or sys.stderr
    archive = backups.Archive(path)
    engine = backups.engine_of(alias)
    if archive.engine != engine:
        raise BackupError(
            f"备份来自 {archive.engine}，目标数据库是 {engine}：无法恢复。 / "
            f"The archive holds a {archive.engine} database; the target is {engine}."
        )
    if engine == "postgresql":
        backups.pg_tool("pg_restore")
    refuse_unless_empty(alias)
    root, _remote = backups.media_location()
    if confirm is not None and not confirm(describe_target(alias)):
        raise BackupError("已取消，未做任何改动。 / Cancelled; nothing was changed.")
    digest = restore_postgresql(archive, alias, stream) if engine == "postgresql" else restore_sqlite(archive, alias)
    if root is not None and not archive.manifest["files"].get("skipped"):
        archive.extract_files(root, stream)
    pagecache.bump({pagecache.UNKNOWN})  # the database was written outside Django: no kept page stands
    return archive, digest


# Checking a database against a manifest ------------------------------------------------------------------------


def _migrations(alias):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        found = {}
        for app, name in cursor.fetchall():
            found[app] = max(found.get(app, ""), name)
    return found


def _check_migrations(manifest, alias, present):
    wanted = manifest["migrations"]
    found = _migrations(alias) if "django_migrations" in present else {}
    differ = sorted(app for app in set(wanted) | set(found) if wanted.get(app) != found.get(app))
    shown = "、".join(f"{app} {found.get(app) or '—'}" for app in differ[:3])
    return Check("迁移状态 migrations", f"{len(wanted)} apps", shown or f"{len(found)} apps", not differ)


def _check_tables(manifest, alias, present):
    checks = []
    with connections[alias].cursor() as cursor:
        for table, expected in manifest["tables"].items():
            found = None
            if table in present:
                cursor.execute(f"SELECT COUNT(*) FROM {backups.quote(table)}")  # noqa: S608 - a table of the manifest
                found = cursor.fetchone()[0]
            checks.append(Check(table, expected, "缺失 missing" if found is None else found, found == expected))
    return checks


def _check_audit(manifest, alias):
    """The chain verifies from its first event (``audit.chain.check``) and still holds the head the backup saw."""
    seq, wanted = manifest["audit"]["head_seq"], manifest["audit"]["head_hash"]
    name = f"审计链 audit chain → {seq}:{wanted[:12]}"
    verdict = chain.check(kept=(seq, wanted), using=alias)
    if verdict.broken is not None:
        return Check(name, seq, f"断于 broken at event {verdict.broken.id}", False, f"{name}: {verdict.broken}")
    if verdict.kept_head is not None:
        return Check(name, seq, f"{verdict.count}, 缺少备份时的链头 the head is not there", False)
    return Check(name, seq, verdict.count, True)


def _check_files(manifest, root):
    files = manifest["files"]
    if files.get("skipped"):
        return [Check("文件 files", "未备份 not in archive", "—", True)]
    if root is None:
        return [Check("文件 files", files["count"], "文件存储不在本机 storage is not local", False)]
    bad, count, size = [], 0, 0
    for entry in files["list"]:
        path = root / entry["path"]
        if path.is_file() and path.stat().st_size == entry["bytes"] and backups.sha256_of(path) == entry["sha256"]:
            count, size = count + 1, size + entry["bytes"]
        else:
            bad.append(
                Check(f"文件 file {entry['path']}", entry["sha256"][:12], "缺失或不同 missing or changed", False)
            )
    total = Check("文件 files", f"{files['count']:,} / {files['bytes']:,} B", f"{count:,} / {size:,} B", not bad)
    return [total, *bad[:20]]


def verify(manifest, *, alias="default", digest=None):
    """Every check of the database ``alias`` and the media folder against ``manifest``, in the order printed."""
    present = backups.existing_tables(alias)
    checks = []
    if digest is not None:
        wanted = manifest["database"]["sha256"]
        checks.append(Check("数据库文件 database file SHA-256", wanted[:12], digest[:12], digest == wanted))
    checks.append(_check_migrations(manifest, alias, present))
    checks.extend(_check_tables(manifest, alias, present))
    checks.append(_check_audit(manifest, alias))
    root, _remote = backups.media_location()
    checks.extend(_check_files(manifest, root))
    return checks


def _width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text, width, right=False):
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def table(checks):
    """The checks as a table for the terminal: item, in the backup, found, 通过/失败."""
    rows = [("项目 item", "备份 backup", "现在 now", "结果 result")]
    for check in checks:
        value = lambda v: f"{v:,}" if isinstance(v, int) else str(v)  # noqa: E731
        rows.append((check.name, value(check.expected), value(check.found), "通过" if check.ok else "失败 ✗"))
    widths = [max(_width(row[i]) for row in rows) for i in range(4)]
    lines = []
    for n, row in enumerate(rows):
        lines.append(
            "  ".join(
                [_pad(row[0], widths[0]), _pad(row[1], widths[1], True), _pad(row[2], widths[2], True), row[3]]
            ).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += [check.note for check in checks if check.note and not check.ok]
    return "\n".join(lines)
