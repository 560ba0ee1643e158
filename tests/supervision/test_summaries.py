"""The weekly summary (周报汇总) and its downloads, and the meeting pack (调度会材料):
who may open them, what they say, and that their queries do not grow with the items."""

import datetime
import io
from urllib.parse import unquote

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from duban.audit.models import EventKind, SecurityEvent
from duban.org.access import access_for
from duban.supervision import summaries
from duban.supervision.access import indicators_visible, items_visible, states_visible
from duban.supervision.exports.weekly_docx import cn_ordinal
from duban.supervision.models import (
    Indicator,
    IndicatorReading,
    Item,
    ItemState,
    ProgressReport,
    ReportStatus,
    Status,
)
from duban.supervision.services.items import item_save
from duban.supervision.state import states_refresh
from duban.system.models import SiteSettings
from tests.supervision.conftest import TODAY

NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)  # Monday 11月2日, 17:00 in Beijing
WEEK = datetime.date(2026, 10, 26)  # the last completed week: 10月26日—11月1日
SEES_PLANS = ["leader", "office", "head", "liaison", "taskforce", "discipline", "staff", "outsider"]
NO_PLANS = ["sys_admin", "sec_admin", "audit_admin", "norole"]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def day(month, d, year=2026):
    return datetime.date(year, month, d)


def at(month, d, hour=10):
    return datetime.datetime(2026, month, d, hour, 0, tzinfo=timezone.get_current_timezone())


def report(item, start):
    return ProgressReport.objects.get(item=item, period_start=start)


@pytest.fixture
def scene(work, people, org):
    """The week of 10月26日 (reports due 10月30日, missing after 11月1日):
    teaching — accepted on time (progress, problems, next steps, 60%);
    labs — submitted late (11月2日), not yet reviewed;
    courses — never filed: 缺报;
    talent (人事处) — accepted on time, with problems.
    Indicator 新增一流课程 (门): teaching 4 → 7 (accepted), courses 2 (recorded directly),
    labs 50 in a report not accepted (ignored)."""
    SiteSettings.objects.create(id=1, institution_name="江城航空学院")
    ProgressReport.objects.filter(pk=report(work.teaching, WEEK).pk).update(
        status=ReportStatus.ACCEPTED,
        progress_text="完成方案初稿，召开两次论证会。",
        problems="实验设备采购周期长。",
        next_steps="报校长办公会审议。",
        percent=60,
        submitted_at=at(10, 29),
        submitted_on=day(10, 29),
    )
    ProgressReport.objects.filter(pk=report(work.teaching, day(10, 19)).pk).update(
        status=ReportStatus.ACCEPTED,
        progress_text="完成调研。",
        percent=40,
        submitted_at=at(10, 23),
        submitted_on=day(10, 23),
    )
    ProgressReport.objects.filter(pk=report(work.labs, WEEK).pk).update(
        status=ReportStatus.SUBMITTED,
        progress_text="完成招标文件。",
        percent=30,
        submitted_at=at(11, 2),
        submitted_on=day(11, 2),
    )
    ProgressReport.objects.filter(pk=report(work.talent, WEEK).pk).update(
        status=ReportStatus.ACCEPTED,
        progress_text="发布招聘公告。",
        problems="应聘人数少于预期。",
        next_steps="赴重点高校宣讲。",
        percent=35,
        submitted_at=at(10, 30),
        submitted_on=day(10, 30),
    )
    IndicatorReading.objects.create(
        indicator=work.indicator, report=report(work.teaching, day(10, 19)), period_end=day(10, 25), value=4
    )
    IndicatorReading.objects.create(
        indicator=work.indicator, report=report(work.teaching, WEEK), period_end=day(11, 1), value=7
    )
    courses_indicator = Indicator.objects.create(item=work.courses, name="新增一流课程", unit_of_measure="门", target=5)
    IndicatorReading.objects.create(indicator=courses_indicator, report=None, period_end=day(10, 20), value=2)
    labs_indicator = Indicator.objects.create(item=work.labs, name="新增一流课程", unit_of_measure="门", target=5)
    IndicatorReading.objects.create(
        indicator=labs_indicator, report=report(work.labs, WEEK), period_end=day(11, 1), value=50
    )
    Indicator.objects.create(item=work.talent, name="引进博士", unit_of_measure="人", target=20)
    states_refresh(Item.objects.all(), TODAY)
    return work


