"""Dashboards, the league table, the battle map, indicator series, the weekly summary
and the reminder ladder through the API: who may read them, that they say what the
pages say (same selectors, same formulas), and that their queries do not grow with
the number of items."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from duban.supervision.models import (
    Deferral,
    DeferralStatus,
    Indicator,
    IndicatorReading,
    Item,
    ItemState,
    Plan,
    ProgressReport,
    ReminderSent,
    ReportStatus,
    TimeNode,
)
from duban.supervision.selectors import dashboards
from duban.supervision.services import ladder as ladder_services
from duban.supervision.services.plans import DEFAULT_LADDER, ERR_NOT_OFFICE, plan_save
from duban.supervision.state import states_refresh
from tests.org.test_views import ALL_PERSONAS
from tests.supervision import conftest as supervision

pytestmark = pytest.mark.django_db

work = supervision.work

NOW = datetime.datetime(2026, 11, 3, 10, 0, tzinfo=datetime.UTC)
TODAY = supervision.TODAY
WEEK = datetime.date(2026, 10, 26)  # the last completed week
NO_SUPERVISION = {"sys_admin", "sec_admin", "audit_admin", "norole"}
SEES_TEACHING = {"leader", "office", "head", "liaison", "discipline", "staff", "outsider"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def day(month, d, year=2026):
    return datetime.date(year, month, d)


def at(month, d):
    return datetime.datetime(2026, month, d, 10, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def scene(work, people):
    """labs completed 10月20日; courses overdue since 10月25日; talent deferred; teaching's
    report of the week accepted (with an indicator reading), labs' still a draft."""
    Item.objects.filter(pk=work.labs.pk).update(completed_on=day(10, 20))
    Item.objects.filter(pk=work.courses.pk).update(due_date=day(10, 25), original_due_date=day(10, 25))
    Item.objects.filter(pk=work.talent.pk).update(original_due_date=day(10, 20))
    Deferral.objects.create(
        item=work.talent,
        requested_by=people.outsider,
        reason="考察中",
        old_due_date=day(10, 20),
        new_due_date=day(12, 31),
        status=DeferralStatus.APPROVED,
    )
    week = ProgressReport.objects.filter(period_start=WEEK)
    week.filter(item=work.teaching).update(
        status=ReportStatus.ACCEPTED,
        progress_text="完成方案初稿。",
        problems="经费紧张。",
        percent=30,
        submitted_at=at(10, 29),
        submitted_on=day(10, 29),
    )
    week.filter(item=work.labs).update(status=ReportStatus.DRAFT, progress_text="草稿，尚未提交。")
    report = week.get(item=work.teaching)
    IndicatorReading.objects.create(indicator=work.indicator, report=report, period_end=day(11, 1), value=3)
    TimeNode.objects.create(item=work.labs, title="设备到货", due_date=day(10, 10), done_on=day(10, 8))
    states_refresh(Item.objects.all(), TODAY)
    return work


def plan_urls(plan):
    return [
        f"/api/plans/{plan.pk}/dashboard",
        f"/api/plans/{plan.pk}/league",
        f"/api/plans/{plan.pk}/battle-map",
        f"/api/plans/{plan.pk}/weekly",
        f"/api/plans/{plan.pk}/lagging-units",
        "/api/league",
    ]


# --- Who may ----------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_reads_by_persona(persona, scene, people, api_for):
    client = api_for(getattr(people, persona))
    for url in plan_urls(scene.plan):
        response = client.get(url)
        assert response.status_code == (403 if persona in NO_SUPERVISION else 200), url
    indicators = client.get(f"/api/items/{scene.teaching.pk}/indicators")
    expected = 403 if persona in NO_SUPERVISION else (200 if persona in SEES_TEACHING else 404)
    assert indicators.status_code == expected
    assert client.get("/api/plans/999999/dashboard").status_code == (403 if persona in NO_SUPERVISION else 404)


