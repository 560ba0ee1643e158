"""Cell values of the ledger as offices write them, both ways: dates (完成时限), time
nodes (时间节点) and numbers (序号).

The export writes with `nodes_text` and `due_text`; the import reads with
`nodes_parse` and `due_parse`; a ledger exported and imported again is unchanged.
"""

import datetime
import re

from duban.supervision.ledger_import.columns import LONG_TERM, NUMBER_RE

EXCEL_EPOCH = datetime.date(1899, 12, 30)
# A whole number in this range in a date cell is an Excel date serial (1954 to 2173).
EXCEL_SERIALS = range(20_000, 100_000)
DATE_RE = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
NODE_SPLIT_RE = re.compile(r"[；;\r\n]+")
NODE_RE = re.compile(
    r"^(?:(?P<y>\d{4})\s*[-/.年]\s*)?(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?+(?:\s+|[：:，,、]\s*|(?=\D))(?P<title>.+)$"
)


class BadValue(ValueError):
    """A cell's text is not in a form the import understands."""


# --- 完成时限 -----------------------------------------------------------------------


def due_parse(text: str) -> datetime.date | None:
    """2026-12-31, 2026/12/31, 2026年12月31日, an Excel date (read as ISO text or as a
    serial number), or 长期坚持 (None). Raises BadValue."""
    text = (text or "").strip()
    if text in LONG_TERM:
        return None
    if text.isdecimal() and int(text) in EXCEL_SERIALS:  # isdigit() would let “²” reach int()
        return EXCEL_EPOCH + datetime.timedelta(days=int(text))
    match = DATE_RE.match(text)
    if not match:
        raise BadValue(text)
    try:
        return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise BadValue(text)


def due_text(due: datetime.date | None):
    """The 完成时限 cell: the date itself (formatted by the sheet) or 长期坚持."""
    return due if due is not None else LONG_TERM[0]


# --- 时间节点 -----------------------------------------------------------------------


def _year_for(month: int, day: int, due: datetime.date | None, today: datetime.date) -> datetime.date:
    """A month and day without a year: in the due date's year, or the year before when
    that would fall after the due date; for an item with no due date, this year."""
    if due is None:
        return datetime.date(today.year, month, day)
    candidate = datetime.date(due.year, month, day)
    if candidate > due:
        candidate = datetime.date(due.year - 1, month, day)
    return candidate


def nodes_parse(text: str, due: datetime.date | None, today: datetime.date) -> list[tuple[datetime.date, str]]:
    """“10月15日 完成方案论证；2026-11-30 完成招标” → [(date, title), …]. Raises
    BadValue with the piece that is wrong."""
    nodes = []
    for piece in NODE_SPLIT_RE.split(text or ""):
        piece = piece.strip().strip("。").strip()
        if not piece:
            continue
        match = NODE_RE.match(piece)
        title = match["title"].strip() if match else ""
        if not title:
            raise BadValue(piece)
        try:
            month, day = int(match["m"]), int(match["d"])
            on = datetime.date(int(match["y"]), month, day) if match["y"] else _year_for(month, day, due, today)
        except ValueError:
            raise BadValue(piece)
        nodes.append((on, title))
    return nodes


def nodes_text(nodes, due: datetime.date | None) -> str:
    """(date, title) pairs in date order as the ledger writes them: “10月15日 完成方案论证；
    11月30日 完成招标”, with the full date where the year cannot be inferred back."""
    parts = []
    for on, title in nodes:
        try:
            short = due is not None and _year_for(on.month, on.day, due, on) == on
        except ValueError:  # 2月29日 in a year without one
            short = False
        parts.append(f"{on.month}月{on.day}日 {title}" if short else f"{on.isoformat()} {title}")
    return "；".join(parts)


# --- 序号 ---------------------------------------------------------------------------


def number_parse(text: str) -> tuple[int | None, int] | None:
    """“2” → (None, 2); “2.3” → (2, 3); blank → None. Raises BadValue."""
    text = (text or "").strip()
    if not text:
        return None
    match = NUMBER_RE.match(text)
    if not match or int(match["first"]) == 0 or (match["second"] is not None and int(match["second"]) == 0):
        raise BadValue(text)
    if match["second"] is None:
        return None, int(match["first"])
    return int(match["first"]), int(match["second"])