def summary_for(work, persona_items=None, start=WEEK):
    items = persona_items if persona_items is not None else Item.objects.filter(plan=work.plan)
    return summaries.weekly_summary(work.plan, items, start, TODAY)


def plan_urls(work):
    pk = work.plan.pk
    return [
        reverse("supervision:weekly_summary", args=[pk]),
        reverse("supervision:weekly_xlsx", args=[pk]),
        reverse("supervision:weekly_docx", args=[pk]),
        reverse("supervision:meeting_pack", args=[pk]),
    ]


# --- Weeks -------------------------------------------------------------------------------


def test_weeks():
    assert summaries.last_completed_week(day(11, 2)) == WEEK
    assert summaries.last_completed_week(day(11, 8)) == WEEK  # Sunday: that week is not over yet
    assert summaries.week_from_param("2026-11-18", TODAY) == day(11, 16)
    assert summaries.week_from_param("", TODAY) == WEEK
    assert summaries.week_from_param("11月18日", TODAY) == WEEK
    assert summaries.week_range_text(day(11, 16), day(11, 22)) == "11月16日—11月22日"
    assert summaries.week_range_text(day(12, 28), day(1, 3, 2027)) == "2026年12月28日—2027年1月3日"
    assert [cn_ordinal(n) for n in (1, 10, 12, 20, 25)] == ["一", "十", "十二", "二十", "二十五"]


def test_week_number_counts_from_the_plan_start(scene):
    # The items start 9月1日 (week of 8月31日): 10月26日 starts week 9.
    assert summary_for(scene).number == 9
    scene.plan.start_date = day(10, 1)
    assert summary_for(scene).number == 5
    # Before the plan started: the ISO week.
    assert summary_for(scene, start=day(9, 7)).number == 37
    assert summary_for(scene).title == "2026年重点工作攻坚突破项目第5周工作进展汇总（10月26日—11月1日）"


# --- The summary ---------------------------------------------------------------------------


def test_rows_in_ledger_order_with_filing(scene):
    summary = summary_for(scene)
    rows = {row.item.title: row for row in summary.rows}
    assert [row.number for row in summary.rows] == ["1", "2", "3", "4"]
    assert rows["本科教学质量提升工程"].filing_label == "按时报送"
    assert rows["本科教学质量提升工程"].filed.progress_text == "完成方案初稿，召开两次论证会。"
    assert rows["实验室建设项目"].filing_label == "迟报"
    assert rows["实验室建设项目"].filed.status == ReportStatus.SUBMITTED
    assert rows["一流课程建设"].filing_label == "缺报" and rows["一流课程建设"].filed is None
    assert rows["高层次人才引进"].filing_label == "按时报送"
    assert {k: n for k, _w, _c, n in summary.filing_counts} == {
        "on_time": 2,
        "late": 1,
        "missing": 1,
        "pending": 0,
        "none": 0,
    }
    counts = {s: n for s, _w, _c, n in summary.status_counts}
    assert sum(counts.values()) == 4
    assert counts[Status.BEHIND] == ItemState.objects.filter(status=Status.BEHIND).count()


def test_this_week_is_pending_not_missing(scene):
    summary = summary_for(scene, start=day(11, 2))
    assert {row.filing for row in summary.rows} == {"pending"}