# --- What they say ----------------------------------------------------------------------
def test_dashboard_is_the_selectors(scene, people, org, api_for):
    body = api_for(people.office).get(f"/api/plans/{scene.plan.pk}/dashboard").json()
    board = dashboards.plan_dashboard(scene.plan, ItemState.objects.filter(plan=scene.plan))
    assert body["total"] == board.total == 4
    assert body["statuses"] == [dict(s) for s in board.statuses]
    assert body["totals"] == board.totals
    assert [u["name"] for u in body["units"]] == ["教务处", "人事处"]
    assert body["units"][0]["total"] == 3 and body["units"][0]["counts"]["completed"] == 1
    assert [a["item_id"] for a in body["attention"]] == [s.item_id for s in board.attention]
    first = body["attention"][0]
    assert (first["item_id"], first["status"], first["overdue_days"]) == (
        scene.courses.pk,
        "overdue",
        8,
    )  # cached on 11月2日
    assert first["lead_unit"] == {"id": org.academic.pk, "name": "教务处"}
    assert (body["attention_total"], body["missing_reports"]) == (board.attention_total, board.missing_reports)
    assert body["chart"] == board.chart
    assert body["sort"] == ""
    by_total = api_for(people.office).get(f"/api/plans/{scene.plan.pk}/dashboard", {"sort": "-total"}).json()
    assert (by_total["sort"], by_total["units"][0]["name"]) == ("-total", "教务处")
    # A unit head counts only the items they see.
    head = api_for(people.head).get(f"/api/plans/{scene.plan.pk}/dashboard").json()
    assert head["total"] == 3
    assert [u["name"] for u in head["units"]] == ["教务处"]


@pytest.mark.parametrize("persona", ["office", "head"])
def test_league_is_the_pages(persona, scene, people, api_for, client_for):
    person = getattr(people, persona)
    for api_url, page_url in [
        (f"/api/plans/{scene.plan.pk}/league", reverse("supervision:league_table", args=[scene.plan.pk])),
        ("/api/league", reverse("supervision:league_all")),
    ]:
        body = api_for(person).get(api_url).json()
        page = client_for(person).get(page_url).context
        assert [r["unit_id"] for r in body["rows"]] == [r.unit_id for r in page["rows"]]
        for row, expected in zip(body["rows"], page["rows"], strict=True):
            assert row["on_time_rate"] == expected.on_time_rate
            assert row["punctuality"] == expected.punctuality
            assert (row["items"], row["overdue"], row["missing_reports"]) == (
                expected.items,
                expected.overdue,
                expected.missing_reports,
            )
        assert body["total"]["unit"] == "合计"
        assert len(body["rules"]) == 6
    if persona == "office":
        body = api_for(person).get("/api/league", {"sort": "unit"}).json()
        academic = body["rows"][0]
        assert (body["sort"], academic["unit"], academic["items"], academic["completed"]) == ("unit", "教务处", 3, 1)
        # labs completed on time, courses overdue: 1 of 2 fallen due.
        assert (academic["fallen_due"], academic["completed_on_time"], academic["on_time_rate"]) == (2, 1, 0.5)
        assert body["rows"][1]["deferrals_approved"] == 1
        assert api_for(person).get("/api/league", {"year": 2020}).json()["rows"] == []
        assert api_for(person).get("/api/league", {"scope": "bogus"}).status_code == 422


@pytest.mark.parametrize("persona", ["office", "head"])
def test_battle_map_is_the_pages_json(persona, scene, people, org, api_for, client_for):
    person = getattr(people, persona)
    url = f"/api/plans/{scene.plan.pk}/battle-map"
    page = reverse("supervision:battle_map_data", args=[scene.plan.pk])
    assert api_for(person).get(url).json() == client_for(person).get(page).json()
    filtered = api_for(person).get(url, {"lead_unit_id": org.academic.pk, "status": "overdue"}).json()
    assert filtered == client_for(person).get(page, {"lead_unit": org.academic.pk, "status": "overdue"}).json()
    assert [r["id"] for r in filtered["rows"]] == [scene.courses.pk]
    assert api_for(person).get(url, {"status": "purple"}).status_code == 422


