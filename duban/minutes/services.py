"""Writes of the minutes app: store a report with its proposed items, keep the clerk's
edits, and turn the confirmed requirements into supervision items exactly once."""

import datetime
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from duban.minutes.extract import extract
from duban.minutes.models import DraftStatus, MinutesDraft
from duban.minutes.normalise import normalise
from duban.minutes.units import registry_units
from duban.org.models import Unit
from duban.supervision.models import Item, Plan
from duban.supervision.services import Refused
from duban.supervision.services.items import item_save
from duban.supervision.services.plans import (  # noqa: F401 (the messages, re-exported for the minutes pages)
    ERR_NO_PLAN,
    ERR_NO_START,
    ERR_PLAN_CLOSED,
    plan_open_for_items,
    require_office,
)

ERR_NO_REQUIREMENTS = (
    "没有从这段文字中找到领导提出的工作要求（例如“一要……二要……”“一是……二是……”）。请检查是否粘贴了完整的讲话内容。"
)
ERR_ALREADY_CREATED = "这篇纪要已经创建过督办事项，不能重复创建。"
ERR_NOTHING_KEPT = "没有保留任何事项：请至少保留一条。"
ERR_MERGE_FIRST = "第 {n} 条前面没有保留的事项，无法“并入上一条”。"
ERR_NO_HEADLINE = "第 {n} 条没有填写事项名称。"
ERR_NO_LEAD = "第 {n} 条“{title}”没有选择牵头单位。"
ERR_DUE_BEFORE_START = "第 {n} 条“{title}”的完成时限 {due} 早于开始日期 {start}，请修改。"

TITLE_MAX = 200
REMARKS_MAX = 300


@dataclass
class Row:
    """One proposed requirement as the clerk left it on the review page."""

    number: int  # the number shown on the page (the extraction's ordinal)
    keep: bool = True
    merge: bool = False
    headline: str = ""
    text: str = ""
    speaker: str = ""
    deadline: datetime.date | None = None
    lead_unit: Unit | None = None
    co_units: list = field(default_factory=list)
    span: tuple[int, int] | None = None
    # Filled by merge_rows: the numbers and spans of the rows merged into this one.
    numbers: list = field(default_factory=list)
    spans: list = field(default_factory=list)
    speakers: list = field(default_factory=list)


def item_title(headline: str) -> str:
    """An item's title from a requirement's headline: the leading 要 of "要抢抓机遇…" is the
    speaker's voice, not part of the task."""
    headline = (headline or "").strip()
    if headline.startswith("要") and len(headline) > 4 and not headline.startswith("要求"):
        return headline[1:]
    return headline


def guess_title(original: str) -> str:
    """The report's headline: an early short line that is not a sentence."""
    for line in normalise(original).text.splitlines()[:6]:
        line = line.strip()
        if 6 <= len(line) <= 60 and not re.search(r"[。；：，,;:！？!?]", line):
            return line
    return ""


@transaction.atomic
def draft_create(
    *,
    acting_user,
    text: str,
    title: str = "",
    published: datetime.date | None = None,
    source_name: str = "",
    meeting=None,
) -> MinutesDraft:
    """Read the report, propose its requirements and store both for review. A draft linked to a
    meeting of the platform takes the meeting's title and date when the text gives none."""
    require_office(acting_user)
    units, from_registry = registry_units()
    result = extract(text, published=published, units=units, expand_off=not from_registry)
    if not result["items"]:
        raise Refused(ERR_NO_REQUIREMENTS)
    found = result["meeting_date"]
    meeting_date = datetime.date.fromisoformat(found) if found else None
    if meeting is not None and meeting_date is None:
        meeting_date = timezone.localtime(meeting.starts_at).date()
    return MinutesDraft.objects.create(
        title=(title.strip() or (meeting.title if meeting else "") or guess_title(text))[:200],
        source_name=source_name[:200],
        original=text,
        published_on=published,
        meeting_date=meeting_date,
        meeting=meeting,
        meeting_title=meeting.title[:200] if meeting else "",
        result=result,
        created_by=acting_user,
    )


def rows_from_draft(draft: MinutesDraft) -> list[dict]:
    """The rows to show on the review page: the clerk's saved edits, else the proposal
    (units matched by name to the registry: the first is the lead, the others co-units)."""
    if draft.rows:
        return [dict(r) for r in draft.rows]
    names = {n for it in draft.proposed for n in it.get("units", [])}
    by_name = dict(Unit.objects.filter(name__in=names, is_active=True).values_list("name", "pk"))
    rows = []
    for it in draft.proposed:
        ids = [by_name[n] for n in it.get("units", []) if n in by_name]
        rows.append(
            {
                "number": it["ordinal"],
                "keep": True,
                "merge": False,
                "headline": item_title(it["headline"])[:TITLE_MAX],
                "text": it["text"],
                "speaker": it.get("speaker") or "",
                "deadline": it.get("deadline"),
                "lead_unit": ids[0] if ids else None,
                "co_units": ids[1:],
                "units_named": it.get("units", []),
            }
        )
    return rows


def source_spans(draft: MinutesDraft) -> dict[int, tuple[int, int]]:
    """Each proposed item's span in the original, trimmed of surrounding blanks and of any
    overlap with the next item, so the highlighted passages never overlap."""
    items = sorted(
        ((it["ordinal"], tuple(it["_span"])) for it in draft.proposed if it.get("_span")), key=lambda p: p[1]
    )
    text = draft.original
    spans = {}
    for k, (number, (start, end)) in enumerate(items):
        prev_end = max((s[1] for s in spans.values()), default=0)
        start = max(start, prev_end, 0)
        if k + 1 < len(items):
            end = min(end, items[k + 1][1][0])
        end = min(end, len(text))
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans[number] = (start, end)
    return spans


