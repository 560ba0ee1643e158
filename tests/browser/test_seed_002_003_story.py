"""Seeds 002 and 003 played in a browser, as the personas sign in with their passwords.

The office turns the inspection feedback into a rectification plan, a finding and two
measures; the 教务处 liaison reports, the unit head submits, the office accepts; the
liaison asks to close the 限期整改 measure with a PDF, the liaison group (第一联络组)
passes it and the office approves (对账销号); the 30-day re-check finds a relapse and
reopens it; a 回头看 round with the 四看 reviews it and adds a new finding; staff see the
disclosed progress without names and send feedback. Screenshots: var/screenshots/s002-….
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from duban.notify.models import Message
from duban.org.models import Person
from duban.rectification.models import (
    ClosureState,
    Feedback,
    Finding,
    LookbackRound,
    Measure,
    MeasureType,
    Recheck,
    RecheckState,
)
from duban.supervision.models import ReportStatus
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN = "巡视整改方案"
FINDING = "个别党支部召开组织生活会不够规范严谨"
SUMMARY = "部分党支部组织生活会程序不够规范，正在逐支部整改"
DEADLINE = "规范党支部组织生活会流程"
ONGOING = "坚持组织生活会全程纪实"
NEW_FINDING = "部分整改措施重制定轻执行"


def sign_in(page_factory, base, username, width=1366, height=860):
    page = page_factory(width, height)
    page.set_default_timeout(10_000)
    page.goto(base + "/accounts/login/")
    page.get_by_label("登录名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    return page


def add_measure(page, finding_url, *, kind, title, unit, patron, responsible, start, due):
    page.goto(finding_url)
    page.get_by_role("link", name="添加整改措施").first.click()
    page.get_by_label("措施类型").select_option(label=kind)
    page.get_by_label("整改措施").fill(title)
    page.get_by_label("牵头单位").select_option(value=str(unit.pk))
    page.get_by_label("责任领导").select_option(value=str(patron.pk))
    # The responsible person's options are reloaded (HTMX) for the lead unit.
    page.get_by_label("责任人").select_option(value=str(responsible.pk))
    page.get_by_label("开始日期").fill(start.isoformat())
    if due:
        page.get_by_label("整改时限").fill(due.isoformat())
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text(f"整改措施“{title}”已保存。")).to_be_visible()
    return Measure.objects.get(item__title=title)


@pytest.fixture
def snap(shot):
    """shot() from the top of the page: a page scrolled to a field or an anchor would
    otherwise show the sticky header in the middle of the full-page image."""

    def take(page, name):
        page.evaluate("window.scrollTo(0, 0)")
        shot(page, name)

    return take


def test_seed_002_003_rectification_story(live_server, page_factory, snap, org, people, tmp_path):
    # 第一联络组 covers 教务处 as well as the branch: its members review 教务处's measures.
    org.grid.covered_units.add(org.academic)
    base = live_server.url
    today = timezone.localdate()

    # 1. Seed 002: the office turns the inspection feedback into a plan, a finding, two measures.
    office = sign_in(page_factory, base, "office")
    office.goto(base + "/rectification/plans/new/")
    office.get_by_label("方案名称").fill(PLAN)
    office.get_by_label("年度").fill(str(today.year))
    office.get_by_label("问题来源").select_option(label="巡视")
    office.get_by_label("来源文件").fill("巡视反馈意见")
    office.get_by_role("button", name="保存").click()
    expect(office.get_by_text(f"整改方案“{PLAN}”已保存。")).to_be_visible()
    expect(office.get_by_role("heading", name=PLAN)).to_be_visible()
    ledger_url = office.url

    office.get_by_role("link", name="新增问题").first.click()
    office.get_by_label("出处").fill("反馈意见第1条")
    office.get_by_label("问题类别").fill("基层党建")
    office.get_by_label("严重程度").select_option(label="较重")
    office.get_by_label("问题描述").fill(FINDING)
    office.locator(f"input[name=units][value='{org.branch.pk}']").check()
    office.locator(f"input[name=units][value='{org.academic.pk}']").check()
    office.get_by_label("公开摘要").fill(SUMMARY)
    snap(office, "s002-01-finding-form")
    office.get_by_role("button", name="保存").click()
    expect(office.get_by_text("问题 1 已保存。")).to_be_visible()
    finding = Finding.objects.get(description=FINDING)
    assert set(finding.units.values_list("name", flat=True)) == {"航空运输系党支部", "教务处"}
    finding_url = office.url

    deadline = add_measure(
        office,
        finding_url,
        kind="限期整改",
        title=DEADLINE,
        unit=org.academic,
        patron=people.leader,
        responsible=people.liaison,
        start=today,
        due=today + datetime.timedelta(weeks=8),
    )
    ongoing = add_measure(
        office,
        finding_url,
        kind="长期坚持",
        title=ONGOING,
        unit=org.academic,
        patron=people.leader,
        responsible=people.liaison,
        start=today,
        due=None,
    )
    assert (deadline.type, ongoing.type) == (MeasureType.DEADLINE, MeasureType.ONGOING)
    assert deadline.item.responsible_person == people.liaison and ongoing.item.due_date is None
    office.goto(ledger_url)
    expect(office.get_by_role("link", name=DEADLINE)).to_be_visible()
    expect(office.get_by_role("link", name=ONGOING)).to_be_visible()
    snap(office, "s002-02-ledger")

    # 2. Reports come in: the liaison fills the open report, the unit head submits, the office accepts.
    liaison = sign_in(page_factory, base, "liaison", 390, 844)
    liaison.goto(f"{base}/rectification/measures/{deadline.pk}/")
    liaison.get_by_role("link", name="进展填报与附件").click()
    liaison.get_by_role("link", name="填报本期进展").click()
    liaison.get_by_label("工作进展").fill("修订组织生活会流程，12个支部完成培训。")
    liaison.get_by_label("存在问题").fill("个别支部记录仍不完整。")
    liaison.get_by_label("下一步计划").fill("逐支部检查会议记录。")
    liaison.get_by_label("完成进度（%）").fill("80")
    snap(liaison, "s002-03-liaison-report-phone")
    liaison.get_by_role("button", name="保存，交单位负责人提交").click()
    expect(liaison.get_by_text("报告已保存，待单位负责人提交。")).to_be_visible()

    head = sign_in(page_factory, base, "head")
    head.goto(f"{base}/supervision/items/{deadline.pk}/")
    head.get_by_role("button", name="提交").click()
    expect(head.get_by_text("报告已提交督查办审核。")).to_be_visible()

    office.get_by_role("link", name="待审核").click()
    office.get_by_role("link", name="从第一份开始审核").click()
    office.get_by_label("采纳").check()
    office.get_by_role("button", name="提交审核结果").click()
    assert deadline.item.reports.filter(status=ReportStatus.ACCEPTED).count() == 1

    # 3. Closure against the ledger: request with a PDF, the liaison group passes, the office approves.
    proof = tmp_path / "组织生活会记录.pdf"
    proof.write_bytes(b"%PDF-1.4\n% minutes of the branch meetings\n")
    liaison.goto(f"{base}/rectification/measures/{deadline.pk}/")
    liaison.get_by_label("申请销号理由").fill("已修订组织生活会流程，全部支部完成培训")
    liaison.get_by_label("整改完成情况说明").fill("12个支部均已按新流程召开组织生活会")
    liaison.get_by_label("佐证材料（会议记录、文件、照片等）").set_input_files(str(proof))
    liaison.get_by_role("button", name="提交销号申请").click()
    expect(liaison.get_by_text("销号申请已提交，等待联络组审核。")).to_be_visible()
    snap(liaison, "s002-04-closure-requested-phone")

    grid = sign_in(page_factory, base, "taskforce")
    grid.get_by_role("link", name="销号审核").first.click()
    expect(grid.get_by_role("link", name="组织生活会记录.pdf")).to_be_visible()
    snap(grid, "s002-05-closure-queue")
    grid.get_by_placeholder("意见（退回时必填理由）").fill("材料齐全，会议记录完整")
    grid.get_by_role("button", name="审核通过").click()
    expect(grid.get_by_text("已审核通过，报督查办审批。")).to_be_visible()

    office.goto(f"{base}/rectification/measures/{deadline.pk}/")
    expect(office.get_by_text("联络组 孙专班")).to_be_visible()
    office.get_by_role("button", name="同意销号").click()
    expect(office.get_by_text("已同意销号，措施进入防反弹复查期。")).to_be_visible()
    expect(office.get_by_text(re.compile("已销号：王文书"))).to_be_visible()
    office.goto(ledger_url)
    row = office.locator("tr", has=office.get_by_role("link", name=DEADLINE))
    expect(row).to_contain_text("已销号")
    expect(row).to_contain_text("王文书")
    snap(office, "s002-06-ledger-closed")
    rechecks = Recheck.objects.filter(measure=deadline).order_by("offset_days")
    assert [r.offset_days for r in rechecks] == [30, 90, 180]

    # 4. Relapse watch. Moving the 30-day re-check's due date to today stands for 30 days
    # passing: the live server runs in another thread, where frozen time would not hold.
    rechecks.filter(offset_days=30).update(due_on=today)
    grid.get_by_role("link", name="复查任务").first.click()
    expect(grid.get_by_role("link", name=DEADLINE).first).to_be_visible()
    snap(grid, "s002-07-recheck-queue")
    grid.get_by_role("link", name="记录复查").first.click()
    grid.get_by_label("出现反弹").check()
    grid.get_by_label("复查情况").fill("两个支部本月组织生活会又未按新流程召开，记录缺失")
    snap(grid, "s002-08-recheck-form")
    grid.get_by_role("button", name="保存复查结论").click()
    expect(grid.get_by_text("已记录反弹，措施重新打开，并已通知责任单位。")).to_be_visible()
    expect(grid.locator("h1")).to_contain_text("整改中")
    expect(grid.locator("dt", has_text="反弹次数").locator("xpath=following-sibling::dd[1]")).to_have_text("1")
    snap(grid, "s002-09-measure-reopened")
    deadline.refresh_from_db()
    assert deadline.closure == ClosureState.OPEN and deadline.relapse_count == 1
    assert rechecks.get(offset_days=30).state == RecheckState.RELAPSED
    assert set(rechecks.exclude(offset_days=30).values_list("state", flat=True)) == {RecheckState.CANCELLED}

    liaison.goto(base + "/inbox/")
    expect(liaison.get_by_text(re.compile(f"整改出现反弹，已重新打开：{DEADLINE}")).first).to_be_visible()
    snap(liaison, "s002-10-liaison-inbox-phone")
    assert Message.objects.filter(recipient=people.liaison, title__contains="整改出现反弹").exists()

    # 5. Seed 003: a look-back round with the 四看.
    office.goto(ledger_url)
    office.get_by_role("link", name="回头看").first.click()
    office.get_by_role("link", name="开展回头看").first.click()
    expect(office.get_by_label("检查要点")).to_have_value(re.compile("一看理想信念"))
    office.get_by_role("button", name="留存快照并开始").click()
    expect(office.get_by_role("heading", name=re.compile("第1轮整改落实"))).to_be_visible()
    round_ = LookbackRound.objects.get()
    assert len(round_.checklist) == 4

    grid.goto(f"{base}/rectification/lookback/{round_.pk}/")
    grid.locator(f"#m{deadline.pk}").get_by_role("link", name="检查").click()
    answers = ["yes", "partly", "no", "partly"]
    for index, answer in enumerate(answers):
        grid.locator(f"input[name^=point_][value={answer}]").nth(index).check()
    grid.get_by_label("正在推进").check()
    grid.get_by_label("检查意见").fill("反弹后已重新部署，仍需逐支部跟踪")
    snap(grid, "s003-01-review")
    grid.get_by_role("button", name="保存检查结果").click()
    row = grid.locator(f"#m{deadline.pk}")
    expect(row).to_contain_text("正在推进")
    expect(row).to_contain_text("反弹 1 次")
    snap(grid, "s003-02-round")

    office.goto(f"{base}/rectification/lookback/{round_.pk}/")
    office.get_by_role("link", name="登记发现的问题").click()
    office.get_by_label("出处").fill("回头看发现")
    office.get_by_label("问题类别").fill("作风建设")
    office.get_by_label("问题描述").fill(NEW_FINDING)
    office.get_by_label("涉及单位").select_option(value=str(org.academic.pk))
    office.get_by_label("公开摘要").fill("部分整改措施落实不到位")
    office.get_by_role("button", name="纳入整改台账").click()
    expect(office.get_by_text(re.compile("已纳入台账"))).to_be_visible()
    new_finding = Finding.objects.get(description=NEW_FINDING)
    assert new_finding.origin_round == round_

    office.goto(f"{base}/rectification/lookback/{round_.pk}/")
    office.get_by_role("link", name="结束回头看").click()
    office.get_by_label("总结").fill("四看逐项检查完毕：一项措施销号后反弹，已重新整改；新发现问题一个。")
    office.get_by_role("button", name="结束并生成对比报告").click()
    expect(office.get_by_role("heading", name=re.compile("对比报告"))).to_be_visible()
    report = office.locator("article")
    expect(report).to_contain_text(NEW_FINDING)
    still_open = office.locator(".db-lb-bucket", has_text="仍在整改")
    expect(still_open.locator("tr", has_text=DEADLINE)).to_contain_text("1")
    snap(office, "s003-03-report")

    # 6. Disclosure: the office opens the plan to staff; staff see it without names and comment.
    office.goto(ledger_url)
    office.get_by_role("link", name="公开设置").click()
    office.get_by_label("向职工公开").check()
    office.get_by_role("button", name="保存公开设置").click()
    expect(office.get_by_text("公开设置已保存。")).to_be_visible()
    snap(office, "s002-11-disclosure-settings")

    staff = sign_in(page_factory, base, "staff")
    staff.get_by_role("link", name="整改公开").first.click()
    staff.get_by_role("link", name=PLAN).click()
    expect(staff.get_by_role("heading", name=PLAN)).to_be_visible()
    main = staff.locator("main")
    expect(main).to_contain_text(SUMMARY)
    expect(main).to_contain_text("部分整改措施落实不到位")
    stats = staff.locator(".db-stat")
    expect(stats.nth(0)).to_contain_text("2")
    expect(stats.nth(1)).to_contain_text("2")
    content = main.inner_text()
    leaked = [name for name in Person.objects.values_list("name", flat=True) if name in content]
    assert leaked == [], leaked
    assert FINDING not in content  # the description itself stays internal
    snap(staff, "s002-12-staff-disclosure")
    staff.locator("tr", has_text=SUMMARY).get_by_role("link", name="提意见").click()
    expect(staff.get_by_label("针对")).to_have_value(str(finding.pk))
    staff.get_by_label("意见内容").fill("建议把各支部组织生活会的整改情况在支部内通报")
    snap(staff, "s002-13-staff-feedback-form")
    staff.get_by_role("button", name="提交意见").click()
    expect(staff.get_by_text(re.compile("意见已提交"))).to_be_visible()
    snap(staff, "s002-14-staff-feedback-sent")
    feedback = Feedback.objects.get()
    assert feedback.finding_id == finding.pk and feedback.sender_id == people.staff.pk

    for page in (office, liaison, head, grid, staff):
        assert page.console_errors == [], page.console_errors
