"""The meeting pack (调度会汇报材料): before a scheduling meeting, each lead unit's items
with their latest report — 工作进展 / 存在问题 / 下一步计划 — and status, compiled
into one Word document with a cover page. Units come in unit order (Unit.order).
"""

import datetime

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Pt

from duban.lib.dates import cn_date
from duban.supervision import documents as doc
from duban.supervision.exports.weekly_docx import KAITI, cn_ordinal
from duban.supervision.models import Plan
from duban.supervision.summaries import PackUnit, week_range_text
from duban.system.models import SiteSettings

SECTIONS = (("工作进展", "progress_text"), ("存在问题", "problems"), ("下一步计划", "next_steps"))


def meeting_pack_title(plan: Plan) -> str:
    return f"{plan.title}调度会汇报材料"


def pack_filename(name: str, on: datetime.date) -> str:
    """《name（11月20日）.docx》: a meeting pack's file name."""
    return f"{name}（{on.month}月{on.day}日）.docx"


def meeting_pack_filename(plan: Plan, on: datetime.date) -> str:
    return pack_filename(f"{plan.title}调度会材料", on)


def _cover(document, title: str, on: datetime.date, lines=(), subtitle: str = "") -> None:
    """A cover page: the institution, the title (and subtitle), then `lines` and the date,
    centred; the page breaks after it. Also used by duban.meetings.pack."""
    for _ in range(4):
        doc._paragraph(document, indent=False)
    institution = SiteSettings.current().institution_name
    doc._paragraph(document, institution, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, font=doc.HEADING_FONT)
    doc._paragraph(document, indent=False)
    heading = doc._paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    heading.paragraph_format.line_spacing = Pt(40)
    doc._run(heading, title, font=doc.TITLE_FONT, size=Pt(26))
    if subtitle:
        doc._paragraph(document, subtitle, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, font=doc.HEADING_FONT)
    for _ in range(5 if subtitle else 6):
        doc._paragraph(document, indent=False)
    for line in lines:
        doc._paragraph(document, line, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    date = doc._paragraph(document, cn_date(on, full=True), align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    date.runs[-1].add_break(WD_BREAK.PAGE)


def _labelled(document, label: str, text: str) -> None:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()] or ["无。"]
    paragraph = doc._paragraph(document)
    doc._run(paragraph, f"{label}：", bold=True)
    doc._run(paragraph, lines[0])
    for line in lines[1:]:
        doc._paragraph(document, line)


def meeting_pack_docx(plan: Plan, units: list[PackUnit], on: datetime.date) -> bytes:
    document = doc._new_document()
    _cover(document, meeting_pack_title(plan), on, lines=[doc._issuing_unit(plan, None)])
    doc._title(document, meeting_pack_title(plan))
    if not units:
        doc._paragraph(document, "本计划中还没有您可以查看的事项。")
    for index, unit in enumerate(units, start=1):
        doc._heading(document, f"{cn_ordinal(index)}、{unit.name}")
        for number, entry in enumerate(unit.entries, start=1):
            item, report = entry.item, entry.report
            doc._paragraph(document, f"（{cn_ordinal(number)}）{item.title}", font=KAITI)
            state = item.state
            status = f"状态：{state.get_status_display()}"
            if state.reason and state.reason != state.get_status_display():
                status += f"（{state.reason}）"
            status += f"；完成进度：{state.progress}%"
            if report is not None:
                status += f"；报告期：{week_range_text(report.period_start, report.period_end)}"
            doc._paragraph(document, status + "。")
            if report is None:
                doc._paragraph(document, "该事项尚未报送进展。")
                continue
            for label, attribute in SECTIONS:
                _labelled(document, label, getattr(report, attribute))
    return doc._bytes(document)
