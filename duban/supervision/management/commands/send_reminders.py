"""Run the reminder ladder once: `python manage.py send_reminders [--date YYYY-MM-DD]`."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from duban.supervision.reminders import sweep

ERR_DATE = "日期格式应为 YYYY-MM-DD，例如 2026-11-02。"
ERR_FAILED = "有 {n} 条提醒发送失败，详见日志；下次运行会重试。"


class Command(BaseCommand):
    help = "运行一次提醒与督办阶梯：开启到期的填报期，刷新事项状态，发送应发的提醒（同一提醒每天至多一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按指定日期运行（YYYY-MM-DD），默认今天。")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(ERR_DATE)
        result = sweep(today)
        self.stdout.write(result.summary())
        if result.failed:
            # A non-zero exit code lets cron or a monitor notice.
            raise CommandError(ERR_FAILED.format(n=result.failed))
