import sys

from django.core.management.base import BaseCommand, CommandError

from qingdan import backups, restores


class Command(BaseCommand):
    help = (
        "Restore an archive of manage.py backup onto an EMPTY database (it refuses, changing nothing, when any "
        "table of the platform holds rows), then check it: every table's rows against the manifest, the audit "
        "chain from its first event to the head the backup saw, the files by their SHA-256. Exits with status 1 "
        "on any difference. --verify-only checks the current database and files against an archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar written by manage.py backup")
        parser.add_argument("--yes", action="store_true", help="do not ask before restoring")
        parser.add_argument(
            "--verify-only", action="store_true", help="compare the database and files with the archive; no data is changed (the audit events committed without a seal are sealed first, as verify_audit does)"
        )
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, archive, yes=False, verify_only=False, database="default", **options):
        try:
            if verify_only:
                opened, digest = backups.Archive(archive), None
            else:
                opened, digest = restores.restore(
                    path=archive,
                    alias=database,
                    stream=getattr(self.stderr, "_out", self.stderr),
                    confirm=None if yes else self._confirm,
                )
            checks = restores.verify(opened.manifest, alias=database, digest=digest)
        except backups.BackupError as refused:
            raise CommandError(str(refused), returncode=2) from refused
        manifest = opened.manifest
        self.stdout.write(f"备份 archive: {opened.path} ({manifest['engine']}, {manifest['created_at']})")
        self.stdout.write(f"目标 target: {restores.describe_target(database)}")
        self.stdout.write(restores.table(checks))
        failed = [check for check in checks if not check.ok]
        if failed:
            raise CommandError(
                f"校验失败：{len(failed)} 项不符（{'、'.join(c.name for c in failed[:5])}）。 / "
                f"Verification failed: {len(failed)} of {len(checks)} checks differ.",
                returncode=1,
            )
        self.stdout.write(f"校验通过：{len(checks)} 项全部相符。 / Verified: all {len(checks)} checks pass.")

    def _confirm(self, target):
        if not sys.stdin.isatty():
            return False
        answer = input(f"将备份恢复到 / Restore into {target}? [y/N] ")
        return answer.strip().lower() in ("y", "yes", "是")
