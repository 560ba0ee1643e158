import json
from datetime import date

from django.core.management.base import BaseCommand

from duban.minutes.extract import extract, public
from duban.minutes.reading import Unreadable, read_text
from duban.minutes.units import registry_units


class Command(BaseCommand):
    help = "从会议纪要/新闻稿中提取督办事项，输出 JSON"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--published", help="发布日期 YYYY-MM-DD", default=None)

    def handle(self, *args, **opts):
        published = None
        if opts["published"]:
            try:
                published = date.fromisoformat(opts["published"])
            except ValueError:
                self.stderr.write("发布日期格式应为 YYYY-MM-DD")
                raise SystemExit(2) from None
        try:
            text = read_text(opts["path"])
        except Unreadable as e:
            self.stderr.write(str(e))
            raise SystemExit(2) from None
        units, from_registry = registry_units()
        result = public(extract(text, published=published, units=units, expand_off=not from_registry))
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
