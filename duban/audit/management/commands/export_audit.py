from django.core.management.base import BaseCommand, CommandError

from duban.audit.export import events_jsonl
from duban.audit.models import SecurityEvent


class Command(BaseCommand):
    help = (
        "把安全审计日志导出为 JSON Lines（每行一条事件，带序号与哈希链字段），供外部日志系统采集。"
        "定时任务可用 --after 只导出上次之后的新事件。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--after", type=int, default=0, help="只导出序号大于此值的事件")
        parser.add_argument("--output", "-o", default="-", help="输出文件（默认标准输出）")

    def handle(self, *args, after=0, output="-", **options):
        if after < 0:
            raise CommandError("--after 不能为负数。")
        rows = SecurityEvent.objects.filter(seq__gt=after)
        if output == "-":
            for line in events_jsonl(rows):
                self.stdout.write(line, ending="")
            return
        count = 0
        with open(output, "w", encoding="utf-8") as stream:
            for line in events_jsonl(rows):
                stream.write(line)
                count += 1
        self.stdout.write(f"已导出 {count} 条安全事件到 {output}。")
