"""Seeing it: the plan dashboard, the leader view, the league table, the battle map and
indicator charts — who may open them, what they count, and that their queries do not
grow with the number of items."""

import datetime
from io import BytesIO
from urllib.parse import unquote

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from duban.audit.models import EventKind, SecurityEvent
from duban.org.models import Person, Role, RoleGrant
from duban.supervision.models import (
    Deferral,
    DeferralStatus,
    IndicatorReading,
    Item,
    ItemState,
    Plan,
    ProgressReport,
    ReportStatus,
    Status,
    TimeNode,
)
from duban.supervision.selectors.dashboards import attention_items
from duban.supervision.selectors.indicators import indicator_series
from duban.supervision.selectors.league import league_rows, league_rows_current, league_total
from duban.supervision.selectors.palette import COLOUR_HEX
from duban.supervision.services.plans import plan_save
from duban.supervision.state import states_refresh
from tests.supervision.conftest import TODAY

NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
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


@pytest.fixture
def scene(work, people, org):
    """The fixture plan with variety (on 11月2日):
    teaching — behind (its node was due 10月15日), two accepted reports (one on time,
      one late), a child measure 1.1 and indicator readings;
    labs — completed 10月20日, before its due date;
    courses — due 10月25日: overdue 8 days;
    talent (人事处) — original due 10月20日, deferred to 12月31日; one deferral approved, one refused."""
    Item.objects.filter(pk=work.labs.pk).update(completed_on=day(10, 20))
    Item.objects.filter(pk=work.courses.pk).update(due_date=day(10, 25), original_due_date=day(10, 25))
    Item.objects.filter(pk=work.talent.pk).update(original_due_date=day(10, 20))
    Deferral.objects.create(
        item=work.talent,
        requested_by=people.outsider,
        reason="引进人选尚在考察",
        old_due_date=day(10, 20),
        new_due_date=day(12, 31),
        status=DeferralStatus.APPROVED,
    )
    Deferral.objects.create(
        item=work.talent,
        requested_by=people.outsider,
        reason="再延一个月",
        old_due_date=day(12, 31),
        new_due_date=day(1, 31, 2027),
        status=DeferralStatus.REFUSED,
    )
    reports = ProgressReport.objects.filter(item=work.teaching)
    on_time = reports.get(period_start=day(10, 26))  # due 10月30日
    late = reports.get(period_start=day(10, 19))  # due 10月23日
    pending = reports.get(period_start=day(10, 12))  # due 10月16日, submitted, not yet reviewed
    ProgressReport.objects.filter(pk=late.pk).update(
        status=ReportStatus.ACCEPTED,
        percent=20,
        progress_text="完成调研。",
        submitted_at=at(10, 25),
        submitted_on=day(10, 25),
    )
    ProgressReport.objects.filter(pk=on_time.pk).update(
        status=ReportStatus.ACCEPTED,
        percent=30,
        progress_text="完成方案初稿，召开两次论证会，征求各学院意见。",
        submitted_at=at(10, 29),
        submitted_on=day(10, 29),
    )
    ProgressReport.objects.filter(pk=pending.pk).update(
        status=ReportStatus.SUBMITTED, submitted_at=at(10, 20), submitted_on=day(10, 20)
    )
    IndicatorReading.objects.create(indicator=work.indicator, report=None, period_end=day(10, 10), value=1)
    IndicatorReading.objects.create(indicator=work.indicator, report=on_time, period_end=day(11, 1), value=3)
    IndicatorReading.objects.create(indicator=work.indicator, report=pending, period_end=day(10, 18), value=99)
    work.measure = Item.objects.create(
        plan=work.plan,
        parent=work.teaching,
        ordinal=1,
        title="修订人才培养方案",
        lead_unit=org.academic,
        start_date=day(9, 1),
        due_date=day(12, 15),
        original_due_date=day(12, 15),
    )
    TimeNode.objects.create(item=work.labs, title="设备到货", due_date=day(10, 10), done_on=day(10, 8))
    states_refresh(Item.objects.all(), TODAY)
    return work


