"""The Word documents: a 督办单 and a 通报 laid out as GB/T 9704 official documents."""

import datetime
import io

import pytest
import time_machine
from docx import Document
from docx.oxml.ns import qn
from docx.shared import RGBColor

from duban.supervision import documents
from duban.supervision.models import ItemState, Status
from duban.supervision.services import actions as services
from duban.system.models import SiteSettings

NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def site(db):
    return SiteSettings.objects.create(id=1, institution_name="江城航空学院")


@pytest.fixture
def notice(work, people, site):
    return services.notice_issue(
        acting_user=people.office,
        item=work.teaching,
        requirement="一、请于两周内完成方案论证。\n二、每周五报送进展。",
        respond_by=datetime.date(2026, 11, 16),
    )


def opened(content: bytes):
    return Document(io.BytesIO(content))


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def east_asia(run) -> str | None:
    rfonts = run._r.rPr.find(qn("w:rFonts"))
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


def find_run(document, text):
    return next(run for p in document.paragraphs for run in p.runs if text in run.text)


def assert_official_layout(document):
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert section.top_margin.mm == pytest.approx(37, abs=0.1)
    assert section.bottom_margin.mm == pytest.approx(35, abs=0.1)
    assert section.left_margin.mm == pytest.approx(28, abs=0.1)
    assert section.right_margin.mm == pytest.approx(26, abs=0.1)
    normal = document.styles["Normal"]
    assert normal.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.font.size.pt == 16


def test_notice_document_text(notice, work):
    document = opened(documents.notice_docx(notice))
    text = all_text(document)
    assert "江城航空学院督查督办通知单" in text
    assert "督办〔2026〕1号" in text
    assert "关于督办“本科教学质量提升工程”的通知" in text
    assert "教务处：" in [p.text for p in document.paragraphs]
    assert "事项名称：本科教学质量提升工程。" in text
    assert "完成时限：2026年12月31日。" in text
    # The cached status and its reason (the teaching item's node is late in the fixture).
    state = ItemState.objects.get(item=work.teaching)
    assert state.status == Status.BEHIND
    assert f"该事项状态为“滞后”：{state.reason}" in text
    assert "一、请于两周内完成方案论证。" in text and "二、每周五报送进展。" in text
    assert "请于2026年11月16日前在督办平台回复办理情况。" in text
    # Signed by the plan's owner unit, dated the day of issue, bottom right.
    signature, date = document.paragraphs[-2], document.paragraphs[-1]
    assert signature.text == "党委办公室"
    assert date.text == "2026年11月2日"
    assert signature.alignment == date.alignment == 2  # WD_ALIGN_PARAGRAPH.RIGHT


def test_notice_document_layout_and_fonts(notice):
    document = opened(documents.notice_docx(notice))
    assert_official_layout(document)
    masthead = find_run(document, "督查督办通知单")
    assert masthead.font.color.rgb == RGBColor(0xC0, 0x00, 0x00)
    assert east_asia(masthead) == "方正小标宋简体"
    assert document.paragraphs[0].alignment == 1  # centred
    title = find_run(document, "关于督办")
    assert east_asia(title) == "方正小标宋简体"
    assert title.font.size.pt == 22
    addressee = find_run(document, "教务处：")
    assert east_asia(addressee) == "仿宋_GB2312"
    assert addressee.font.size.pt == 16
    assert east_asia(find_run(document, "三、督办要求")) == "黑体"
    # The red rule under the document number.
    number = next(p for p in document.paragraphs if p.text == "督办〔2026〕1号")
    bottom = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert bottom.get(qn("w:color")) == "C00000"


def test_fonts_declare_their_fallbacks(notice):
    document = opened(documents.notice_docx(notice))
    part = next(p for p in document.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    xml = part.blob.decode()
    assert 'w:name="方正小标宋简体"><w:altName w:val="宋体"/>' in xml
    assert 'w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in xml


def test_notice_document_without_a_cached_state_or_owner_unit(notice, work, people):
    ItemState.objects.filter(item=work.teaching).delete()
    work.plan.owner_unit = None
    work.plan.save()
    notice.refresh_from_db()
    text = all_text(opened(documents.notice_docx(notice)))
    assert "该事项尚无进展记录。" in text
    # The issuing unit falls back to the office clerk's unit.
    assert people.office.unit.name in text


def test_circular_document(work, people, org, site):
    ItemState.objects.filter(item=work.talent).update(status=Status.OVERDUE)
    ItemState.objects.filter(item__in=[work.labs, work.courses]).update(status=Status.ON_TRACK)
    circular = services.circular_issue(
        acting_user=people.office,
        plan=work.plan,
        title="关于重点工作推进情况的通报",
        body="第一段。\n第二段。",
        number="督通〔2026〕1号",
    )
    document = opened(documents.circular_docx(circular, services.lagging_units(work.plan)))
    assert_official_layout(document)
    text = all_text(document)
    assert "江城航空学院督查督办通报" in text
    assert "督通〔2026〕1号" in text
    assert "第一段。" in text and "第二段。" in text
    assert east_asia(find_run(document, "督查督办通报")) == "方正小标宋简体"
    assert find_run(document, "督查督办通报").font.color.rgb == RGBColor(0xC0, 0x00, 0x00)
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows[0] == ["序号", "单位", "逾期事项", "滞后事项"]
    assert ["2", "人事处", "1", "0"] in rows or ["1", "人事处", "1", "0"] in rows
    assert any(row[1] == "教务处" and row[3] == "1" for row in rows)
    assert document.paragraphs[-1].text == "2026年11月2日"


def test_filenames(notice):
    assert documents.notice_filename(notice) == "督办〔2026〕1号 本科教学质量提升工程.docx"
