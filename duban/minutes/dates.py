"""Meeting dates and deadlines."""

import calendar
import re
from datetime import date, timedelta

CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "半": 0}

PUB = re.compile(
    r"(?:发布日期|发布时间|时间|日期|发表时间|更新时间|發佈日期|發布日期|時間)\s*[:：]\s*(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})"
)
DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")


def cn_int(s):
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + CN_NUM.get(s[1:], 0)
    if "十" in s:
        a, _, b = s.partition("十")
        return CN_NUM.get(a, 0) * 10 + (CN_NUM.get(b, 0) if b else 0)
    return CN_NUM.get(s)


def publication_date(original):
    m = PUB.search(original)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return None


def _safe(y, m, d):
    try:
        return date(y, m, d)
    except ValueError:
        return None


def meeting_date(text, published=None):
    """The first dated event in the body; year from the text, else from the publication date."""
    for m in DATE.finditer(text):
        window = text[m.end() : m.end() + 60]
        before = text[max(0, m.start() - 30) : m.start()]
        if not re.search(r"召开|举行|会议|会上|主持|调研|座谈", window + before):
            continue
        if m.group(1):
            return _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if published is None:
            return None
        d = _safe(published.year, int(m.group(2)), int(m.group(3)))
        if d and d > published + timedelta(days=1):
            d = _safe(published.year - 1, int(m.group(2)), int(m.group(3)))
        return d
    return None


def _add_months(d, n):
    y, mo = divmod(d.month - 1 + n, 12)
    y += d.year
    mo += 1
    return date(y, mo, min(d.day, calendar.monthrange(y, mo)[1]))


DEADLINE_PATTERNS = [
    ("date", re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日(?:前|之前|以前|止|为止)")),
    ("month_end", re.compile(r"(?:(\d{4})年)?(\d{1,2}|[一二三四五六七八九十]{1,3})月(?:底|末|份)(?:前|之前|以前)?")),
    ("year_end", re.compile(r"年底前|年底之前|年内|年底|年末|本年度内")),
    ("within", re.compile(r"(\d+|[一二两三四五六七八九十半]{1,3})个?(月|周|天|日|星期)(?:内|之内)")),
    ("cadence", re.compile(r"每(周|月|季度|旬)")),
]


def deadline(text, base):
    """First deadline in a requirement's text, resolved against the meeting date `base`."""
    if base is None:
        return None
    for kind, rx in DEADLINE_PATTERNS:
        m = rx.search(text)
        if not m:
            continue
        if kind == "date":
            y = int(m.group(1)) if m.group(1) else base.year
            d = _safe(y, int(m.group(2)), int(m.group(3)))
            if d and not m.group(1) and d < base:
                d = _safe(y + 1, int(m.group(2)), int(m.group(3)))
            return d
        if kind == "month_end":
            mo = cn_int(m.group(2))
            if not mo or mo > 12:
                continue
            y = int(m.group(1)) if m.group(1) else base.year
            if not m.group(1) and mo < base.month:
                y += 1
            return date(y, mo, calendar.monthrange(y, mo)[1])
        if kind == "year_end":
            return date(base.year, 12, 31)
        if kind == "within":
            n = cn_int(m.group(1))
            if n is None:
                continue
            unit = m.group(2)
            if unit == "月":
                return _add_months(base, n) if n else base + timedelta(days=15)
            if unit in ("周", "星期"):
                return base + timedelta(weeks=n)
            return base + timedelta(days=n)
        if kind == "cadence":
            step = {"周": 7, "月": 30, "季度": 91, "旬": 10, "天": 1, "日": 1}[m.group(1)]
            return base + timedelta(days=step)
    return None