def test_indicator_series(scene, people, api_for):
    Indicator.objects.create(item=scene.teaching, name="经费", unit_of_measure="万元", target=100, order=2)
    body = api_for(people.liaison).get(f"/api/items/{scene.teaching.pk}/indicators").json()
    first, second = body
    assert (first["name"], first["unit"], first["target"], first["baseline"]) == ("新增一流课程", "门", 10, 0)
    assert (first["points"], first["latest"], first["latest_on"], first["reached"]) == (
        [["2026-11-01", 3]],
        3,
        "2026-11-01",
        False,
    )
    assert (second["points"], second["latest"], second["reached"]) == ([], None, None)
    assert api_for(people.taskforce).get(f"/api/items/{scene.teaching.pk}/indicators").status_code == 404


def test_weekly_summary(scene, people, org, api_for):
    body = api_for(people.office).get(f"/api/plans/{scene.plan.pk}/weekly").json()
    assert (body["start"], body["end"], body["number"]) == ("2026-10-26", "2026-11-01", 9)
    assert body["title"] == "2026年重点工作攻坚突破项目第9周工作进展汇总（10月26日—11月1日）"
    assert (body["previous_week"], body["next_week"], body["total"]) == ("2026-10-19", "2026-11-02", 4)
    rows = {row["item_id"]: row for row in body["rows"]}
    assert [row["number"] for row in body["rows"]] == ["1", "2", "3", "4"]
    teaching = rows[scene.teaching.pk]
    assert (teaching["filing"], teaching["filing_label"]) == ("on_time", "按时报送")
    assert teaching["report"]["progress_text"] == "完成方案初稿。"
    assert teaching["report"]["percent"] == 30
    assert teaching["lead_unit"] == {"id": org.academic.pk, "name": "教务处"}
    # A draft is still the unit's own: its text is not shown.
    assert rows[scene.labs.pk]["report"] is None
    assert rows[scene.labs.pk]["filing"] == "missing"
    assert rows[scene.courses.pk]["lagging"] is True
    assert "本周进展缺报" in rows[scene.courses.pk]["reasons"]
    assert {f["filing"]: f["count"] for f in body["filing_counts"]}["on_time"] == 1
    assert sum(s["count"] for s in body["status_counts"]) == 4
    (courses,) = body["indicators"]
    assert (courses["name"], courses["current"], courses["target"], courses["rate"]) == ("新增一流课程", 3, 10, 30)
    assert body["lagging"][0]["name"] == "教务处"
    assert scene.courses.pk in body["lagging"][0]["item_ids"]
    this_week = api_for(people.office).get(f"/api/plans/{scene.plan.pk}/weekly", {"week": "2026-11-04"}).json()
    assert (this_week["start"], this_week["next_week"]) == ("2026-11-02", None)
    assert api_for(people.office).get(f"/api/plans/{scene.plan.pk}/weekly", {"week": "11月"}).status_code == 422
    head = api_for(people.head).get(f"/api/plans/{scene.plan.pk}/weekly").json()
    assert scene.talent.pk not in {row["item_id"] for row in head["rows"]}
    assert api_for(people.taskforce).get(f"/api/plans/{scene.plan.pk}/weekly").json()["rows"] == []


