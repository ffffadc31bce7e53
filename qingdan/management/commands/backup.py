from django.core.management.base import BaseCommand, CommandError

from qingdan import backups


class Command(BaseCommand):
    help = (
        "Write one archive of the platform: the database (PostgreSQL: pg_dump --format=custom; SQLite: an online "
        "copy), the uploaded files and a manifest of every table's rows, the migrations and the audit trail's head. "
        "Consistent while the platform runs. Restore it with manage.py restore (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="DIR|FILE",
            help="a folder (the archive is named qingdan-backup-YYYYMMDD-HHMM.tar by the clock) or a .tar file; "
            "default var/backups/. An existing file is never overwritten.",
        )
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, output=None, database="default", **options):
        try:
            path, manifest = backups.make_backup(
                output=output, alias=database, stream=getattr(self.stderr, "_out", self.stderr)
            )
        except backups.BackupError as refused:
            raise CommandError(str(refused), returncode=2) from refused
        audit, files = manifest["audit"], manifest["files"]
        checked = audit["checked_before_backup"]
        if checked["broken"]:
            self.stderr.write(
                f"注意：备份前审计链已断开 / Warning: the audit trail was already broken before the backup: "
                f"{checked['broken']}"
            )
        if files["skipped"]:
            self.stderr.write(files["skipped"])
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"备份完成 / Backup written: {path}\n"
            f"  数据库 {manifest['engine']}: {len(manifest['tables'])} 个表 tables, {rows:,} 行 rows, "
            f"{manifest['database']['bytes']:,} B\n"
            f"  审计链头 audit head: {audit['head_seq']}:{audit['head_hash']}\n"
            f"  文件 files: {files['count']:,}, {files['bytes']:,} B\n"
            f"  用时 time: {manifest['seconds']:.1f} s"
        )
