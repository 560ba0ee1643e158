"""Word documents of supervision actions: the supervision notice (督办单) and the
circular (通报), laid out as Chinese official documents per GB/T 9704 as far as a
generated file can: A4, the standard margins, a red masthead with a red rule, the
title in 小标宋, body text in 仿宋 三号 on a fixed 28-point line, the issuing unit and
date at the bottom right.

Fonts are named for East Asian text (w:eastAsia) and declared in the font table with
an alternative name, so a computer without 方正小标宋简体 or 仿宋_GB2312 uses 宋体 or
仿宋 instead of a Western font.
"""

import io

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from duban.lib.dates import cn_date
from duban.supervision.models import Circular, ItemState, Notice
from duban.system.models import SiteSettings

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

RED = RGBColor(0xC0, 0x00, 0x00)
RED_HEX = "C00000"
# The fonts of GB/T 9704 and what to use where they are not installed.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
FONT_FALLBACKS = {
    TITLE_FONT: "宋体",  # SimSun
    BODY_FONT: "仿宋",  # FangSong
    HEADING_FONT: "SimHei",
}
SIZE_TITLE = Pt(22)  # 二号
SIZE_BODY = Pt(16)  # 三号
SIZE_TABLE = Pt(14)  # 四号
LINE = Pt(28)  # 22 lines on a page of 225 mm
INDENT = Pt(32)  # two characters of 三号

MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
TEXT_WIDTH_PT = (210 - 28 - 26) / 25.4 * 72
# The pPr children that must follow w:pBdr (ECMA-376 CT_PPr sequence).
PBDR_SUCCESSORS = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


# --- Low-level helpers -----------------------------------------------------------


def _fonts(rpr_parent, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts of a run or style: Latin for letters and digits, `east_asia` for Chinese."""
    _name_fonts(rpr_parent.get_or_add_rPr().get_or_add_rFonts(), east_asia, latin)


def _name_fonts(rfonts, east_asia: str, latin: str = LATIN_FONT) -> None:
    # Theme fonts are removed, since Word prefers them over named fonts.
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attribute), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:hint"), "eastAsia")


def _run(paragraph, text: str, *, font: str = BODY_FONT, size=SIZE_BODY, bold=False, colour=None):
    run = paragraph.add_run(text)
    _fonts(run._r, font)
    run.font.size = size
    run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    return run


def _paragraph(document, text: str = "", *, align=None, indent=True, font=BODY_FONT, size=SIZE_BODY, **run_kwargs):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = INDENT
    if text:
        _run(paragraph, text, font=font, size=size, **run_kwargs)
    return paragraph


def _rule(paragraph, colour: str = RED_HEX, size_eighths: int = 12) -> None:
    """A horizontal line under the paragraph (the red separator of the masthead)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = parse_xml(
        f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="{size_eighths}" w:space="4" w:color="{colour}"/>'
        "</w:pBdr>"
    )
    # Word rejects a pPr whose children are out of the schema's order.
    ppr.insert_element_before(borders, *PBDR_SUCCESSORS)


def _declare_fallbacks(document) -> None:
    """Add the Chinese fonts to the font table with an alternative name (w:altName)."""
    part = next((p for p in document.part.package.iter_parts() if p.partname == "/word/fontTable.xml"), None)
    if part is None:
        return
    # The font table is loaded as a plain part (bytes) by python-docx; handle both cases.
    root = part.element if hasattr(part, "element") else parse_xml(part.blob)
    for name, alternative in FONT_FALLBACKS.items():
        font = parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alternative}"/>'
            '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
        )
        root.append(font)
    if not hasattr(part, "element"):
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _new_document():
    """An A4 document with the GB/T 9704 margins and 仿宋 三号 body text."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = MARGINS["top"]
    section.bottom_margin = MARGINS["bottom"]
    section.left_margin = MARGINS["left"]
    section.right_margin = MARGINS["right"]
    section.footer_distance = Mm(28) - Mm(7)
    # Document-wide defaults (rPrDefault): the body fonts and Chinese as the East Asian language.
    rpr_default = document.styles.element.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if rpr_default is not None:
        _name_fonts(rpr_default.get_or_add_rFonts(), BODY_FONT)
        lang = rpr_default.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:eastAsia"), "zh-CN")
    normal = document.styles["Normal"]
    _fonts(normal.element, BODY_FONT)
    normal.font.size = SIZE_BODY
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.widow_control = False
    _page_numbers(section)
    _declare_fallbacks(document)
    return document


def _page_numbers(section) -> None:
    """Page numbers as GB/T 9704 writes them: “— 1 —” in 宋体 四号."""
    footer = section.footer
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "— ", font="宋体", size=SIZE_TABLE)
    run = _run(paragraph, "", font="宋体", size=SIZE_TABLE)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)
    _run(paragraph, " —", font="宋体", size=SIZE_TABLE)


def _masthead(document, heading: str, number: str) -> None:
    """The red masthead (版头): the issuer's mark, the document number and a red rule."""
    size = max(18, min(36, int(TEXT_WIDTH_PT / max(len(heading), 1)) - 1))
    paragraph = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(14)
    _run(paragraph, heading, font=TITLE_FONT, size=Pt(size), colour=RED)
    paragraph = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    if number:
        _run(paragraph, number)
    _rule(paragraph)
    _paragraph(document, indent=False)


