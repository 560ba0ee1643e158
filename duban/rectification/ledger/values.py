"""Cell values of the 整改台账 both ways: 整改时限 (a measure's type and date), 完成情况
and 销号情况 (export only), and people's names.

The export writes with `deadline_text`; the import reads with `deadline_parse`; a
ledger exported and imported again is unchanged.
"""

import datetime
import re

from duban.rectification.models import MeasureType
from duban.supervision.ledger_import.values import BadValue, due_parse

IMMEDIATE = "立行立改"
ONGOING = ("长期坚持", "长期")
INSTITUTION = "建章立制"
DEADLINE = "限期整改"
# “立行立改（2026-11-30）”, “2026-12-31（建章立制）”, “建章立制 2026-12-31”: a type word and a date.
TYPE_WORDS = {IMMEDIATE: MeasureType.IMMEDIATE, INSTITUTION: MeasureType.INSTITUTION, DEADLINE: MeasureType.DEADLINE}
BRACKETS_RE = re.compile(r"[（()）\[\]【】:：,，\s]+")


def deadline_text(measure_type: str, due: datetime.date | None) -> str:
    """The 整改时限 cell of a measure."""
    day = due.isoformat() if due else ""
    if measure_type == MeasureType.ONGOING:
        return ONGOING[0]
    if measure_type == MeasureType.IMMEDIATE:
        return f"{IMMEDIATE}（{day}）" if day else IMMEDIATE
    if measure_type == MeasureType.INSTITUTION:
        return f"{day}（{INSTITUTION}）" if day else INSTITUTION
    return day


def deadline_parse(text: str) -> tuple[str, datetime.date | None]:
    """(measure type, date or None) from a 整改时限 cell. A bare date is 限期整改;
    立行立改 may come without a date (the caller supplies one). Raises BadValue."""
    text = (text or "").strip()
    if text in ONGOING:
        return MeasureType.ONGOING, None
    measure_type = MeasureType.DEADLINE
    rest = text
    for word, kind in TYPE_WORDS.items():
        if word in rest:
            measure_type, rest = kind, rest.replace(word, " ")
            break
    rest = BRACKETS_RE.sub(" ", rest).strip()
    if not rest:
        if measure_type == MeasureType.IMMEDIATE:
            return measure_type, None
        raise BadValue(text)
    due = due_parse(rest)
    if due is None:  # a second type word, e.g. “长期坚持（建章立制）”
        raise BadValue(text)
    return measure_type, due


def person_text(person_id, names: dict, namesakes: set[str]) -> str:
    """A name, with the login name where another active person has the same name (the
    import reads “王伟（wangwei）” back without ambiguity)."""
    if person_id is None or person_id not in names:
        return ""
    name, username = names[person_id]
    return f"{name}（{username}）" if name in namesakes else name
