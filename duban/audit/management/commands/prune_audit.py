from django.core.management.base import BaseCommand

from duban.audit.retention import audit_prune, retention_days


class Command(BaseCommand):
    help = "清理超过保留期（AUDIT_RETENTION_DAYS，至少 180 天）的安全审计日志与登录记录；每次清理本身记入审计日志。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计将清理的条数，不删除")

    def handle(self, *args, dry_run=False, **options):
        result = audit_prune(dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"保留 {retention_days()} 天；将清理：{result.summary()}。（未删除）")
        elif result.total:
            self.stdout.write(f"已清理：{result.summary()}；清理已记为第 {result.event.seq} 条安全事件。")
        else:
            self.stdout.write(f"保留 {retention_days()} 天；没有过期的日志。")