@transaction.atomic
def draft_save_rows(*, acting_user, draft: MinutesDraft, rows: list[Row]) -> MinutesDraft:
    """Keep the clerk's edits without creating anything yet."""
    require_office(acting_user)
    draft = MinutesDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.status != DraftStatus.DRAFT:
        raise Refused(ERR_ALREADY_CREATED)
    draft.rows = [
        {
            "number": r.number,
            "keep": r.keep,
            "merge": r.merge,
            "headline": r.headline,
            "text": r.text,
            "speaker": r.speaker,
            "deadline": r.deadline.isoformat() if r.deadline else None,
            "lead_unit": r.lead_unit.pk if r.lead_unit else None,
            "co_units": [u.pk for u in r.co_units],
        }
        for r in rows
    ]
    draft.save(update_fields=["rows"])
    return draft


def merge_rows(rows: list[Row]) -> list[Row]:
    """Drop the rows not kept and fold each "并入上一条" row into the kept row before it:
    texts joined, units unioned (the first lead stays lead), the earliest deadline."""
    merged: list[Row] = []
    for row in rows:
        if not row.keep:
            continue
        if row.merge:
            if not merged:
                raise Refused(ERR_MERGE_FIRST.format(n=row.number))
            into = merged[-1]
            into.text = "\n".join(t for t in (into.text, row.text) if t)
            into.numbers.append(row.number)
            if row.span:
                into.spans.append(row.span)
            if row.speaker and row.speaker not in into.speakers:
                into.speakers.append(row.speaker)
            if into.lead_unit is None:
                into.lead_unit = row.lead_unit
            elif row.lead_unit is not None:
                into.co_units.append(row.lead_unit)
            into.co_units.extend(row.co_units)
            if row.deadline and (into.deadline is None or row.deadline < into.deadline):
                into.deadline = row.deadline
            continue
        copy = Row(**{k: v for k, v in row.__dict__.items() if k not in ("numbers", "spans", "speakers")})
        copy.co_units = list(row.co_units)
        copy.numbers = [row.number]
        copy.spans = [row.span] if row.span else []
        copy.speakers = [row.speaker] if row.speaker else []
        merged.append(copy)
    for row in merged:
        seen = {row.lead_unit.pk} if row.lead_unit else set()
        units = []
        for unit in row.co_units:
            if unit.pk not in seen:
                seen.add(unit.pk)
                units.append(unit)
        row.co_units = units
    return merged


def _check(rows: list[Row], start_date: datetime.date) -> None:
    """Refuse, naming the item, before anything is written."""
    if not rows:
        raise Refused(ERR_NOTHING_KEPT)
    for row in rows:
        title = row.headline.strip()
        if not title:
            raise Refused(ERR_NO_HEADLINE.format(n=row.number))
        if row.lead_unit is None:
            raise Refused(ERR_NO_LEAD.format(n=row.number, title=title))
        if row.deadline and row.deadline < start_date:
            raise Refused(
                ERR_DUE_BEFORE_START.format(
                    n=row.number, title=title, due=row.deadline.isoformat(), start=start_date.isoformat()
                )
            )


def _source_text(draft: MinutesDraft, row: Row, spans: dict) -> str:
    """The requirement as the report words it (the original text, merged rows joined)."""
    parts = [draft.original[slice(*spans[n])] for n in row.numbers if n in spans]
    return "\n".join(parts) if parts else row.text


def _remarks(draft: MinutesDraft, row: Row) -> str:
    source = draft.title or "会议纪要"
    if row.speakers:
        return f"来源：{source}（{'、'.join(row.speakers)}讲话）"[:REMARKS_MAX]
    return f"来源：{source}"[:REMARKS_MAX]


@transaction.atomic
def items_from_draft(
    *, acting_user, draft: MinutesDraft, rows: list[Row], plan: Plan | None, start_date: datetime.date | None
) -> list[Item]:
    """Create one supervision item per kept (merged) requirement, numbered after the plan's
    existing items; mark the draft created. Refused as a whole if any row is incomplete,
    and refused if the draft already made its items (the draft row is locked first)."""
    require_office(acting_user)
    # 1. Lock the draft: two clicks or two clerks create the items once.
    draft = MinutesDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.status != DraftStatus.DRAFT:
        raise Refused(ERR_ALREADY_CREATED)
    # 2. Check everything before writing anything.
    plan = plan_open_for_items(plan, start_date)
    final = merge_rows(rows)
    _check(final, start_date)
    # 3. Create the items through supervision's own service (logs, report slots, state).
    spans = source_spans(draft)
    last = plan.items.order_by("-ordinal").values_list("ordinal", flat=True).first() or 0
    created = []
    for k, row in enumerate(final, start=1):
        item = Item(
            plan=plan,
            ordinal=last + k,
            title=row.headline.strip()[:TITLE_MAX],
            description=row.text.strip(),
            source_text=_source_text(draft, row, spans).strip(),
            lead_unit=row.lead_unit,
            start_date=start_date,
            due_date=row.deadline,
            remarks=_remarks(draft, row),
        )
        created.append(item_save(acting_user=acting_user, item=item, co_units=row.co_units))
    # 4. Mark the draft created and remember what it made.
    draft.status = DraftStatus.CREATED
    draft.plan = plan
    draft.items_created_by = acting_user
    draft.items_created_at = timezone.now()
    draft.save(update_fields=["status", "plan", "items_created_by", "items_created_at"])
    draft.items.set(created)
    return created