def test_indicator_totals(scene):
    (courses,) = [t for t in summary_for(scene).indicators if t.name == "新增一流课程"]
    # teaching 7 + courses 2 (labs' 50 is in a report not accepted); targets 10 + 5 + 5.
    assert (courses.unit, courses.items, courses.target) == ("门", 3, 20)
    assert (courses.current, courses.previous, courses.change, courses.rate) == (9, 6, 3, 45)
    (doctors,) = [t for t in summary_for(scene).indicators if t.name == "引进博士"]
    assert doctors.current is None and doctors.change is None and doctors.rate is None


def test_lagging_units_with_their_problems(scene):
    summary = summary_for(scene)
    lagging = {unit.name: unit for unit in summary.lagging}
    courses = next(r for r in lagging["教务处"].rows if r.item == scene.courses)
    assert "本周进展缺报" in courses.reasons
    teaching = next(r for r in lagging["教务处"].rows if r.item == scene.teaching)
    assert teaching.reasons[0].startswith("滞后：时间节点“完成方案论证”已逾期")
    assert [u.name for u in summary.lagging][0] == "教务处"  # unit order: 教务处 (20) before 人事处 (30)


def test_a_unit_head_sees_only_their_items(scene, people, client_for):
    page = client_for(people.head).get(reverse("supervision:weekly_summary", args=[scene.plan.pk]))
    text = page.content.decode()
    assert "本科教学质量提升工程" in text and "高层次人才引进" not in text
    docx = client_for(people.head).get(reverse("supervision:weekly_docx", args=[scene.plan.pk]))
    assert "高层次人才引进" not in all_text(Document(io.BytesIO(docx.content)))


# --- The page: the same figures, the lists paged ------------------------------------------


def page_for(work, start=WEEK, **kwargs):
    plan_items = Item.objects.filter(plan=work.plan)
    states = ItemState.objects.filter(plan=work.plan)
    return summaries.weekly_page(work.plan, plan_items, states, start, TODAY, **kwargs)


@pytest.mark.parametrize("start", [WEEK, day(11, 2), day(10, 19)])
def test_page_counts_match_the_full_summary(scene, start):
    full, page = summary_for(scene, start=start), page_for(scene, start=start)
    assert page.total == full.total == 4
    assert page.status_counts == full.status_counts
    assert page.filing_counts == full.filing_counts
    assert page.title == full.title and page.indicators == full.indicators
    assert [(r.item, r.number, r.report, r.filing) for r in page.rows] == [
        (r.item, r.number, r.report, r.filing) for r in full.rows
    ]
    assert page.lagging_units == len(full.lagging)
    assert [(u.name, [r.item for r in u.rows]) for u in page.lagging] == [
        (u.name, [r.item for r in u.rows]) for u in full.lagging
    ]


def page_figures(page) -> tuple:
    """Everything the weekly page shows, comparable."""
    return (
        page.total,
        page.status_counts,
        page.filing_counts,
        page.indicators,
        page.lagging_units,
        [(u.name, [(r.item, r.report, r.filing) for r in u.rows]) for u in page.lagging],
        [(r.item, r.number, r.report, r.filing) for r in page.rows],
    )


# --- Kept verdicts: the default week counted from the states ------------------------------


def test_the_states_keep_the_last_weeks_verdicts_and_readings(scene):
    kept = dict(ItemState.objects.values_list("item_id", "week_filing"))
    assert set(ItemState.objects.values_list("week_start", flat=True)) == {WEEK}
    assert kept == {
        scene.teaching.pk: "on_time",
        scene.labs.pk: "late",
        scene.courses.pk: "missing",
        scene.talent.pk: "on_time",
    }
    indicators = {i.item_id: (i.week_start, i.week_value, i.week_previous) for i in Indicator.objects.all()}
    assert indicators[scene.teaching.pk] == (WEEK, 7, 4)
    assert indicators[scene.courses.pk] == (WEEK, 2, 2)
    assert indicators[scene.labs.pk] == (WEEK, None, None)  # its reading is in a report not accepted


def test_the_kept_figures_are_the_reports_figures(scene):
    assert page_figures(page_for(scene)) == page_figures(page_for(scene, use_kept=False))