# --- Queries do not grow with items ----------------------------------------------------
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
    reports = ProgressReport.objects.bulk_create(
        ProgressReport(
            item=it,
            period_start=WEEK,
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
    indicators = Indicator.objects.bulk_create(Indicator(item=it, name="指标", target=10) for it in items)
    IndicatorReading.objects.bulk_create(
        IndicatorReading(indicator=ind, report=rep, period_end=day(11, 1), value=3)
        for ind, rep in zip(indicators, reports, strict=True)
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


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.json())
    return len(captured)


@pytest.mark.parametrize("persona", ["office", "head"])
def test_queries_do_not_grow_with_items(persona, org, people, api_for):
    client = api_for(getattr(people, persona))
    small = bulk_plan(people, org, 10)
    client.get("/api/league")  # the token's last_used_at is written here
    before = [_queries(client, url) for url in plan_urls(small)]
    large = bulk_plan(people, org, 60)
    assert [_queries(client, url) for url in plan_urls(large)] == before
    assert len(client.get(f"/api/plans/{large.pk}/battle-map").json()["rows"]) > 10


# --- The reminder ladder ---------------------------------------------------------------
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_ladder_is_the_offices(persona, work, people, api_for):
    client = api_for(getattr(people, persona))
    rung = work.plan.rungs.first()
    url = f"/api/plans/{work.plan.pk}/ladder"
    responses = [
        client.get(url),
        client.post(url, {"trigger": "overdue", "days": 30, "recipients": ["patron"]}, content_type="application/json"),
        client.patch(f"/api/rungs/{rung.pk}", {"days": 15}, content_type="application/json"),
        client.delete(f"/api/rungs/{rung.pk}"),
        client.post(f"{url}/reset"),
    ]
    if persona == "office":
        assert [r.status_code for r in responses] == [200, 201, 200, 204, 200]
        return
    detail = "无权访问。" if persona in NO_SUPERVISION else ERR_NOT_OFFICE
    for response in responses:
        assert (response.status_code, response.json()) == (403, {"detail": detail})
    assert work.plan.rungs.count() == len(DEFAULT_LADDER)


def test_ladder_editing(work, people, api_for):
    client = api_for(people.office)
    url = f"/api/plans/{work.plan.pk}/ladder"
    first = work.plan.rungs.order_by("order").first()
    ReminderSent.objects.create(item=work.teaching, rung=first, on_date=day(11, 2), due_date=day(12, 31), recipients=2)
    ladder = client.get(url).json()
    assert [r["label"] for r in ladder["rungs"]][:3] == ["到期前 20 天", "到期前 10 天", "到期前 3 天"]
    assert ladder["rungs"][0]["recipient_labels"] == ["责任人"]
    (sent,) = ladder["sent"]
    assert (sent["item"]["id"], sent["rung_label"], sent["recipients"]) == (work.teaching.pk, "到期前 20 天", 2)

    def post(data):
        return client.post(url, data, content_type="application/json")

    added = post({"trigger": "before_due", "days": 30, "recipients": ["responsible", "patron"], "repeat_days": 7})
    assert added.status_code == 201, added.json()
    assert (added.json()["label"], added.json()["order"]) == ("到期前 30 天", 1)
    bad = post({"trigger": "overdue", "days": 999, "recipients": []})
    assert bad.status_code == 400
    assert bad.json()["errors"] == {
        "days": [str(ladder_services.ERR_DAYS)],
        "recipients": [str(ladder_services.ERR_NO_RECIPIENT)],
    }
    assert bad.json()["detail"].startswith("数据校验未通过：天数：")
    assert post({"trigger": "later", "days": 1, "recipients": ["office"]}).status_code == 422
    assert post({"trigger": "overdue", "days": 1, "recipients": ["dean"]}).status_code == 422

    rung_url = f"/api/rungs/{added.json()['id']}"
    patched = client.patch(rung_url, {"days": 5, "active": False}, content_type="application/json")
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["days"], patched.json()["active"], patched.json()["repeat_days"]) == (5, False, 7)
    assert patched.json()["order"] == 3  # renumbered: after 到期前 10 天, before 到期前 3 天
    refused = client.patch(rung_url, {"repeat_days": -1}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"repeat_days": [str(ladder_services.ERR_REPEAT)]}
    assert client.delete(rung_url).status_code == 204
    assert client.delete(rung_url).status_code == 404
    assert client.patch("/api/rungs/999999", {"days": 1}, content_type="application/json").status_code == 404
    reset = client.post(f"{url}/reset")
    assert len(reset.json()["rungs"]) == len(DEFAULT_LADDER)
    assert client.get("/api/plans/999999/ladder").status_code == 404
