"""纪要转事项 in a browser: the office clerk pastes the report of seed 001 (a 推进调度会 where
two leaders lay down three requirements each), checks the proposals beside the highlighted
text, assigns lead units, drops one, merges one, and creates the items in a 会议决定事项
plan. Screenshots are saved under var/screenshots/ (70-…)."""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import expect

from duban.minutes.models import DraftStatus, MinutesDraft
from duban.org.demo import load_demo
from duban.org.models import Unit
from duban.supervision.models import Item, ItemLog, Plan, PlanKind
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_office_clerk import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEEDS = Path("/work/shared/seeds")
NEXT_MORNING = datetime.datetime(2020, 10, 9, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seeds folder not present")
def test_minutes_of_seed_001_become_items(live_server, page_factory, shot):
    # The clerk reads the report the morning after the meeting.
    with time_machine.travel(NEXT_MORNING, tick=True):
        clerk_turns_minutes_into_items(live_server, page_factory, shot)


def clerk_turns_minutes_into_items(live_server, page_factory, shot):
    load_demo()
    plan = Plan.objects.create(title="2020年重点工作推进调度会决定事项", kind=PlanKind.MEETING, year=2020)
    text = next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8")
    base = live_server.url
    page = page_factory()
    login(page, base, "office")

    # 1. The clerk opens 纪要转事项 from the navigation and pastes the report.
    page.get_by_role("link", name="纪要转事项").click()
    expect(page.get_by_role("heading", name="纪要转事项")).to_be_visible()
    page.get_by_role("link", name="读取纪要").first.click()
    expect(page.get_by_role("heading", name="读取会议纪要")).to_be_visible()
    page.get_by_label("粘贴文字").fill(text)
    shot(page, "70-minutes-input")
    page.get_by_role("button", name="找出要求").click()

    # 2. The review page: the report with numbered highlights beside the proposed items.
    expect(page.get_by_text(re.compile(r"已从纪要中找到 \d+ 条要求"))).to_be_visible()
    draft = MinutesDraft.objects.get()
    proposed = draft.proposed
    n = len(proposed)
    assert n >= 4
    expect(page.get_by_role("heading", name="我校召开重点工作攻坚突破项目推进调度会")).to_be_visible()
    expect(page.locator("mark.mn-mark")).to_have_count(n)
    expect(page.locator("#src-1")).to_contain_text("一要提高站位")
    expect(page.locator("article.mn-row")).to_have_count(n)
    expect(page.locator("#start_date, [name=start_date]").first).to_have_value("2020-10-08")

    # Hovering a proposal highlights its source passage.
    page.locator("#row-3").hover()
    expect(page.locator("#src-3")).to_have_class(re.compile(r"is-active"))

    # 3. Lead units where the text named none (the office keeps the general ones).
    office = Unit.objects.get(name="党委办公室")
    lead_selects = page.locator("select[name$='-lead_unit']")
    for i in range(n):
        select = lead_selects.nth(i)
        if not select.input_value():
            select.select_option(value=str(office.pk))
    # The first requirement (提高站位) is a call to attitude, not a task: dropped.
    page.locator("#row-1").get_by_label("保留").uncheck()
    expect(page.locator("#row-1 .mn-dropped-note")).to_be_visible()
    expect(page.locator("#src-1")).to_have_class(re.compile(r"is-dropped"))
    # The last requirement is merged into the one before it.
    page.locator(f"#row-{n}").get_by_label("并入上一条").check()
    expect(page.locator(f"#row-{n} .mn-merged-note")).to_have_text(f"将并入第 {n - 1} 条")
    page.locator("#row-2").get_by_label("事项名称").fill("凝心聚力，加快攻坚突破项目推进")
    page.get_by_label("加入督办计划").select_option(value=str(plan.pk))
    page.locator("#row-3").hover()
    page.screenshot(path=str(SCREENSHOTS / "71-minutes-review-viewport.png"))
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "71-minutes-review")
    assert not page.console_errors

    # 4. Create: the result lists the items with links, and the plan.
    page.get_by_role("button", name="创建督办事项").click()
    created = n - 2
    expect(page.get_by_text(f"已创建 {created} 个督办事项。")).to_be_visible()
    expect(page.locator("table.db-table tbody tr")).to_have_count(created)
    expect(page.get_by_role("link", name="凝心聚力，加快攻坚突破项目推进")).to_be_visible()
    expect(page.get_by_role("link", name="查看计划台账")).to_be_visible()
    shot(page, "72-minutes-result")

    items = list(Item.objects.filter(plan=plan).order_by("ordinal"))
    assert len(items) == created
    assert [i.ordinal for i in items] == list(range(1, created + 1))
    assert items[0].title == "凝心聚力，加快攻坚突破项目推进"
    assert items[0].source_text.startswith("二要凝心聚力")
    assert all(i.source_text and i.lead_unit_id for i in items)
    assert "曹胜强讲话" in items[0].remarks
    assert items[-1].source_text.count("要把") >= 2  # the merged requirement keeps both passages
    assert ItemLog.objects.filter(item__in=items).count() == created
    draft.refresh_from_db()
    assert draft.status == DraftStatus.CREATED and draft.items.count() == created

    # 5. The clerk follows a link to one item: its source text is there.
    page.get_by_role("link", name="凝心聚力，加快攻坚突破项目推进").click()
    expect(page.get_by_role("heading", name=re.compile("凝心聚力"))).to_be_visible()

    # 6. The list of reports read shows this one as done.
    page.get_by_role("link", name="纪要转事项").click()
    expect(page.get_by_text(f"已创建 {created} 项")).to_be_visible()
    shot(page, "73-minutes-list")