def test_the_page_counts_the_kept_verdicts(scene):
    """The default week reads the states: a kept verdict is what the page counts."""
    ItemState.objects.filter(item=scene.courses).update(week_filing="on_time")
    page = page_for(scene)
    assert {f: n for f, _label, _colour, n in page.filing_counts}["missing"] == 0
    assert page_figures(page) != page_figures(page_for(scene, use_kept=False))


def test_a_state_not_kept_for_the_week_means_counting_the_reports(scene):
    ItemState.objects.filter(item=scene.courses).update(week_filing="on_time")  # would show if read
    ItemState.objects.filter(item=scene.talent).update(week_start=day(10, 19))
    assert page_figures(page_for(scene)) == page_figures(page_for(scene, use_kept=False))


def test_an_indicator_not_kept_for_the_week_means_reading_the_readings(scene):
    Indicator.objects.filter(item=scene.teaching).update(week_value=999)  # would show if read
    Indicator.objects.filter(item=scene.talent).update(week_start=None)
    assert page_for(scene).indicators == page_for(scene, use_kept=False).indicators
    Indicator.objects.filter(item=scene.talent).update(week_start=WEEK)
    assert page_for(scene).indicators != page_for(scene, use_kept=False).indicators


def test_other_weeks_count_the_reports(scene):
    ItemState.objects.filter(item=scene.courses).update(week_filing="on_time")
    for start in (day(10, 19), day(11, 2)):
        assert page_figures(page_for(scene, start=start)) == page_figures(page_for(scene, start=start, use_kept=False))


def test_an_item_without_a_state_means_counting_the_reports(scene):
    ItemState.objects.filter(item=scene.talent).delete()
    assert page_figures(page_for(scene)) == page_figures(page_for(scene, use_kept=False))


def test_filing_and_reviewing_keep_the_verdicts_in_step(scene, people):
    from duban.supervision.services.reports import report_accept, report_fill

    late = report(scene.courses, WEEK)
    report_fill(acting_user=people.head, report=late, progress_text="补报本周进展。", percent=20, submit=True)
    report_accept(acting_user=people.office, report=report(scene.labs, WEEK))
    kept = dict(ItemState.objects.values_list("item_id", "week_filing"))
    assert (kept[scene.courses.pk], kept[scene.labs.pk]) == ("late", "late")
    labs_indicator = Indicator.objects.get(item=scene.labs)
    assert (labs_indicator.week_start, labs_indicator.week_value) == (WEEK, 50)  # accepted now
    assert page_figures(page_for(scene)) == page_figures(page_for(scene, use_kept=False))


def test_page_lists_a_page_at_a_time_in_ledger_order(scene):
    t = scene.teaching
    measure = Item.objects.create(
        plan=scene.plan,
        parent=t,
        ordinal=1,
        title="分项措施",
        lead_unit=t.lead_unit,
        start_date=t.start_date,
        due_date=t.due_date,
    )
    numbers = [r.number for r in summary_for(scene).rows]
    assert numbers == ["1", "1.1", "2", "3", "4"]
    first, last = page_for(scene, per_page=2), page_for(scene, per_page=2, page="3")
    assert [r.number for r in first.rows] == ["1", "1.1"] and first.rows[1].item == measure
    assert [r.number for r in last.rows] == ["4"] and last.page.paginator.num_pages == 3
    assert page_for(scene, per_page=2, page="x").page.number == 1
    lagging = page_for(scene, per_page=1, lagging_page="2")
    assert lagging.lagging_page.paginator.count == sum(len(u.rows) for u in summary_for(scene).lagging)
    assert len(lagging.lagging) == 1 and len(lagging.lagging[0].rows) == 1


def measure_of(project, ordinal, title):
    return Item.objects.create(
        plan=project.plan,
        parent=project,
        ordinal=ordinal,
        title=title,
        lead_unit=project.lead_unit,
        start_date=project.start_date,
        due_date=project.due_date,
    )


