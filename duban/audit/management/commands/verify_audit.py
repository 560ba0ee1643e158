from django.core.management.base import BaseCommand

from duban.audit.models import SecurityEvent
from duban.audit.services import security_chain_verify


class Command(BaseCommand):
    help = "校验安全审计日志的哈希链：完好时退出码为 0，否则指出第一条异常记录并以 1 退出。"

    def handle(self, *args, **options):
        problem = security_chain_verify()
        if problem is not None:
            self.stderr.write(f"审计链校验失败：{problem.message}（序号 {problem.seq}）")
            raise SystemExit(1)
        count = SecurityEvent.objects.count()
        self.stdout.write(f"审计链完好：共 {count} 条记录。")
