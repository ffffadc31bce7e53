"""``manage.py backup`` and ``manage.py restore``: what an operator sees when backing up, restoring onto an empty
database and reading the verification table, on the suite's database (SQLite, or PostgreSQL when the suite runs
there).

One archive is made per module from a slice of the demo (its organisation and users, the five-dimension survey)
with an uploaded file attached to a hardship file (a many-to-many row); each test restores it into a database of
its own: a new file on SQLite, a database made for the test on PostgreSQL and dropped after it.
"""

import copy
import io
import json
import re
import shutil
import tarfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.db.utils import load_backend
from django.test import override_settings

from assistance.tests.factories import make_household
from audit import chain
from audit.models import AuditEvent, AuditSeal
from evidence import services as evidence
from orgs import demo as org_demo
from orgs.models import User
from qingdan import backups, clock, pagecache, restores
from surveys import demo as survey_demo

PDF = b"%PDF-1.4\n" + "职工代表大会决议（扫描件）".encode() * 200 + b"\n%%EOF\n"
# Tables that are no model's: Django's record of migrations (in the manifest as the migration state) and the
# poll throttle's cache, which holds only counts that expire within a minute.
NOT_MODELS = {"django_migrations", "qingdan_poll_throttle"}


def all_counts(alias):
    """Every table's rows in ``alias``, counted here rather than by the code under test."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        counts = {}
        for name in names:
            cursor.execute(f'SELECT COUNT(*) FROM "{name}"')  # noqa: S608 - the database's own table names
            counts[name] = cursor.fetchone()[0]
    return counts


@pytest.fixture(scope="module")
def backed_up(django_db_setup, django_db_blocker, tmp_path_factory):
    """The slice of the demo loaded into the suite's database, one archive of it, and the facts to compare a
    restore with; the database is emptied again afterwards for the tests that follow."""
    folder = tmp_path_factory.mktemp("backup")
    with override_settings(MEDIA_ROOT=str(folder / "media")), django_db_blocker.unblock():
        try:
            org_demo.build(org_demo.DEFAULT_PASSWORD)
            survey_demo.build()
            office = User.objects.get(username="office")
            piece = evidence.keep(uploaded=SimpleUploadedFile("职代会决议.pdf", PDF), actor=office)
            make_household(office.org_unit).attachments.add(piece)
            out = io.StringIO()
            call_command("backup", output=str(folder / "archives"), stdout=out, stderr=io.StringIO())
            archive = next((folder / "archives").glob("qingdan-backup-*.tar"))
            head = AuditSeal.objects.order_by("-seq").values_list("seq", "hash").first()
            facts = {
                "archive": archive,
                "output": out.getvalue(),
                "counts": all_counts("default"),
                "head": head,
                "file": piece.file.name,
                "event": AuditEvent.objects.filter(action="evidence.added").values_list("id", flat=True).get(),
            }
        finally:
            call_command("flush", interactive=False, verbosity=0)
    with tarfile.open(archive) as opened:
        facts["manifest"] = json.loads(opened.extractfile("manifest.json").read())
    return facts


@contextmanager
def new_database(tmp_path, label):
    """A new, empty database under the alias ``label``: a file on SQLite, ``CREATE DATABASE`` on PostgreSQL."""
    default = connections["default"]
    config = copy.deepcopy(default.settings_dict)
    name = None
    if default.vendor == "postgresql":
        name = f"qingdan_restore_{uuid.uuid4().hex[:12]}"
        with default._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        config["NAME"] = name
    else:
        config["NAME"] = str(tmp_path / f"{label}.sqlite3")
    # Made here rather than configured, so the test case lets it connect (Django allows dynamic connections).
    connections[label] = load_backend(config["ENGINE"]).DatabaseWrapper(config, label)
    try:
        yield label
    finally:
        connections[label].close()
        del connections[label]
        if name:
            with default._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def target(transactional_db, tmp_path, settings):
    """An empty database to restore into and an empty media folder."""
    settings.MEDIA_ROOT = str(tmp_path / "restored-media")
    with new_database(tmp_path, "restore_target") as alias:
        yield alias


def restore(archive, alias, *options):
    """Run ``manage.py restore``: (the exit status, what it printed)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("restore", str(archive), *options, database=alias, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


def line_of(output, name):
    return next(line for line in output.splitlines() if line.startswith(name + " "))


def test_the_backup_says_where_it_wrote_what(backed_up):
    manifest, output = backed_up["manifest"], backed_up["output"]
    assert re.fullmatch(rf"qingdan-backup-{clock.local_now():%Y%m%d-%H%M}\.tar", backed_up["archive"].name)
    assert f"备份完成 / Backup written: {backed_up['archive']}" in output
    assert backed_up["archive"].stat().st_mode & 0o777 == 0o600  # everything the platform holds: its owner's only
    seq, digest = backed_up["head"]
    assert f"审计链头 audit head: {seq}:{digest}" in output and seq > 100
    assert manifest["engine"] == connections["default"].vendor
    assert (manifest["audit"]["head_seq"], manifest["audit"]["head_hash"]) == (seq, digest)
    assert manifest["audit"]["checked_before_backup"]["broken"] is None
    assert manifest["files"]["count"] == 1 and manifest["files"]["bytes"] == len(PDF)
    assert manifest["files"]["list"][0]["path"] == backed_up["file"]
    assert manifest["seconds"] >= 0


def test_the_manifest_counts_every_table_of_every_model_and_the_many_to_many_tables(backed_up):
    counts = backed_up["counts"]
    assert manifest_tables(backed_up) == {name: n for name, n in counts.items() if name not in NOT_MODELS}
    assert backed_up["manifest"]["tables"]["assistance_household_attachments"] == 1
    assert backed_up["manifest"]["tables"]["orgs_orgunit"] > 100
    assert backed_up["manifest"]["migrations"]["audit"].startswith("00")


def manifest_tables(backed_up):
    return backed_up["manifest"]["tables"]


def test_a_restore_onto_a_new_database_gives_back_every_row_the_audit_chain_and_the_file(backed_up, target, settings):
    unknown = pagecache.VERSION + pagecache.UNKNOWN
    before = cache.get(unknown)
    status, output = restore(backed_up["archive"], target, "--yes")

    assert status == 0, output
    assert "失败" not in output and "校验通过" in output
    assert all_counts(target) == backed_up["counts"]
    assert line_of(output, "assistance_household_attachments").split()[1:] == ["1", "1", "通过"]
    seq, digest = backed_up["head"]
    verdict = chain.verify(using=target)
    assert verdict.broken is None and (verdict.head_seq, verdict.head_hash) == (seq, digest)
    assert f"审计链 audit chain → {seq}:{digest[:12]}" in output
    assert (Path(settings.MEDIA_ROOT) / backed_up["file"]).read_bytes() == PDF
    assert cache.get(unknown) != before  # written outside Django's cursor: every kept page is stale


def test_a_restore_onto_a_database_with_rows_is_refused_and_changes_nothing(backed_up, target):
    restore(backed_up["archive"], target, "--yes")
    User.objects.using(target).filter(username="office").update(full_name="改过的名字")
    before = all_counts(target)

    status, output = restore(backed_up["archive"], target, "--yes")

    assert status == 2
    assert (
        "目标数据库不是空的" in output and "The target database is not empty" in output and "audit_auditevent" in output
    )
    assert all_counts(target) == before
    assert User.objects.using(target).get(username="office").full_name == "改过的名字"


def test_without_yes_and_no_terminal_to_ask_the_restore_changes_nothing(backed_up, target):
    status, output = restore(backed_up["archive"], target)
    assert status == 2 and "已取消" in output
    assert backups.tables_with_rows(target) == []


def repack(original, database_file, out):
    """``original`` with its database file replaced by ``database_file``, its manifest kept: a tampered dump."""
    with tarfile.open(original) as source, tarfile.open(out, "w") as packed:
        for member in source.getmembers():
            if member.name == backed_name(source):
                info = packed.gettarinfo(str(database_file), arcname=member.name)
                with open(database_file, "rb") as data:
                    packed.addfile(info, data)
            elif member.name == "manifest.json":
                manifest = json.loads(source.extractfile(member).read())
                manifest["database"]["bytes"] = Path(database_file).stat().st_size  # tampered with care
                data = json.dumps(manifest).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size = len(data)
                packed.addfile(info, io.BytesIO(data))
            else:
                packed.addfile(member, source.extractfile(member))
    return out


def backed_name(opened):
    return next(name for name in opened.getnames() if name.startswith("database."))


def tamper(alias, event_id):
    """Delete one row of a many-to-many table and alter one audit event, as the tables' owner could."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM assistance_household_attachments")
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_no_update")
        cursor.execute("UPDATE audit_auditevent SET message = 'altered' WHERE id = %s", [event_id])


def test_a_tampered_archive_fails_verification_naming_the_table_and_the_event(backed_up, target, tmp_path):
    with new_database(tmp_path, "restore_scratch") as scratch:
        restores.restore(path=backed_up["archive"], alias=scratch, stream=io.StringIO())
        tamper(scratch, backed_up["event"])
        connections[scratch].close()
        with override_settings(MEDIA_ROOT=str(tmp_path / "no-media")):
            tampered, _manifest = backups.make_backup(output=tmp_path / "t.tar", alias=scratch, stream=io.StringIO())
    with tarfile.open(tampered) as opened:
        dump = tmp_path / backed_name(opened)
        dump.write_bytes(opened.extractfile(backed_name(opened)).read())
    archive = repack(backed_up["archive"], dump, tmp_path / "tampered.tar")

    status, output = restore(archive, target, "--yes")

    assert status == 1
    assert line_of(output, "assistance_household_attachments").split()[1:] == ["1", "0", "失败", "✗"]
    audit = next(line for line in output.splitlines() if line.startswith("审计链"))
    assert audit.split()[-3:] == [f"{backed_up['event']}", "失败", "✗"]
    assert f"broken at event {backed_up['event']}" in audit
    note = next(line for line in output.splitlines() if line.startswith("审计链") and "evidence.added" in line)
    assert "its content does not match its seal: it was altered after it was written" in note
    assert "校验失败" in output and "assistance_household_attachments" in output.splitlines()[-1]


def test_a_truncated_archive_is_refused_clearly_and_the_database_stays_empty(backed_up, target, tmp_path):
    data = backed_up["archive"].read_bytes()
    cut = tmp_path / "cut.tar"
    cut.write_bytes(data[: len(data) // 2])

    status, output = restore(cut, target, "--yes")

    assert status == 2
    assert "备份文件不完整或已损坏" in output and "truncated or damaged" in output and "Nothing was restored" in output
    assert backups.tables_with_rows(target) == []


def test_an_archive_whose_database_file_is_damaged_is_refused_and_the_database_stays_empty(backed_up, target, tmp_path):
    damaged = tmp_path / "damaged"
    damaged.write_bytes(b"\0" * 4096)
    archive = repack(backed_up["archive"], damaged, tmp_path / "damaged.tar")

    status, output = restore(archive, target, "--yes")

    assert status == 2, output
    assert ("已损坏" in output) if connections[target].vendor == "sqlite" else ("pg_restore 失败" in output)
    assert backups.tables_with_rows(target) == []
    assert not backups.existing_tables(target) - {"sqlite_sequence"}


def test_verify_only_compares_a_live_database_and_its_files_with_the_archive(backed_up, target, settings):
    restore(backed_up["archive"], target, "--yes")
    status, output = restore(backed_up["archive"], target, "--verify-only")
    assert status == 0 and "校验通过" in output and "数据库文件" not in output  # no dump was read

    with connections[target].cursor() as cursor:
        cursor.execute("DELETE FROM orgs_userrole WHERE id = (SELECT MAX(id) FROM orgs_userrole)")
    (Path(settings.MEDIA_ROOT) / backed_up["file"]).write_bytes(b"%PDF-1.4 changed")
    status, output = restore(backed_up["archive"], target, "--verify-only")

    assert status == 1
    expected = backed_up["counts"]["orgs_userrole"]
    assert line_of(output, "orgs_userrole").split()[1:] == [f"{expected:,}", f"{expected - 1:,}", "失败", "✗"]
    assert f"文件 file {backed_up['file']}" in output


def test_the_backup_refuses_an_output_that_exists(backed_up, transactional_db):
    status = None
    with pytest.raises(CommandError) as refused:
        call_command("backup", output=str(backed_up["archive"]), stdout=io.StringIO(), stderr=io.StringIO())
    status = refused.value.returncode
    assert status == 2
    assert "备份文件已存在" in str(refused.value) and "already exists" in str(refused.value)


def test_the_backup_refuses_when_the_disk_lacks_room_and_writes_nothing(transactional_db, tmp_path, monkeypatch):
    monkeypatch.setattr(backups.shutil, "disk_usage", lambda _path: shutil._ntuple_diskusage(10**9, 10**9, 4096))
    with pytest.raises(CommandError) as refused:
        call_command("backup", output=str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())
    assert "磁盘空间不足" in str(refused.value) and "Not enough room" in str(refused.value)
    assert list(tmp_path.iterdir()) == []


def test_without_pg_dump_the_backup_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(backups.shutil, "which", lambda _name: None)
    monkeypatch.setattr(backups.glob, "glob", lambda _pattern: [])
    with pytest.raises(backups.BackupError, match="找不到 pg_dump.*postgresql-client"):
        backups.pg_tool("pg_dump")


@pytest.mark.skipif("connections['default'].vendor != 'postgresql'")
def test_on_postgresql_the_backup_refuses_without_pg_dump(transactional_db, tmp_path, monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda _name: None)
    monkeypatch.setattr(backups.glob, "glob", lambda _pattern: [])
    with pytest.raises(CommandError, match="pg_dump was not found") as refused:
        call_command("backup", output=str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())
    assert refused.value.returncode == 2 and list(tmp_path.iterdir()) == []


def test_pg_dump_gets_the_connection_settings_and_the_password_through_its_environment(monkeypatch):
    config = copy.deepcopy(connections["default"].settings_dict)
    config.update(
        ENGINE="django.db.backends.postgresql", NAME="qingdan", HOST="db.example", PORT="5433", USER="qingdan_owner"
    )
    config.update(PASSWORD="s3cret-Pw", OPTIONS={"sslmode": "require"})
    monkeypatch.setenv("PGHOST", "elsewhere")  # left in the operator's shell: not where the backup connects
    connections["pg_settings"] = load_backend(config["ENGINE"]).DatabaseWrapper(config, "pg_settings")
    try:
        env = backups.pg_environment("pg_settings")
    finally:
        del connections["pg_settings"]
    assert {k: env[k] for k in ("PGDATABASE", "PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGSSLMODE")} == {
        "PGDATABASE": "qingdan",
        "PGHOST": "db.example",
        "PGPORT": "5433",
        "PGUSER": "qingdan_owner",
        "PGPASSWORD": "s3cret-Pw",
        "PGSSLMODE": "require",
    }