def test_the_states_keep_each_items_place_in_the_ledger(scene):
    """The kept path pages along the states' ledger key: the same rows in the same order as
    sorting the items through their projects."""
    second, first = measure_of(scene.teaching, 2, "措施乙"), measure_of(scene.teaching, 1, "措施甲")
    states_refresh(Item.objects.filter(pk__in=[first.pk, second.pk]), TODAY)
    keys = dict(ItemState.objects.values_list("item_id", "ledger_top"))
    assert keys[first.pk] == keys[second.pk] == scene.teaching.ordinal
    assert [r.number for r in page_for(scene).rows] == ["1", "1.1", "1.2", "2", "3", "4"]
    for per_page, page in ((2, "2"), (2, "3"), (50, "1")):
        kept = page_for(scene, per_page=per_page, page=page, lagging_page=page)
        live = page_for(scene, per_page=per_page, page=page, lagging_page=page, use_kept=False)
        assert page_figures(kept) == page_figures(live)


def test_a_project_renumbered_takes_its_measures_along(scene, people):
    """item_save moves the measures' kept keys with their project (the page lists them under
    it at once, not after the next sweep)."""
    measure = measure_of(scene.teaching, 1, "措施甲")
    states_refresh(Item.objects.filter(pk=measure.pk), TODAY)
    project = Item.objects.get(pk=scene.teaching.pk)
    project.ordinal = 9
    item_save(acting_user=people.office, item=project, today=TODAY)
    assert ItemState.objects.get(item=measure).ledger_top == 9
    assert [r.number for r in page_for(scene).rows] == ["2", "3", "4", "9", "9.1"]
    assert page_figures(page_for(scene)) == page_figures(page_for(scene, use_kept=False))


def test_the_indicators_a_unit_head_sees_are_their_units(scene, people):
    """The page's indicators (summed through a join when the person sees every item) are
    restricted with the items for everyone else."""
    head, office = access_for(people.head), access_for(people.office)
    plan_indicators = Indicator.objects.filter(item__plan=scene.plan)
    items = items_visible(head, Item.objects.filter(plan=scene.plan))
    states = states_visible(head, ItemState.objects.filter(plan=scene.plan))
    seen = summaries.weekly_page(
        scene.plan, items, states, WEEK, TODAY, indicators=indicators_visible(head, plan_indicators)
    )
    assert seen.indicators == summaries.weekly_page(scene.plan, items, states, WEEK, TODAY).indicators
    assert "引进博士" not in {t.name for t in seen.indicators}  # 人事处's, not the head's
    assert indicators_visible(office, plan_indicators) is plan_indicators
    assert (
        page_for(scene).indicators
        == summaries.weekly_page(
            scene.plan,
            Item.objects.filter(plan=scene.plan),
            ItemState.objects.filter(plan=scene.plan),
            WEEK,
            TODAY,
            indicators=plan_indicators,
        ).indicators
    )


def test_page_pager_keeps_the_week(scene, people, client_for, monkeypatch):
    monkeypatch.setattr(summaries, "PER_PAGE", 2)
    url = reverse("supervision:weekly_summary", args=[scene.plan.pk])
    text = client_for(people.office).get(url, {"week": "2026-10-28"}).content.decode()
    assert "week=2026-10-28&amp;page=2" in text and "第 1 / 2 页" in text
    text = client_for(people.office).get(url, {"week": "2026-10-28", "page": "2"}).content.decode()
    assert "第 2 / 2 页" in text and "高层次人才引进" in text


# --- Pages and permissions -----------------------------------------------------------------


@pytest.mark.parametrize("persona", SEES_PLANS + NO_PLANS)
def test_pages_for_everyone_who_sees_plans(persona, scene, people, client_for):
    client = client_for(getattr(people, persona))
    for url in plan_urls(scene):
        assert client.get(url).status_code == (200 if persona in SEES_PLANS else 403), url