def plan_urls(work):
    pk = work.plan.pk
    return [
        reverse("supervision:plan_dashboard", args=[pk]),
        reverse("supervision:league_table", args=[pk]),
        reverse("supervision:league_table_export", args=[pk]),
        reverse("supervision:battle_map", args=[pk]),
        reverse("supervision:battle_map_data", args=[pk]),
        reverse("supervision:league_all"),
        reverse("supervision:league_all_export"),
    ]


# --- Permissions -----------------------------------------------------------------------


@pytest.mark.parametrize("persona", SEES_PLANS + NO_PLANS)
def test_plan_pages_for_everyone_who_sees_plans(persona, work, people, client_for):
    client = client_for(getattr(people, persona))
    for url in plan_urls(work):
        assert client.get(url).status_code == (200 if persona in SEES_PLANS else 403), url


@pytest.mark.parametrize("persona", SEES_PLANS + NO_PLANS)
def test_indicator_page_needs_the_item_in_scope(persona, work, people, client_for):
    response = client_for(getattr(people, persona)).get(reverse("supervision:item_indicators", args=[work.teaching.pk]))
    # 孙专班's liaison group covers a party branch, not 教务处: the item does not exist for them.
    expected = 403 if persona in NO_PLANS else 404 if persona == "taskforce" else 200
    assert response.status_code == expected


@pytest.mark.parametrize("persona", SEES_PLANS + NO_PLANS)
def test_leader_view_only_for_leaders(persona, work, people, client_for):
    response = client_for(getattr(people, persona)).get(reverse("supervision:leader_view"))
    assert response.status_code == (200 if persona == "leader" else 403)


