"""Meeting dates and deadlines."""

import calendar
import re
from datetime import date, timedelta

from .normalise import to_simplified

CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "半": 0}

PUB = re.compile(
    r"(?:发布日期|发布时间|时间|日期|发表时间|更新时间|發佈日期|發布日期|時間)\s*[:：]\s*(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})"
)
DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")


def cn_int(s):
    if s.isdecimal():
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


DUE_AFTER = re.compile(r"(?:前|之前|以前|止|为止|起)")
# The header of minutes: "时间：2024年6月18日" / "会议时间：…" (bylines write 2024-06-18 and say 发布).
HEADER_DATE = re.compile(r"(?:^|\n)\s*(?:会议)?时\s*间\s*[:：]\s*(\d{4})年(\d{1,2})月(\d{1,2})日")
EVENT = re.compile(r"召开|举行|举办|会议|会上|主持|调研|座谈|开展|集体学习|研讨|讲话|出席")
# A paragraph that opens with its date ("9月26日，…" / "2023年6月8日上午，…"): the news lede.
LEDE = re.compile(r"(?:^|\n)[（(]?(?:\d{4}年)?\d{1,2}月\d{1,2}日")


def _resolve(m, published):
    if m.group(1):
        return _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if published is None:
        return None
    d = _safe(published.year, int(m.group(2)), int(m.group(3)))
    if d and d > published and (d - published).days > 1:  # published + 1 day overflows on 9999-12-31
        d = _safe(published.year - 1, int(m.group(2)), int(m.group(3)))
    return d


def meeting_date(text, published=None):
    """The first dated event in the body; year from the text, else from the publication date.

    A date counts when an event word stands near it; failing that, the date a paragraph opens with.
    """
    for m in DATE.finditer(text):
        if DUE_AFTER.match(text, m.end()) or text[max(0, m.start() - 2) : m.start()] in ("截至", "截止"):
            continue  # "7月15日前…" is a deadline and "截至6月5日" a cut-off, not the day of the meeting
        window = text[m.end() : m.end() + 60]
        before = text[max(0, m.start() - 30) : m.start()]
        if EVENT.search(window + before):
            return _resolve(m, published)
    for lede in LEDE.finditer(text):
        m = DATE.search(text, lede.start())
        if m:
            return _resolve(m, published)
    return None


def header_date(original):
    """The meeting date in the header of minutes ("时间：2024年6月18日"), if any."""
    m = HEADER_DATE.search(to_simplified(original[:600]))
    return _safe(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


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
    ("cadence", re.compile(r"每(\d+|[一二两三四五六七八九十半]{1,3})?个?(周|星期|月|季度|旬)")),
]


def deadline(text, base):
    """First deadline in a requirement's text, resolved against the meeting date `base`; None
    when there is none, or when it falls outside the calendar ("99999个月内", a base in 9999)."""
    if base is None:
        return None
    try:
        return _deadline(text, base)
    except (ValueError, OverflowError):
        return None


def _deadline(text, base):
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
            # the first report of a cadence falls due one period after the meeting
            n = cn_int(m.group(1)) if m.group(1) else 1
            unit = m.group(2)
            if n == 0:  # 每半月
                return base + timedelta(days=15 if unit == "月" else 3)
            if n is None:
                continue
            months = {"月": 1, "季度": 3}.get(unit)
            if months:
                return _add_months(base, months * n)
            return base + timedelta(days={"周": 7, "星期": 7, "旬": 10}[unit] * n)
    return None
