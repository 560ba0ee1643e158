"""Printed ballot slips: an A4 Word document of cut-out slips, three a row, each with the QR
code of its ballot page and the code typed out.

Built in memory and returned as bytes: the plain codes exist only in this document, never in a
file on the server, a log or the database.
"""

import io

import segno
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from duban.assessment.sealing import pretty

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PER_ROW = 3
MARGIN = Mm(12)
SLIP_WIDTH = Mm(62)
QR_WIDTH = Mm(34)
MONO = "Consolas"
SANS = "黑体"
GREY = RGBColor(0x55, 0x60, 0x6C)


def _fonts(run, east_asia: str, latin: str) -> None:
    rfonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _line(cell_or_doc, text: str, *, size: float, bold=False, mono=False, colour=None, first=False, after=2):
    paragraph = cell_or_doc.paragraphs[0] if first else cell_or_doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(6 if first else 0)
    paragraph.paragraph_format.space_after = Pt(after)
    run = paragraph.add_run(text)
    _fonts(run, SANS if not mono else MONO, MONO if mono else "Arial")
    run.font.size = Pt(size)
    run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    return paragraph


def _dashed_borders(table) -> None:
    """Dashed lines between the slips: where the scissors go."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "dashed")
        element.set(qn("w:sz"), "6")
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "8A949F")
        borders.append(element)
    table._tbl.tblPr.append(borders)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)


def _keep_row_together(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    cant_split = OxmlElement("w:cantSplit")
    tr_pr.append(cant_split)


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=2)
    buffer.seek(0)
    return buffer


def slips_document(*, title: str, group: str, codes: list[str], ballot_url, host: str) -> bytes:
    """The slips of `codes`; `ballot_url(code)` is the absolute address a slip's QR opens."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = MARGIN
    section.top_margin = section.bottom_margin = MARGIN
    section.header_distance = Mm(5)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = header.add_run(f"{title} · {group} · 共 {len(codes)} 张 · 沿虚线裁开后随机发放，每人一张")
    _fonts(run, SANS, "Arial")
    run.font.size = Pt(8)
    run.font.color.rgb = GREY

    rows = (len(codes) + PER_ROW - 1) // PER_ROW
    table = document.add_table(rows=rows, cols=PER_ROW)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _dashed_borders(table)
    for index, row in enumerate(table.rows):
        _keep_row_together(row)
        for column, cell in enumerate(row.cells):
            cell.width = SLIP_WIDTH
            number = index * PER_ROW + column
            if number >= len(codes):
                continue
            code = codes[number]
            _line(cell, title, size=8, bold=True, first=True, after=1)
            _line(cell, f"测评人类别：{group}", size=8, colour=GREY, after=2)
            picture = cell.add_paragraph()
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            picture.paragraph_format.space_after = Pt(0)
            picture.add_run().add_picture(_qr_png(ballot_url(code)), width=QR_WIDTH)
            _line(cell, pretty(code), size=13, bold=True, mono=True, after=2)
            _line(cell, f"扫码或访问 {host}/v/ 输入投票码", size=7.5, colour=GREY, after=6)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
