"""The weekly summary as a Word document in the office's usual shape:
“XX第N周工作进展汇总（11月16日—11月22日）” with 一、总体情况 二、指标完成情况 (table)
三、滞后单位及问题 四、各项目进展 (table).

Page, fonts and headings come from duban.supervision.documents (GB/T 9704: A4,
仿宋 body, 黑体 headings, 小标宋 title); tables use 五号 type on single line spacing.
"""

from django.utils import timezone
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from duban.supervision import documents as doc
from duban.supervision.summaries import WeeklySummary, lag_reasons

SIZE_CELL = Pt(10.5)  # 五号
KAITI = "楷体"  # second-level headings (（一）…) as GB/T 9704 sets them
CN_NUMBERS = "一二三四五六七八九十"
LEFT, CENTER, RIGHT = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT


def cn_ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 25 → 二十五 (up to 99)."""
    if n <= 10:
        return CN_NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    return (CN_NUMBERS[tens - 1] if tens > 1 else "") + "十" + (CN_NUMBERS[ones - 1] if ones else "")


def _cell_text(cell, text: str, *, align=LEFT, font=doc.BODY_FONT, bold=False) -> None:
    lines = str(text or "").splitlines() or [""]
    for index, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.alignment = align
        fmt = paragraph.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        fmt.first_line_indent = Pt(0)
        doc._run(paragraph, line, font=font, size=SIZE_CELL, bold=bold)


def _repeat_header(row) -> None:
    """The header row repeats at the top of every page the table runs onto."""
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def table(document, headers: list[tuple[str, int, object]], rows) -> None:
    """A bordered table: headers are (title, width in mm, alignment); rows are lists of texts."""
    grid = document.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    # Word reads the cell widths, LibreOffice and WPS the grid's column widths: set both.
    for column, (_title, width, _align) in zip(grid.columns, headers, strict=True):
        column.width = Mm(width)
    for cell, (title, width, _align) in zip(grid.rows[0].cells, headers, strict=True):
        cell.width = Mm(width)
        _cell_text(cell, title, align=CENTER, font=doc.HEADING_FONT)
    _repeat_header(grid.rows[0])
    for values in rows:
        cells = grid.add_row().cells
        for cell, value, (_title, width, align) in zip(cells, values, headers, strict=True):
            cell.width = Mm(width)
            _cell_text(cell, value, align=align)


def _percent(value) -> str:
    return "" if value is None else f"{value}%"


def _amount(value) -> str:
    if value is None:
        return "—"
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}".rstrip("0")


def overview_sentences(summary: WeeklySummary) -> list[str]:
    counts = "、".join(f"{word}{n}项" for _s, word, _c, n in summary.status_counts if n)
    first = f"本周（{summary.range_text}）共跟踪督办事项{summary.total}项"
    first += f"，其中{counts}。" if counts else "。"
    filed = [(word, n) for key, word, _c, n in summary.filing_counts if key != "none" and n]
    due = sum(n for _w, n in filed)
    second = f"应报送进展{due}项，" + "、".join(f"{word}{n}项" for word, n in filed) + "。" if due else ""
    return [s for s in (first, second) if s]


def weekly_docx(summary: WeeklySummary) -> bytes:
    document = doc._new_document()
    doc._title(document, summary.title)

    doc._heading(document, "一、总体情况")
    for sentence in overview_sentences(summary):
        doc._paragraph(document, sentence)

    doc._heading(document, "二、指标完成情况")
    if summary.indicators:
        doc._paragraph(document, f"截至{summary.end.month}月{summary.end.day}日，各项指标完成情况如下表。")
        headers = [("指标", 38, LEFT), ("单位", 14, CENTER), ("目标", 20, RIGHT), ("截至本周", 22, RIGHT)]
        headers += [("截至上周", 22, RIGHT), ("本周新增", 20, RIGHT), ("完成率", 20, RIGHT)]
        rows = [
            [t.name, t.unit, _amount(t.target), _amount(t.current), _amount(t.previous), _amount(t.change)]
            + [_percent(t.rate)]
            for t in summary.indicators
        ]
        table(document, headers, rows)
    else:
        doc._paragraph(document, "本计划的事项未设置量化指标。")

    doc._heading(document, "三、滞后单位及问题")
    if not summary.lagging:
        doc._paragraph(document, "本周没有逾期、滞后或缺报的事项。")
    for index, unit in enumerate(summary.lagging, start=1):
        doc._paragraph(document, f"（{cn_ordinal(index)}）{unit.name}", font=KAITI)
        for number, row in enumerate(unit.rows, start=1):
            report = row.filed
            problems = (report.problems or "未说明存在的问题") if report else "本周未报送进展"
            text = f"{number}. {row.item.title}：{'；'.join(lag_reasons(row))}。存在问题：{problems}"
            doc._paragraph(document, text if text.endswith("。") else text + "。")

    doc._heading(document, "四、各项目进展")
    headers = [("序号", 12, CENTER), ("事项", 28, LEFT), ("牵头单位", 20, LEFT), ("本周工作进展", 41, LEFT)]
    headers += [("存在问题", 27, LEFT), ("进度", 13, CENTER), ("状态", 15, CENTER)]
    rows = []
    for row in summary.rows:
        report = row.filed
        progress = report.progress_text if report else row.filing_label
        status = row.item.state.get_status_display()
        if row.filing in ("late", "missing"):
            status += f"\n{row.filing_label}"
        rows.append(
            [
                row.number,
                row.item.title,
                row.item.lead_unit.name,
                progress,
                report.problems if report else "",
                _percent(report.percent if report else None),
                status,
            ]
        )
    table(document, headers, rows)
    doc._signature(document, doc._issuing_unit(summary.plan, None), timezone.localdate())
    return doc._bytes(document)
