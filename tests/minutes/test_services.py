"""minutes.services: storing a report, merging the clerk's rows, creating items exactly once."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from duban.minutes import services
from duban.minutes.models import DraftStatus, MinutesDraft
from duban.minutes.services import Row
from duban.supervision.models import Item, ItemLog, LogKind, Plan, PlanKind, PlanStatus
from duban.supervision.services import Refused

TEXT = """江城航空学院召开教学工作推进会

作者：宣传部  时间：2026-03-06  点击数：128

3月5日下午，学校在行政楼会议室召开教学工作推进会。校长李明主持会议，教务处、人事处负责同志汇报了本学期工作进展。

李明强调，一要抓好课程建设。教务处要在6月30日前完成全部课程大纲修订，人事处配合做好师资安排。\
二要抓好实践教学。各系要加强实习基地建设，教务处年底前完成实习基地评估。\
三要抓好考风考纪。人事处要在4月30日前完善监考人员培训制度。
"""
START = datetime.date(2026, 3, 5)


@pytest.fixture
def plan(people):
    return Plan.objects.create(title="2026年校长办公会决定事项", kind=PlanKind.MEETING, year=2026)


def proposal(text):
    """A fixed extraction result (the extractor itself is tested in test_extract.py)."""
    cuts = [text.index("一要抓好"), text.index("二要抓好"), text.index("三要抓好"), text.index("培训制度。") + 5]
    rows = [
        ("抓好课程建设", "2026-06-30", ["教务处", "人事处"]),
        ("抓好实践教学", "2026-12-31", ["教务处"]),
        ("抓好考风考纪", "2026-04-30", ["人事处"]),
    ]
    items = []
    for k, (headline, deadline, units) in enumerate(rows, start=1):
        start, end = cuts[k - 1], cuts[k]
        items.append(
            {
                "ordinal": k,
                "speaker": "李明",
                "headline": headline,
                "text": text[start + 2 : end],
                "deadline": deadline,
                "units": units,
                "_span": [start, end],
            }
        )
    return {"meeting_date": "2026-03-05", "items": items, "units_mentioned": ["教务处", "人事处"]}


@pytest.fixture
def draft(people):
    return MinutesDraft.objects.create(
        title="江城航空学院召开教学工作推进会",
        original=TEXT,
        meeting_date=START,
        result=proposal(TEXT),
        created_by=people.office,
    )


def rows_of(draft, org, changes=None):
    """The proposal as Row objects (as the review form would hand them over)."""
    units = {u.pk: u for u in (org.academic, org.hr, org.office, org.party)}
    spans = services.source_spans(draft)
    rows = []
    for r in services.rows_from_draft(draft):
        row = Row(
            number=r["number"],
            headline=r["headline"],
            text=r["text"],
            speaker=r["speaker"],
            deadline=datetime.date.fromisoformat(r["deadline"]) if r["deadline"] else None,
            lead_unit=units.get(r["lead_unit"]),
            co_units=[units[i] for i in r["co_units"]],
            span=spans.get(r["number"]),
        )
        for key, value in (changes or {}).get(row.number, {}).items():
            setattr(row, key, value)
        rows.append(row)
    return rows


def test_draft_create_stores_text_and_proposal(people):
    draft = services.draft_create(acting_user=people.office, text=TEXT)
    assert draft.title == "江城航空学院召开教学工作推进会"
    assert draft.meeting_date == datetime.date(2026, 3, 5)
    assert draft.status == DraftStatus.DRAFT
    assert len(draft.proposed) == 3
    assert "抓好课程建设" in draft.proposed[0]["headline"]
    assert draft.proposed[0]["units"] == ["教务处", "人事处"]
    assert draft.original == TEXT
    assert draft.created_by == people.office


def test_draft_create_keeps_a_given_title_and_publication_date(people):
    draft = services.draft_create(
        acting_user=people.office, text=TEXT, title="教学工作推进会", published=datetime.date(2026, 3, 6)
    )
    assert draft.title == "教学工作推进会"
    assert draft.published_on == datetime.date(2026, 3, 6)


def test_draft_create_is_for_the_office(people):
    for person in (people.head, people.leader, people.liaison, people.staff):
        with pytest.raises(PermissionDenied):
            services.draft_create(acting_user=person, text=TEXT)
    assert not MinutesDraft.objects.exists()


def test_draft_create_refuses_a_text_without_requirements(people):
    with pytest.raises(Refused) as error:
        services.draft_create(acting_user=people.office, text="3月5日，学校召开教学工作会议，教务处汇报了工作进展。")
    assert error.value.messages == [services.ERR_NO_REQUIREMENTS]
    assert not MinutesDraft.objects.exists()


def test_proposal_preselects_units_from_the_registry(draft, org):
    rows = services.rows_from_draft(draft)
    assert rows[0]["lead_unit"] == org.academic.pk
    assert rows[0]["co_units"] == [org.hr.pk]
    assert rows[2]["lead_unit"] == org.hr.pk
    assert rows[0]["deadline"] == "2026-06-30"


def test_source_spans_cover_each_requirement_without_overlap(draft):
    spans = services.source_spans(draft)
    assert sorted(spans) == [1, 2, 3]
    assert draft.original[slice(*spans[1])].startswith("一要抓好课程建设")
    assert draft.original[slice(*spans[3])].endswith("培训制度。")
    ordered = sorted(spans.values())
    assert all(a[1] <= b[0] for a, b in zip(ordered, ordered[1:], strict=False))


def test_items_created_with_fields_source_and_logs(draft, plan, people, org):
    Item.objects.create(plan=plan, ordinal=7, title="已有事项", lead_unit=org.office, start_date=START)
    items = services.items_from_draft(
        acting_user=people.office, draft=draft, rows=rows_of(draft, org), plan=plan, start_date=START
    )
    assert [i.ordinal for i in items] == [8, 9, 10]
    first = Item.objects.get(pk=items[0].pk)
    assert first.title == "抓好课程建设"
    assert first.description.startswith("抓好课程建设。教务处要在6月30日前")
    assert first.source_text.startswith("一要抓好课程建设。教务处")
    assert first.source_text.endswith("师资安排。")
    assert first.lead_unit == org.academic
    assert list(first.co_units.all()) == [org.hr]
    assert first.start_date == START
    assert first.due_date == datetime.date(2026, 6, 30)
    assert first.original_due_date == datetime.date(2026, 6, 30)
    assert first.remarks == "来源：江城航空学院召开教学工作推进会（李明讲话）"
    assert first.created_by == people.office
    assert ItemLog.objects.filter(item=first, kind=LogKind.CREATED, actor=people.office).count() == 1
    assert hasattr(first, "state")
    draft.refresh_from_db()
    assert draft.status == DraftStatus.CREATED
    assert draft.plan == plan
    assert draft.items_created_by == people.office
    assert set(draft.items.all()) == set(items)


def test_drop_and_merge(draft, plan, people, org):
    rows = rows_of(draft, org, {2: {"keep": False}, 3: {"merge": True}})
    # Row 2 is dropped, so row 3 merges into row 1.
    (item,) = services.items_from_draft(acting_user=people.office, draft=draft, rows=rows, plan=plan, start_date=START)
    item.refresh_from_db()
    assert item.title == "抓好课程建设"
    assert "师资安排。\n抓好考风考纪" in item.description
    assert item.due_date == datetime.date(2026, 4, 30)  # the earliest of 6-30 and 4-30
    assert item.lead_unit == org.academic
    assert list(item.co_units.all()) == [org.hr]  # 人事处 from both rows, once
    assert "一要抓好课程建设" in item.source_text and "三要抓好考风考纪" in item.source_text
    assert "二要抓好实践教学" not in item.source_text


def test_merge_unions_units_and_takes_the_lead_when_missing(draft, plan, people, org):
    rows = rows_of(draft, org, {1: {"lead_unit": None, "co_units": []}, 2: {"merge": True, "co_units": [org.party]}})
    items = services.items_from_draft(acting_user=people.office, draft=draft, rows=rows, plan=plan, start_date=START)
    assert len(items) == 2
    assert items[0].lead_unit == org.academic
    assert set(items[0].co_units.all()) == {org.party}


def test_edits_are_used(draft, plan, people, org):
    rows = rows_of(
        draft,
        org,
        {1: {"headline": "完成课程大纲修订", "text": "教务处牵头修订课程大纲。", "lead_unit": org.office}},
    )
    items = services.items_from_draft(acting_user=people.office, draft=draft, rows=rows, plan=plan, start_date=START)
    assert items[0].title == "完成课程大纲修订"
    assert items[0].description == "教务处牵头修订课程大纲。"
    assert items[0].lead_unit == org.office
    assert items[0].source_text.startswith("一要抓好课程建设")  # the report's words stay


def test_created_exactly_once(draft, plan, people, org):
    services.items_from_draft(
        acting_user=people.office, draft=draft, rows=rows_of(draft, org), plan=plan, start_date=START
    )
    with pytest.raises(Refused) as error:
        services.items_from_draft(
            acting_user=people.office, draft=draft, rows=rows_of(draft, org), plan=plan, start_date=START
        )
    assert error.value.messages == [services.ERR_ALREADY_CREATED]
    assert Item.objects.filter(plan=plan).count() == 3
    with pytest.raises(Refused):
        services.draft_save_rows(acting_user=people.office, draft=draft, rows=rows_of(draft, org))


def test_deadline_before_start_refused_naming_the_item(draft, plan, people, org):
    with pytest.raises(Refused) as error:
        services.items_from_draft(
            acting_user=people.office,
            draft=draft,
            rows=rows_of(draft, org),
            plan=plan,
            start_date=datetime.date(2026, 5, 1),
        )
    assert error.value.messages == ["第 3 条“抓好考风考纪”的完成时限 2026-04-30 早于开始日期 2026-05-01，请修改。"]
    assert not Item.objects.exists()
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFT


def test_missing_lead_unit_refused_and_nothing_written(draft, plan, people, org):
    rows = rows_of(draft, org, {2: {"lead_unit": None, "co_units": []}})
    with pytest.raises(Refused) as error:
        services.items_from_draft(acting_user=people.office, draft=draft, rows=rows, plan=plan, start_date=START)
    assert error.value.messages == ["第 2 条“抓好实践教学”没有选择牵头单位。"]
    assert not Item.objects.exists()
    assert not ItemLog.objects.exists()
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFT
    assert not draft.items.exists()


def test_other_refusals(draft, plan, people, org):
    cases = [
        (
            {"rows": rows_of(draft, org, {1: {"merge": True}}), "plan": plan},
            "第 1 条前面没有保留的事项，无法“并入上一条”。",
        ),
        ({"rows": [Row(number=1, keep=False)], "plan": plan}, services.ERR_NOTHING_KEPT),
        ({"rows": rows_of(draft, org, {1: {"headline": " "}}), "plan": plan}, "第 1 条没有填写事项名称。"),
        ({"rows": rows_of(draft, org), "plan": None}, services.ERR_NO_PLAN),
    ]
    for kwargs, message in cases:
        with pytest.raises(Refused) as error:
            services.items_from_draft(acting_user=people.office, draft=draft, start_date=START, **kwargs)
        assert error.value.messages == [message]
    plan.status = PlanStatus.CLOSED
    plan.save()
    with pytest.raises(Refused) as error:
        services.items_from_draft(
            acting_user=people.office, draft=draft, rows=rows_of(draft, org), plan=plan, start_date=START
        )
    assert error.value.messages == ["计划“2026年校长办公会决定事项”已结束，不能再添加事项。"]
    assert not Item.objects.exists()


def test_only_the_office_creates_items(draft, plan, people, org):
    with pytest.raises(PermissionDenied):
        services.items_from_draft(
            acting_user=people.head, draft=draft, rows=rows_of(draft, org), plan=plan, start_date=START
        )
    assert not Item.objects.exists()


def test_saved_rows_come_back(draft, people, org):
    rows = rows_of(draft, org, {2: {"keep": False, "headline": "改过的名称", "lead_unit": org.party}})
    services.draft_save_rows(acting_user=people.office, draft=draft, rows=rows)
    again = services.rows_from_draft(MinutesDraft.objects.get(pk=draft.pk))
    assert again[1]["keep"] is False
    assert again[1]["headline"] == "改过的名称"
    assert again[1]["lead_unit"] == org.party.pk
    assert again[0]["deadline"] == "2026-06-30"


def test_guess_title():
    assert services.guess_title("首页\n\n我校召开党建工作会议\n\n5月1日，我校召开……") == "我校召开党建工作会议"
    assert services.guess_title("5月1日，我校召开党建工作会议，书记讲话。") == ""
