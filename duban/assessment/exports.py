"""The locked result of a review session, read for the page and written as .xlsx and .docx.

Everything comes from `session.result` (the tally stored at close) plus the subjects' unit
and report mode; nothing is recounted here, so the page and both files always agree with
what was locked. The formula is written out in words so anyone can recompute a score.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from duban.assessment.models import ReportMode
from duban.lib.dates import cn_date
from duban.lib.numbers import plain
from duban.lib.xlsx import HeaderColumn, header_write
from duban.supervision import documents as doc

MODES = dict(ReportMode.choices)
HEADER_SHADE = "D9E2F3"
THIN = Side(style="thin", color="9AA5B1")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _decimal(text):
    return Decimal(text) if text not in (None, "") else None


@dataclass
class ResultRow:
    subject_id: int
    rank: int | None
    name: str
    unit: str
    mode: str
    counts: list  # per grade, best first
    ratings: int
    positive_rate: str | None
    score: str | None
    dimension_scores: list  # per dimension, in order
    by_group: dict  # group id -> counts per grade (broken-down groups only)


@dataclass
class GroupBreakdown:
    id: int
    name: str
    weight: str
    ballots: int
    broken_down: bool
    rows: list = field(default_factory=list)  # (ResultRow, counts)


@dataclass
class ResultTable:
    session: object
    grades: list  # [{"order", "label", "score", "positive"}]
    dimensions: list  # [{"id", "name", "weight"}]
    groups: list  # [GroupBreakdown]
    ballots: dict  # valid, invalid, online, paper
    min_breakdown: int
    rows: list  # [ResultRow] ranked
    positive_label: str
    formula: list  # sentences

    @property
    def grade_labels(self) -> list[str]:
        return [g["label"] for g in self.grades]

    @property
    def broken_down(self) -> list:
        return [g for g in self.groups if g.broken_down]

    def breakdown_rows(self) -> list:
        """(row, [counts per grade for each broken-down group]) for one table."""
        zeros = [0] * len(self.grades)
        groups = self.broken_down
        return [(row, [row.by_group.get(g.id, zeros) for g in groups]) for row in self.rows]


def positive_label(grades) -> str:
    """ "好+较好率" from the positive grades of the scale."""
    labels = [g["label"] for g in grades if g["positive"]]
    return _("%(labels)s率") % {"labels": "+".join(labels)} if labels else _("好评率")


def formula_lines(result: dict) -> list[str]:
    grades = result["grades"]
    dims = result["dimensions"]
    counted = result["ballots"]
    scores = "，".join(f"{g['label']} = {plain(g['score'])}" for g in grades)
    weights = "，".join(f"{g['name']} {plain(g['weight'])}" for g in result["groups"])
    lines = [_("等次分值：%(scores)s。") % {"scores": scores}]
    if dims:
        dim_weights = "，".join(f"{d['name']} {plain(d['weight'])}" for d in dims)
        lines.append(
            _(
                "维度得分 = Σ（类别权重 × 该类别对该维度评价的平均分）÷ Σ（参与评价的类别权重）；"
                "加权得分 = Σ（维度权重 × 维度得分）÷ Σ（维度权重）。类别权重：%(weights)s；维度权重：%(dims)s。"
            )
            % {"weights": weights, "dims": dim_weights}
        )
    else:
        lines.append(
            _(
                "加权得分 = Σ（类别权重 × 该类别评价的平均分）÷ Σ（参与评价的类别权重），"
                "某类别的平均分 = 该类别各等次票数 × 分值之和 ÷ 该类别评价数。类别权重：%(weights)s。"
            )
            % {"weights": weights}
        )
    positives = "、".join(f"“{g['label']}”" for g in grades if g["positive"])
    if positives:
        lines.append(
            _("%(label)s = 评为%(grades)s的评价数 ÷ 评价数 × 100%%。")
            % {"label": positive_label(grades), "grades": positives}
        )
    lines.append(_("名次按加权得分从高到低排列，得分相同者名次并列；得分和比率四舍五入保留两位小数。"))
    lines.append(
        _("只统计有效票：有效票 %(valid)s 张（扫码 %(online)s 张，纸质 %(paper)s 张），无效票 %(invalid)s 张不计入。")
        % counted
    )
    lines.append(
        _("有效票不足 %(n)s 张的测评人类别不分组显示，以免推知个人的评价。") % {"n": result.get("min_breakdown", 5)}
    )
    return lines


def result_table(session, only=None) -> ResultTable:
    """The locked result, ranked; `only` limits the rows to these subject ids."""
    result = session.result
    subjects = {s.pk: s for s in session.subjects.select_related("unit")}
    grade_orders = [str(g["order"]) for g in result["grades"]]
    dim_ids = [str(d["id"]) for d in result["dimensions"]]
    rows = []
    for position, data in enumerate(result["subjects"]):
        if only is not None and data["subject"] not in only:
            continue
        subject = subjects.get(data["subject"])
        row = ResultRow(
            subject_id=data["subject"],
            rank=data.get("rank"),
            name=data["name"],
            unit=subject.unit.name if subject and subject.unit else "",
            mode=str(MODES.get(subject.report_mode, "")) if subject else "",
            counts=[data["counts"].get(o, 0) for o in grade_orders],
            ratings=data["ratings"],
            positive_rate=data.get("positive_rate"),
            score=data.get("score"),
            dimension_scores=[data["dimension_scores"].get(d) for d in dim_ids],
            by_group={int(g): [c.get(o, 0) for o in grade_orders] for g, c in data.get("by_group", {}).items()},
        )
        rows.append((row.rank is None, row.rank or 0, position, row))
    ranked = [r for *_key, r in sorted(rows, key=lambda t: t[:3])]
    groups = []
    for g in result["groups"]:
        group = GroupBreakdown(g["id"], g["name"], plain(g["weight"]), g["ballots"], g["broken_down"])
        if group.broken_down:
            group.rows = [(r, r.by_group.get(group.id, [0] * len(grade_orders))) for r in ranked]
        groups.append(group)
    return ResultTable(
        session=session,
        grades=result["grades"],
        dimensions=result["dimensions"],
        groups=groups,
        ballots=result["ballots"],
        min_breakdown=result.get("min_breakdown", 5),
        rows=ranked,
        positive_label=positive_label(result["grades"]),
        formula=formula_lines(result),
    )


def _headers(table: ResultTable) -> list[str]:
    headers = [_("名次"), _("姓名"), _("单位"), _("述职方式")]
    headers += [_("“%(label)s”票数") % {"label": label} for label in table.grade_labels]
    headers += [_("评价数"), _("%(label)s（%%）") % {"label": table.positive_label}]
    headers += [_("%(name)s得分") % {"name": d["name"]} for d in table.dimensions]
    headers.append(_("加权得分"))
    return headers


def _values(row: ResultRow) -> list:
    values = [row.rank, row.name, row.unit, row.mode, *row.counts, row.ratings, _decimal(row.positive_rate)]
    values += [_decimal(s) for s in row.dimension_scores]
    values.append(_decimal(row.score))
    return values


def counts_sentence(table: ResultTable) -> str:
    counted = table.ballots
    return (
        _("有效票 %(valid)s 张（扫码 %(online)s 张，纸质 %(paper)s 张），无效票 %(invalid)s 张") % counted
        + "；"
        + "，".join(_("%(name)s %(n)s 张") % {"name": g.name, "n": g.ballots} for g in table.groups)
        + "。"
    )


def date_sentence(session) -> str:
    parts = []
    if session.held_on:
        parts.append(_("测评日期：%(d)s") % {"d": cn_date(session.held_on, full=True)})
    if session.closed_at:
        parts.append(_("计票日期：%(d)s") % {"d": cn_date(session.closed_at, full=True)})
    if session.place:
        parts.append(_("地点：%(p)s") % {"p": session.place})
    return "　".join(parts)


# --- .xlsx ---------------------------------------------------------------------------


def result_workbook(session) -> Workbook:
    """The result sheet (title, counts, one row per subject, the formula) and the groups sheet."""
    table = result_table(session)
    headers = _headers(table)
    widths = [7, 12, 24, 11] + [9] * len(table.grades) + [9, 14] + [12] * len(table.dimensions) + [11]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("测评结果")
    last = get_column_letter(len(headers))
    sheet["A1"] = _("%(title)s测评结果") % {"title": session.title}
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(f"A1:{last}1")
    sheet.row_dimensions[1].height = 28
    sheet["A2"] = "　".join(s for s in (date_sentence(session), counts_sentence(table)) if s)
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="center")
    sheet.merge_cells(f"A2:{last}2")
    sheet.row_dimensions[2].height = 32
    header_write(sheet, [HeaderColumn(h, w, required=True) for h, w in zip(headers, widths, strict=True)], row=3)
    numeric_from = 5 + len(table.grades)  # 评价数 and after
    for offset, row in enumerate(table.rows):
        number = 4 + offset
        for column, value in enumerate(_values(row), start=1):
            target = sheet.cell(row=number, column=column, value=value)
            target.border = BORDER
            if column > numeric_from:
                target.number_format = "0.00"
            if column == 1 or 4 <= column <= numeric_from:
                target.alignment = CENTER
    note = 4 + len(table.rows) + 1
    sheet.cell(row=note, column=1, value=_("计算方法")).font = Font(bold=True)
    for offset, line in enumerate(table.formula, start=1):
        sheet.cell(row=note + offset, column=1, value=line)
        sheet.merge_cells(start_row=note + offset, start_column=1, end_row=note + offset, end_column=len(headers))
        sheet.cell(row=note + offset, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[note + offset].height = 30
    sheet.print_options.horizontalCentered = True
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.print_title_rows = "3:3"

    groups = workbook.create_sheet(_("分组统计"))
    group_columns = [HeaderColumn(_("测评人类别"), 14, True), HeaderColumn(_("权重"), 8, True)]
    group_columns += [HeaderColumn(_("有效票"), 9, True), HeaderColumn(_("分组显示"), 24, True)]
    header_write(groups, group_columns)
    for number, group in enumerate(table.groups, start=2):
        shown = _("是") if group.broken_down else _("不足%(n)s人，不分组显示") % {"n": table.min_breakdown}
        for column, value in enumerate([group.name, _decimal(group.weight), group.ballots, shown], start=1):
            groups.cell(row=number, column=column, value=value).border = BORDER
    line = len(table.groups) + 3
    for group in table.groups:
        if not group.broken_down:
            continue
        groups.cell(row=line, column=1, value=_("%(name)s各等次票数") % {"name": group.name}).font = Font(bold=True)
        line += 1
        titles = [_("名次"), _("姓名"), *table.grade_labels]
        for column, title in enumerate(titles, start=1):
            target = groups.cell(row=line, column=column, value=title)
            target.font = Font(bold=True)
            target.border = BORDER
            target.alignment = CENTER
        for row, counts in group.rows:
            line += 1
            for column, value in enumerate([row.rank, row.name, *counts], start=1):
                groups.cell(row=line, column=column, value=value).border = BORDER
        line += 2
    for column in range(5, 5 + len(table.grades)):
        groups.column_dimensions[get_column_letter(column)].width = 9
    return workbook


# --- .docx ---------------------------------------------------------------------------

SIZE_CELL = Pt(10.5)  # 五号
SIZE_NOTE = Pt(10.5)
LEFT, MIDDLE = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER


def _landscape(document) -> float:
    """Turn the page to landscape A4 with narrower margins; returns the text width in mm."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin = section.right_margin = Mm(20)
    section.footer_distance = Mm(10)
    return 297 - 40


