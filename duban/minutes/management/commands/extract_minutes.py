import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand

from duban.minutes.extract import extract, public
from duban.minutes.units import registry_units


class Unreadable(Exception):
    pass


def read_text(path):
    p = Path(path)
    if not p.is_file():
        raise Unreadable(f"无法读取文件：{path} 不存在")
    raw = p.read_bytes()
    if not raw.strip():
        raise Unreadable(f"文件为空：{path}")
    if p.suffix.lower() == ".docx" or raw[:2] == b"PK":
        try:
            import docx

            doc = docx.Document(str(p))
        except Exception:
            raise Unreadable(f"无法读取 Word 文件：{path}") from None
        text = "\n".join(par.text for par in doc.paragraphs)
    else:
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise Unreadable(f"无法识别文件编码：{path}")
    if "\x00" in text or sum(1 for c in text if ord(c) < 32 and c not in "\r\n\t") > len(text) // 50:
        raise Unreadable(f"文件内容不是文本：{path}")
    if not any("\u4e00" <= c <= "\u9fff" for c in text):
        raise Unreadable(f"文件中没有可识别的中文内容：{path}")
    return text


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