def test_anonymous_goes_to_login(scene):
    for url in plan_urls(scene):
        response = Client().get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_unknown_plan_is_404(scene, people, client_for):
    assert client_for(people.office).get(reverse("supervision:weekly_summary", args=[999])).status_code == 404


def test_page_shows_the_sections_and_week_navigation(scene, people, client_for):
    url = reverse("supervision:weekly_summary", args=[scene.plan.pk])
    text = client_for(people.office).get(url).content.decode()
    for expected in (
        "第9周工作进展汇总（10月26日—11月1日）",
        "一、总体情况",
        "二、指标完成情况",
        "三、滞后单位及问题",
        "四、各项目进展",
        "完成方案初稿，召开两次论证会。",
        "应聘人数少于预期。",
        "缺报",
        "迟报",
        "?week=2026-10-19",
        "?week=2026-11-02",
        reverse("supervision:meeting_pack", args=[scene.plan.pk]),
    ):
        assert expected in text, expected
    assert 'class="active">周报汇总</a>' in text
    other = client_for(people.office).get(url + "?week=2026-10-21").content.decode()
    assert "（10月19日—10月25日）" in other and "完成调研。" in other


def test_taskforce_sees_an_empty_summary(scene, people, client_for):
    text = client_for(people.taskforce).get(reverse("supervision:weekly_summary", args=[scene.plan.pk])).content
    assert "这个计划中还没有与您有关的事项" in text.decode()


# --- Downloads -----------------------------------------------------------------------------


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def filename(response) -> str:
    return unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])


def test_weekly_xlsx(scene, people, client_for):
    response = client_for(people.office).get(reverse("supervision:weekly_xlsx", args=[scene.plan.pk]))
    assert filename(response) == "2026年重点工作攻坚突破项目第9周工作进展汇总.xlsx"
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["各项目进展", "指标完成情况", "滞后单位及问题"]
    sheet = workbook["各项目进展"]
    assert sheet["A1"].value == "2026年重点工作攻坚突破项目第9周工作进展汇总（10月26日—11月1日）"
    assert "A1:J1" in {str(r) for r in sheet.merged_cells.ranges}
    header = [c.value for c in sheet[3]]
    assert header[:4] == ["序号", "事项", "牵头单位", "本周工作进展"]
    assert sheet.freeze_panes == "A4"
    assert sheet["A3"].fill.fgColor.rgb.endswith("1D4F91") and sheet["A3"].border.left.style == "thin"
    assert sheet["D4"].alignment.wrap_text and sheet.column_dimensions["D"].width == 40
    assert [c.value for c in sheet[4]][:8] == [
        "1",
        "本科教学质量提升工程",
        "教务处",
        "完成方案初稿，召开两次论证会。",
        "实验设备采购周期长。",
        "报校长办公会审议。",
        60,
        "按时报送",
    ]
    indicators = workbook["指标完成情况"]
    assert [c.value for c in indicators[3]] == ["新增一流课程", "门", 3, 20, 9, 6, 3, 45]
    lagging = [[c.value for c in row] for row in workbook["滞后单位及问题"].iter_rows(min_row=3)]
    assert lagging[2] == ["教务处", "3", "一流课程建设", "滞后：按进度应完成约 51%，已报 0%；本周进展缺报", "未填报"]
    assert lagging[3][:3] == ["人事处", "4", "高层次人才引进"] and lagging[3][4] == "应聘人数少于预期。"
    event = SecurityEvent.objects.get(kind=EventKind.EXPORT)
    assert event.actor_username == "office" and event.detail["week"] == "2026-10-26"


