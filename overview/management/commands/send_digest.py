from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from overview import digest
from qingdan.progress import TerminalProgress


class Command(BaseCommand):
    help = (
        "Give every leader and office clerk the weekly digest (what changed, what is overdue) in their workbench, "
        "and by mail when QINGDAN_EMAIL_HOST is set. Safe to run again: each person gets one digest per week."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--week-of",
            dest="week_of",
            help="any day (YYYY-MM-DD) of the week to digest; default: the week that ended last Sunday",
        )

    def handle(self, *args, week_of=None, **options):
        if week_of:
            try:
                start, _end = digest.week_of(date.fromisoformat(week_of))
            except ValueError as wrong:
                raise CommandError(f"--week-of 应为日期，如 2026-09-14：{week_of!r}") from wrong
        else:
            start = digest.last_week()
        mail = "并发送邮件" if digest.mail_enabled() else "未配置邮件（QINGDAN_EMAIL_HOST），只发站内通知"
        self.stdout.write(f"周报 {start.isoformat()} 起的一周，{mail}。")
        sent, skipped = digest.send_all(
            start, progress=TerminalProgress("发送周报"), site_url=settings.QINGDAN_SITE_URL
        )
        self.stdout.write(f"已发送 {sent} 份，之前已发过 {skipped} 份。")