def _cell(cell, text, *, align=MIDDLE, bold=False, font=doc.BODY_FONT, shade=None) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.first_line_indent = Pt(0)
    doc._run(paragraph, "" if text is None else str(text), font=font, size=SIZE_CELL, bold=bold)
    if shade:
        cell._tc.get_or_add_tcPr().append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:fill="{shade}"/>'))


def _note(document, text: str):
    paragraph = doc._paragraph(document, text, indent=False, size=SIZE_NOTE)
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.space_after = Pt(2)
    return paragraph


def result_docx(session) -> bytes:
    """The result table on landscape A4: title, date, one row per subject, the formula."""
    table = result_table(session)
    document = doc._new_document()
    text_width = _landscape(document)
    doc._title(document, _("%(title)s测评结果") % {"title": session.title})
    dates = date_sentence(session)
    if dates:
        doc._paragraph(document, dates, align=MIDDLE, indent=False, size=Pt(12))
    headers = _headers(table)
    fixed = {0: 12, 1: 20, 3: 18}  # 名次, 姓名, 述职方式
    numeric = len(headers) - 4
    unit_width = max(30, text_width - sum(fixed.values()) - 15 * numeric)
    widths = [fixed[0], fixed[1], unit_width, fixed[3]] + [15] * numeric
    scale = min(1, text_width / sum(widths))
    widths = [w * scale for w in widths]
    grid = document.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Mm(width)
    for target, title, width in zip(grid.rows[0].cells, headers, widths, strict=True):
        target.width = Mm(width)
        _cell(target, title, bold=True, font=doc.HEADING_FONT, shade=HEADER_SHADE)
    header = grid.rows[0]._tr.get_or_add_trPr()
    header.append(parse_xml(f'<w:tblHeader {nsdecls("w")} w:val="true"/>'))
    for row in table.rows:
        values = [row.rank or "—", row.name, row.unit, row.mode, *row.counts, row.ratings]
        values += [plain(row.positive_rate) if row.positive_rate else "—"]
        values += [s or "—" for s in row.dimension_scores]
        values.append(row.score or "—")
        for index, (target, value, width) in enumerate(zip(grid.add_row().cells, values, widths, strict=True)):
            target.width = Mm(width)
            _cell(target, value, align=LEFT if index in (1, 2) else MIDDLE)
    doc._paragraph(document, "", indent=False, size=Pt(6))
    _note(document, _("注：") + counts_sentence(table))
    for line in table.formula:
        _note(document, line)
    return doc._bytes(document)