def test_weekly_docx(scene, people, client_for):
    response = client_for(people.office).get(reverse("supervision:weekly_docx", args=[scene.plan.pk]))
    assert filename(response) == "2026年重点工作攻坚突破项目第9周工作进展汇总.docx"
    document = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "2026年重点工作攻坚突破项目第9周工作进展汇总（10月26日—11月1日）"
    for heading in ("一、总体情况", "二、指标完成情况", "三、滞后单位及问题", "四、各项目进展"):
        assert heading in paragraphs
    assert any(p.startswith("本周（10月26日—11月1日）共跟踪督办事项4项") for p in paragraphs)
    assert any("按时报送2项、迟报1项、缺报1项" in p for p in paragraphs)
    assert "（一）教务处" in paragraphs
    indicators, items = document.tables
    assert [c.text for c in indicators.rows[1].cells] == ["新增一流课程", "门", "20", "9", "6", "3", "45%"]
    assert [c.text for c in items.rows[0].cells] == [
        "序号",
        "事项",
        "牵头单位",
        "本周工作进展",
        "存在问题",
        "进度",
        "状态",
    ]
    first = [c.text for c in items.rows[1].cells]
    assert first[:6] == [
        "1",
        "本科教学质量提升工程",
        "教务处",
        "完成方案初稿，召开两次论证会。",
        "实验设备采购周期长。",
        "60%",
    ]
    courses = [c.text for c in items.rows[3].cells]
    assert courses[3] == "缺报" and courses[6].endswith("缺报")
    assert "党委办公室" in paragraphs  # the signature: the plan's office


def test_meeting_pack(scene, people, client_for):
    response = client_for(people.office).get(reverse("supervision:meeting_pack", args=[scene.plan.pk]))
    assert filename(response) == "2026年重点工作攻坚突破项目调度会材料（11月2日）.docx"
    document = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs if p.text]
    assert paragraphs[:4] == [
        "江城航空学院",
        "2026年重点工作攻坚突破项目调度会汇报材料",
        "党委办公室",
        "2026年11月2日",
    ]
    text = "\n".join(paragraphs)
    assert text.index("一、教务处") < text.index("二、人事处")
    assert "（一）本科教学质量提升工程" in paragraphs
    assert "工作进展：完成方案初稿，召开两次论证会。" in paragraphs
    assert "存在问题：实验设备采购周期长。" in paragraphs
    assert "下一步计划：报校长办公会审议。" in paragraphs
    # The latest report handed in, even before review; an item with none says so.
    assert "工作进展：完成招标文件。" in paragraphs
    courses = paragraphs.index("（三）一流课程建设")
    assert paragraphs[courses + 2] == "该事项尚未报送进展。"
    assert paragraphs[courses + 1].startswith("状态：")
    assert SecurityEvent.objects.filter(kind=EventKind.EXPORT, target__startswith="调度会材料").exists()


def test_meeting_pack_for_a_unit_head_has_only_their_units(scene, people, client_for):
    response = client_for(people.head).get(reverse("supervision:meeting_pack", args=[scene.plan.pk]))
    text = all_text(Document(io.BytesIO(response.content)))
    assert "一、教务处" in text and "人事处" not in text


# --- Query counts ----------------------------------------------------------------------------


def _grow(work, org, n):
    items = Item.objects.bulk_create(
        Item(
            plan=work.plan,
            ordinal=100 + i,
            title=f"事项{i}",
            lead_unit=org.hr if i % 2 else org.academic,
            start_date=day(9, 1),
            due_date=day(12, 1),
        )
        for i in range(n)
    )
    ProgressReport.objects.bulk_create(
        ProgressReport(
            item=item,
            period_start=WEEK,
            period_end=day(11, 1),
            due_date=day(10, 30),
            status=ReportStatus.ACCEPTED,
            progress_text="进展",
            percent=50,
        )
        for item in items
    )
    Indicator.objects.bulk_create(Indicator(item=item, name="指标", target=1) for item in items)
    states_refresh(Item.objects.all(), TODAY)


@pytest.mark.parametrize("name", ["weekly_summary", "weekly_xlsx", "weekly_docx", "meeting_pack"])
def test_query_count_does_not_grow_with_items(name, scene, org, people, client_for):
    client = client_for(people.office)
    url = reverse(f"supervision:{name}", args=[scene.plan.pk])
    _grow(scene, org, 10)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(scene, org, 90)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