def test_anonymous_is_sent_to_login(work, client):
    urls = plan_urls(work) + [
        reverse("supervision:leader_view"),
        reverse("supervision:item_indicators", args=[work.teaching.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"], url


# --- The plan dashboard --------------------------------------------------------------------


def test_dashboard_counts_by_status_and_unit(scene, people, client_for):
    response = client_for(people.office).get(reverse("supervision:plan_dashboard", args=[scene.plan.pk]))
    board = response.context["board"]
    counts = {s["status"]: s["count"] for s in board.statuses}
    assert counts[Status.OVERDUE] == 1 and counts[Status.COMPLETED] == 1
    assert board.total == 5 == sum(board.totals)
    assert [u.name for u in board.units] == ["教务处", "人事处"]
    assert board.units[0].total == 4
    assert board.awaiting_review == 1
    assert board.missing_reports == sum(ItemState.objects.values_list("missing_reports", flat=True))
    # Worst first: the overdue item, then the behind ones; each with its reason.
    assert board.attention[0].item == scene.courses and board.attention[0].overdue_days == 8
    assert all(s.status == Status.BEHIND for s in board.attention[1:])
    html = response.content.decode()
    assert '<span class="db-tag db-tag-red">逾期 1</span>' in html
    assert "逾期 8 天" in html and "已逾期 8 天" in html
    assert 'id="plan-dashboard-data"' in html and "echarts.min.js" in html and "js/charts.js" in html
    chart = response.context["board"].chart
    assert {s["hex"] for s in chart["series"]} <= set(COLOUR_HEX.values())
    assert next(s for s in chart["series"] if s["colour"] == "red")["name"] == "逾期"


def test_attention_worst_first_then_ledger_order(scene, people):
    """Overdue (most days first), then behind (least time left first, none last); ties in
    ledger order ("1.1" before "2"); the first n chosen are the first n of the whole order."""

    def put(item, status, days_left):
        ItemState.objects.filter(item=item).update(status=status, days_left=days_left)

    put(scene.talent, Status.OVERDUE, -3)
    put(scene.courses, Status.OVERDUE, -8)
    put(scene.labs, Status.BEHIND, 5)
    put(scene.measure, Status.BEHIND, 5)  # 1.1: before 2 (labs) on the same days left
    put(scene.teaching, Status.BEHIND, None)
    states = ItemState.objects.filter(plan=scene.plan)
    order = [scene.courses, scene.talent, scene.measure, scene.labs, scene.teaching]
    assert [s.item for s in attention_items(states)] == order
    assert [s.item for s in attention_items(states, limit=3)] == order[:3]
    assert [s.overdue_days for s in attention_items(states, limit=2)] == [8, 3]
    head = states.filter(item__lead_unit=scene.courses.lead_unit)  # as states_visible restricts
    assert scene.talent not in [s.item for s in attention_items(head)]


def test_home_attention_panel_fewest_days_left_first(scene, people):
    """我的工作's panel for the office: every overdue and behind item counted, the first eight
    by days left (then item), each with its status and reason; a unit head's only their own."""
    from duban.org.access import access_for
    from duban.workbench.supervision_panels import attention_panel

    ItemState.objects.filter(item=scene.talent).update(status=Status.OVERDUE, days_left=-20, reason="已逾期 20 天")
    ItemState.objects.filter(item=scene.labs).update(status=Status.BEHIND, days_left=30)
    ItemState.objects.filter(item=scene.measure).update(status=Status.BEHIND, days_left=None)  # no deadline: last
    lagging = ItemState.objects.filter(status__in=[Status.OVERDUE, Status.BEHIND])
    panel = attention_panel(access_for(people.office))
    assert panel.count == lagging.count() >= 4
    expected = sorted(lagging, key=lambda s: (s.days_left is None, s.days_left or 0, s.item_id))
    assert expected[-1].item == scene.measure
    assert [row["url"] for row in panel.rows] == [s.item.get_absolute_url() for s in expected][:8]
    assert panel.rows[0]["text"] == "高层次人才引进（人事处）" and panel.rows[0]["meta"] == "逾期 · 已逾期 20 天"
    mine = attention_panel(access_for(people.head))
    assert "高层次人才引进（人事处）" not in [row["text"] for row in mine.rows]


def test_dashboard_units_sort(scene, people, client_for):
    url = reverse("supervision:plan_dashboard", args=[scene.plan.pk])
    client = client_for(people.office)
    assert [u.name for u in client.get(url + "?sort=total").context["board"].units] == ["人事处", "教务处"]
    assert [u.name for u in client.get(url + "?sort=-total").context["board"].units] == ["教务处", "人事处"]


def test_unit_head_sees_only_their_units(scene, people, client_for):
    response = client_for(people.head).get(reverse("supervision:plan_dashboard", args=[scene.plan.pk]))
    assert [u.name for u in response.context["board"].units] == ["教务处"]
    assert "高层次人才引进" not in response.content.decode()


def test_dashboard_empty_state_says_what_next(work, people, client_for):
    response = client_for(people.taskforce).get(reverse("supervision:plan_dashboard", args=[work.plan.pk]))
    assert "还没有与您的单位有关的事项" in response.content.decode()


# --- The league table -----------------------------------------------------------------------


def test_league_formulas(scene):
    rows = {r.unit: r for r in league_rows(Item.objects.filter(plan=scene.plan), TODAY)}
    academic, hr = rows["教务处"], rows["人事处"]
    assert (academic.items, academic.completed, academic.overdue) == (4, 1, 1)
    # labs finished in time; courses' original date has passed: 1 of 2 fallen due.
    assert (academic.completed_on_time, academic.fallen_due, academic.on_time_rate) == (1, 2, 0.5)
    # Reports due by 11月2日 (Fridays 9月4日…10月30日, 9 per item; the measure has its own none).
    assert academic.reports_due == 27
    assert academic.reports_punctual == 1  # 10月29日 for 10月30日; 10月25日 for 10月23日 is late
    # The deferral moved the due date, not the original: still counted as fallen due and not on time.
    assert (hr.fallen_due, hr.completed_on_time, hr.on_time_rate) == (1, 0, 0.0)
    assert (hr.deferrals_requested, hr.deferrals_approved) == (2, 1)
    assert hr.punctuality == 0.0
    total = league_total(list(rows.values()))
    assert total.items == 5 and total.on_time_rate == pytest.approx(1 / 3)


def test_league_from_states_is_the_live_league(scene):
    """The pages read league_rows_current (one row per item's state); the assessment reads
    league_rows (every report, any day). Today they agree on every count."""
    live = league_rows(Item.objects.filter(plan=scene.plan), TODAY)
    assert league_rows_current(ItemState.objects.filter(plan=scene.plan)) == live
    assert sum(r.reports_punctual for r in live) == 1 and sum(r.deferrals_requested for r in live) == 2


def test_league_rate_with_nothing_due_is_none(work):
    rows = league_rows(Item.objects.filter(plan=work.plan), TODAY)
    assert all(r.on_time_rate is None for r in rows)


def test_league_sorts_worst_first_and_by_column(scene, people, client_for):
    client = client_for(people.office)
    url = reverse("supervision:league_table", args=[scene.plan.pk])
    assert [r.unit for r in client.get(url).context["rows"]] == ["教务处", "人事处"]  # one overdue
    assert [r.unit for r in client.get(url + "?sort=on_time_rate").context["rows"]] == ["人事处", "教务处"]
    assert [r.unit for r in client.get(url + "?sort=-deferrals_requested").context["rows"]] == ["人事处", "教务处"]
    html = client.get(url + "?sort=overdue").content.decode()
    assert "?sort=-overdue" in html and "50%" in html and "1/2" in html


def test_league_all_filters_stay_in_the_url(scene, people, client_for):
    other = plan_save(acting_user=people.office, plan=Plan(title="2025年整改方案", year=2025))
    Item.objects.create(
        plan=other, ordinal=1, title="旧事项", lead_unit=scene.talent.lead_unit, start_date=day(1, 1, 2025)
    )
    states_refresh(Item.objects.filter(plan=other), TODAY)
    client = client_for(people.office)
    url = reverse("supervision:league_all")
    assert sum(r.items for r in client.get(url).context["rows"]) == 6
    response = client.get(url + "?year=2026&sort=unit")
    assert sum(r.items for r in response.context["rows"]) == 5
    assert "league.xlsx?year=2026&amp;sort=unit" in response.content.decode()


def test_league_export(scene, people, client_for):
    url = reverse("supervision:league_table_export", args=[scene.plan.pk])
    response = client_for(people.office).get(url + "?sort=unit")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "单位排名" in unquote(response["Content-Disposition"])
    sheet = load_workbook(BytesIO(response.content))["单位排名"]
    assert [c.value for c in sheet[1]][:5] == ["排名", "牵头单位", "事项数", "已完成", "按期完成率"]
    assert sheet["B2"].value == "教务处" and sheet["E2"].value == 0.5 and sheet["E2"].number_format == "0.0%"
    assert sheet["B4"].value == "合计" and sheet["C4"].value == 5
    assert SecurityEvent.objects.filter(kind=EventKind.EXPORT, actor_id=people.office.pk).exists()


# --- The battle map ----------------------------------------------------------------------------


def test_battle_map_json(scene, people, client_for):
    data = client_for(people.office).get(reverse("supervision:battle_map_data", args=[scene.plan.pk])).json()
    numbers = [(r["number"], r["depth"]) for r in data["rows"]]
    assert numbers == [("1", 0), ("1.1", 1), ("2", 0), ("3", 0), ("4", 0)]
    rows = {r["title"]: r for r in data["rows"]}
    talent = rows["高层次人才引进"]
    assert talent["original_due"] == "2026-10-20" and talent["due"] == "2026-12-31"
    assert rows["一流课程建设"]["status_label"] == "逾期" and rows["一流课程建设"]["hex"] == "#b4232a"
    assert rows["本科教学质量提升工程"]["reason"].startswith("时间节点")
    assert rows["本科教学质量提升工程"]["url"] == reverse("supervision:item_detail", args=[scene.teaching.pk])
    nodes = {n["title"]: n for n in data["nodes"]}
    assert nodes["完成方案论证"]["late"] and not nodes["完成方案论证"]["done_on"]
    assert nodes["设备到货"]["done_on"] == "2026-10-08" and not nodes["设备到货"]["late"]
    assert data["today"] == "2026-11-02" and data["min"] < "2026-09-01" and data["max"] > "2026-12-31"


def test_battle_map_filters_and_scope(scene, org, people, client_for):
    url = reverse("supervision:battle_map_data", args=[scene.plan.pk])
    office = client_for(people.office)
    by_unit = office.get(url, {"lead_unit": org.hr.pk}).json()
    assert [r["title"] for r in by_unit["rows"]] == ["高层次人才引进"]
    overdue = office.get(url, {"status": "overdue"}).json()
    assert [r["title"] for r in overdue["rows"]] == ["一流课程建设"]
    head = client_for(people.head).get(url).json()
    assert "高层次人才引进" not in [r["title"] for r in head["rows"]]


def test_battle_map_pages_by_projects(org, people, client_for):
    plan = bulk_plan(people, org, 200)  # project 1 holds 67 measures; 133 projects in all
    url = reverse("supervision:battle_map_data", args=[plan.pk])
    office = client_for(people.office)
    first = office.get(url).json()
    assert (first["total"], first["projects"], first["page"], first["pages"]) == (200, 133, 1, 5)
    assert len(first["rows"]) == 30 + 67 and len(first["nodes"]) == len(first["rows"])
    assert [(r["number"], r["depth"]) for r in first["rows"][:3]] == [("1", 0), ("1.2", 1), ("1.5", 1)]
    assert [r["number"] for r in first["rows"][68:70]] == ["3", "4"]
    beyond = office.get(url, {"page": 99}).json()
    assert beyond["page"] == 5 and len(beyond["rows"]) == 133 - 4 * 30
    seen = [r["id"] for page in range(1, 6) for r in office.get(url, {"page": page}).json()["rows"]]
    assert sorted(seen) == sorted(Item.objects.filter(plan=plan).values_list("pk", flat=True))
    unit = Item.objects.get(plan=plan, ordinal=1).lead_unit_id
    html = office.get(reverse("supervision:battle_map", args=[plan.pk]), {"lead_unit": unit}).content.decode()
    assert "共 67 项，本页为第 1–30 个一级事项及其子事项" in html and "第 1 / 3 页" in html
    assert f"?lead_unit={unit}&amp;page=2" in html  # the filter stays in the paging links


def test_battle_map_page_loads_its_scripts(scene, people, client_for):
    response = client_for(people.office).get(reverse("supervision:battle_map", args=[scene.plan.pk]) + "?status=behind")
    html = response.content.decode()
    assert "vendor/echarts/echarts.min.js" in html and "js/charts.js" in html
    assert '<script id="battle-map-data" type="application/json">' in html
    assert 'data-chart="gantt"' in html and 'value="behind" selected' in html
    assert " style=" not in html and "<script>" not in html  # nothing the CSP would block


# --- Indicators ------------------------------------------------------------------------------


def test_indicator_series_counts_only_accepted_readings(scene):
    (series,) = indicator_series(scene.teaching)
    assert series["points"] == [["2026-10-10", 1], ["2026-11-01", 3]]
    assert series["target"] == 10 and series["direction"] == "up"
    assert series["latest"] == 3 and series["reached"] is False


def test_indicator_page_and_include(scene, people, client_for):
    response = client_for(people.head).get(reverse("supervision:item_indicators", args=[scene.teaching.pk]))
    html = response.content.decode()
    assert "新增一流课程" in html and "未达标" in html
    assert f'id="indicator-series-{scene.teaching.pk}"' in html and 'data-chart="indicator"' in html
    empty = client_for(people.head).get(reverse("supervision:item_indicators", args=[scene.labs.pk]))
    assert "没有设置指标" in empty.content.decode()


# --- The leader view ----------------------------------------------------------------------------


def test_leader_view_groups_patron_items_with_latest_report(scene, people, client_for):
    response = client_for(people.leader).get(reverse("supervision:leader_view"))
    (group,) = response.context["groups"]
    assert [i.title for i in group.items] == [
        "本科教学质量提升工程",
        "实验室建设项目",
        "一流课程建设",
        "高层次人才引进",
    ]
    html = response.content.decode()
    assert "完成方案初稿，召开两次论证会" in html and "尚无采纳的报告" in html
    assert "全校推进中的计划" in html and response.context["summary"][0]["total"] == 5


def test_scoped_leader_sees_no_institution_summary(work, org, people, client_for):
    vp = Person.objects.create_user(
        username="vp", password="x", name="副校长", unit=org.school, must_change_password=False
    )
    RoleGrant.objects.create(person=vp, role=Role.LEADER, unit=org.academic)
    response = client_for(vp).get(reverse("supervision:leader_view"))
    assert response.context["summary"] is None
    assert "指定您为帮包领导" in response.content.decode()


# --- Queries do not grow with items -------------------------------------------------------------


def bulk_plan(people, org, n: int) -> Plan:
    plan = plan_save(acting_user=people.office, plan=Plan(title=f"批量计划{n}", year=2026))
    units = [org.academic, org.hr, org.branch]
    items = Item.objects.bulk_create(
        Item(
            plan=plan,
            ordinal=i + 1,
            title=f"事项{i + 1}",
            lead_unit=units[i % 3],
            patron_leader=people.leader,
            start_date=day(9, 1),
            due_date=day(10, 31) if i % 4 == 0 else day(12, 31),
            original_due_date=day(10, 15) if i % 7 == 0 else (day(10, 31) if i % 4 == 0 else day(12, 31)),
            completed_on=day(10, 20) if i % 5 == 0 else None,
        )
        for i in range(n)
    )
    Item.objects.filter(pk__in=[it.pk for it in items[1::3]]).update(parent=items[0])
    TimeNode.objects.bulk_create(TimeNode(item=it, title="节点", due_date=day(10, 15)) for it in items)
    ProgressReport.objects.bulk_create(
        ProgressReport(
            item=it,
            period_start=day(10, 26),
            period_end=day(11, 1),
            due_date=day(10, 30),
            status=ReportStatus.ACCEPTED if i % 2 else ReportStatus.SUBMITTED,
            progress_text="进展",
            percent=40,
            submitted_at=at(10, 29),
            submitted_on=day(10, 29),
        )
        for i, it in enumerate(items)
    )
    Deferral.objects.bulk_create(
        Deferral(
            item=it,
            requested_by=people.head,
            reason="理由",
            old_due_date=day(10, 15),
            new_due_date=day(12, 31),
            status=DeferralStatus.APPROVED,
        )
        for it in items[::7]
    )
    states_refresh(Item.objects.filter(plan=plan), TODAY)
    return plan


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("persona", ["office", "head"])
def test_queries_do_not_grow_with_items(persona, org, people, client_for):
    small, large = bulk_plan(people, org, 10), bulk_plan(people, org, 200)
    client = client_for(getattr(people, persona))
    client.get(reverse("workbench:home"))  # warm up per-process caches
    for name in ("plan_dashboard", "league_table", "battle_map", "battle_map_data", "league_table_export"):
        counts = [count_queries(client, reverse(f"supervision:{name}", args=[p.pk])) for p in (small, large)]
        assert counts[0] == counts[1], (name, counts)
    assert len(client.get(reverse("supervision:battle_map_data", args=[large.pk])).json()["rows"]) > 10


def test_institution_wide_pages_do_not_grow_with_items(org, people, client_for):
    client = client_for(people.leader)
    client.get(reverse("workbench:home"))
    bulk_plan(people, org, 10)
    urls = [reverse("supervision:leader_view"), reverse("supervision:league_all")]
    before = [count_queries(client, url) for url in urls]
    bulk_plan(people, org, 200)
    assert [count_queries(client, url) for url in urls] == before