def _title(document, text: str) -> None:
    paragraph = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    paragraph.paragraph_format.line_spacing = Pt(35)
    _run(paragraph, text, font=TITLE_FONT, size=SIZE_TITLE)
    _paragraph(document, indent=False)


def _heading(document, text: str) -> None:
    _paragraph(document, text, font=HEADING_FONT)


def _text(document, text: str) -> None:
    for line in (text or "").splitlines():
        if line.strip():
            _paragraph(document, line.strip())


def _signature(document, unit_name: str, on) -> None:
    """The issuing unit and the date, right-aligned and indented four characters from the right."""
    _paragraph(document, indent=False)
    _paragraph(document, indent=False)
    for text in (unit_name, cn_date(on, full=True)):
        paragraph = _paragraph(document, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        paragraph.paragraph_format.right_indent = INDENT * 2


def _bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _issuing_unit(plan, person) -> str:
    if plan.owner_unit_id:
        return plan.owner_unit.name
    if person is not None and person.unit_id:
        return person.unit.name
    return SiteSettings.current().institution_name


# --- The documents ---------------------------------------------------------------


def notice_filename(notice: Notice) -> str:
    return f"{notice.number} {notice.item.title}.docx"


def notice_docx(notice: Notice) -> bytes:
    """The 督办单 of a notice, ready to print and stamp."""
    item = notice.item
    institution = SiteSettings.current().institution_name
    state = ItemState.objects.filter(item=item).first()
    issued_on = timezone.localdate(notice.issued_at)
    document = _new_document()
    _masthead(document, f"{institution}督查督办通知单", notice.number)
    _title(document, notice.title)
    _paragraph(document, f"{notice.addressee_unit.name}：", indent=False)
    _paragraph(
        document,
        f"根据督查督办工作安排，现将“{item.title}”事项的督办要求通知如下，请认真落实。",
    )
    _heading(document, "一、督办事项")
    lead = f"事项名称：{item.title}。所属计划：{item.plan.title}。牵头单位：{item.lead_unit.name}。"
    if item.responsible_person_id:
        lead += f"责任人：{item.responsible_person.name}。"
    _paragraph(document, lead)
    due = cn_date(item.due_date, full=True) if item.due_date else "长期坚持"
    _paragraph(document, f"完成时限：{due}。")
    _heading(document, "二、当前进展")
    if state is None:
        _paragraph(document, "该事项尚无进展记录。")
    else:
        as_of = cn_date(state.computed_on or issued_on, full=True)
        sentence = f"截至{as_of}，该事项状态为“{state.get_status_display()}”"
        sentence += f"：{state.reason}。" if state.reason else "。"
        sentence += f"已报完成进度{state.progress}%"
        sentence += f"，按计划应达{state.expected}%。" if state.expected is not None else "。"
        _paragraph(document, sentence)
    _heading(document, "三、督办要求")
    _text(document, notice.requirement)
    _paragraph(document, f"请于{cn_date(notice.respond_by, full=True)}前在督办平台回复办理情况。")
    _signature(document, _issuing_unit(item.plan, notice.issued_by), issued_on)
    return _bytes(document)


def circular_filename(circular: Circular) -> str:
    prefix = f"{circular.number} " if circular.number else ""
    return f"{prefix}{circular.title}.docx"


def circular_docx(circular: Circular, lagging=None) -> bytes:
    """The 通报 of a plan: its text, then the units it names with their overdue and
    behind counts (`lagging`: supervision.services.actions.lagging_units)."""
    institution = SiteSettings.current().institution_name
    issued_on = timezone.localdate(circular.issued_at)
    document = _new_document()
    _masthead(document, f"{institution}督查督办通报", circular.number)
    _title(document, circular.title)
    _paragraph(document, "各单位：", indent=False)
    _text(document, circular.body)
    units = list(circular.units.order_by("order", "pk"))
    if units:
        counts = {lag.unit.pk: lag for lag in (lagging or [])}
        _heading(document, "附：通报单位及事项情况")
        table = document.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("序号", "单位", "逾期事项", "滞后事项"), strict=True):
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(cell.paragraphs[0], text, font=HEADING_FONT, size=SIZE_TABLE)
        for number, unit in enumerate(units, start=1):
            lag = counts.get(unit.pk)
            values = (str(number), unit.name, str(lag.overdue if lag else 0), str(lag.behind if lag else 0))
            cells = table.add_row().cells
            for index, (cell, text) in enumerate(zip(cells, values, strict=True)):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT if index == 1 else WD_ALIGN_PARAGRAPH.CENTER
                _run(cell.paragraphs[0], text, size=SIZE_TABLE)
    _signature(document, _issuing_unit(circular.plan, circular.issued_by), issued_on)
    return _bytes(document)
