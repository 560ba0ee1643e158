"""Unit assessment (考核评价) and typical examples in the browser: the office creates a period,
drafts rules and bands and publishes them; an assessor scores (a mistake first, nothing saved);
the office closes; the result page shows every part and total; a unit head sees only their row;
an example is registered with evidence and read by staff. Screenshots: var/screenshots/period-*."""

import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from duban.assessment.models import AssessmentPeriod, Example, ManualScore, PeriodState
from duban.supervision.models import Item
from tests.conftest import PASSWORD
from tests.supervision.conftest import work  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def sign_in(page_factory, base, username):
    page = page_factory(1366, 900)
    page.goto(base + "/accounts/login/")
    page.get_by_label("登录名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    return page


def rule_row(page, index, metric, points, cap="", description="", label=""):
    page.locator(f"select[name=rule-{index}-metric]").select_option(metric)
    if label:
        page.locator(f"input[name=rule-{index}-label]").fill(label)
    page.locator(f"input[name=rule-{index}-points]").fill(points)
    if cap:
        page.locator(f"input[name=rule-{index}-cap]").fill(cap)
    if description:
        page.locator(f"input[name=rule-{index}-description]").fill(description)


def test_unit_assessment_from_rules_to_fixed_result(
    work,  # noqa: F811
    org,
    people,
    live_server,
    page_factory,
    shot,
    media,
    tmp_path,
):
    with time_machine.travel(NOW, tick=True):
        Item.objects.filter(pk=work.teaching.pk).update(completed_on=datetime.date(2026, 10, 1))
        Item.objects.filter(pk=work.labs.pk).update(original_due_date=datetime.date(2026, 10, 1))
        base = live_server.url

        # 1. The office creates a period: the 职能部门 at one click, the plan, an assessor.
        office = sign_in(page_factory, base, "office")
        expect(office.locator(".db-nav-section", has_text="考核评价")).to_be_visible()
        office.get_by_role("link", name="单位考核").click()
        shot(office, "period-01-empty-list")
        office.get_by_role("link", name="新建考核期").first.click()
        office.get_by_label("名称").fill("2026年度督查督办工作考核")
        office.get_by_label("基础分").fill("60")
        office.get_by_role("button", name="全选职能部门").click()
        expect(office.locator("[data-unit-count]")).to_have_text("已选 3 个单位")
        office.get_by_label("党委办公室").uncheck()
        expect(office.locator("[data-unit-count]")).to_have_text("已选 2 个单位")
        office.get_by_label("2026年重点工作攻坚突破项目（2026）").check()
        office.get_by_label("查找评分人").fill("李校长")
        office.locator("select[name=assessors]").select_option(label="李校长（江城航空学院）")
        expect(office.locator(".pe-chosen")).to_contain_text("李校长")
        shot(office, "period-02-form")
        office.get_by_role("button", name="创建").click()
        expect(office.get_by_text("考核期已创建")).to_be_visible()
        period = AssessmentPeriod.objects.get()
        assert set(period.units.values_list("name", flat=True)) == {"教务处", "人事处"}

        # 2. Rules and bands; a mistake is shown beside its row and nothing is saved.
        rule_row(office, 0, "on_time_rate", "20", description="按期完成督办事项")
        rule_row(office, 1, "manual", "10", label="工作实绩", description="工作实绩和作风，由校领导评分")
        office.locator("input[name=band-0-label]").fill("优秀")
        office.locator("input[name=band-0-min_score]").fill("90")
        office.locator("input[name=band-1-label]").fill("一般")
        office.locator("input[name=band-1-min_score]").fill("0")
        office.get_by_role("button", name="保存评分规则和考核等次").click()
        expect(office.get_by_text("评分规则和考核等次已保存")).to_be_visible()
        rule_row(office, 2, "good_examples", "3", cap="-6")
        office.get_by_role("button", name="保存评分规则和考核等次").click()
        expect(office.locator(".db-error-summary")).to_contain_text("上限请填正数")
        shot(office, "period-03-rules-error")
        office.locator("input[name=rule-2-cap]").fill("6")
        office.get_by_role("button", name="保存评分规则和考核等次").click()
        expect(office.get_by_text("评分规则和考核等次已保存")).to_be_visible()
        assert period.rules.count() == 3 and period.bands.count() == 2
        shot(office, "period-04-rules")

        # 3. Publish (the confirmation is accepted by the page factory).
        office.get_by_role("button", name="公布评分规则").last.click()
        expect(office.get_by_text("评分规则已公布：")).to_be_visible()
        period.refresh_from_db()
        assert period.state == PeriodState.PUBLISHED
        expect(office.get_by_text("实时计算：")).to_be_visible()
        shot(office, "period-05-published")

        # 4. An example for 教务处 is registered with evidence and published to staff.
        office.goto(base + "/assessment/examples/")
        office.get_by_role("link", name="登记典型").first.click()
        office.get_by_label("正面典型").check()
        office.get_by_label("标题").fill("一流课程建设成效突出")
        office.get_by_label("事迹或问题简介").fill("教务处牵头完成12门一流课程申报，钱联络按期报送全部进展。")
        office.get_by_label("单位", exact=True).select_option(str(org.academic.pk))
        office.get_by_label("认定日期").fill("2026-10-20")
        office.get_by_label("认定依据").fill("第三季度督查通报")
        office.get_by_label("查找人员").fill("钱")
        office.locator("select[name=people]").select_option(label="钱联络（教务处）")
        evidence = tmp_path / "课程建设总结.pdf"
        evidence.write_bytes(PDF)
        office.get_by_label("佐证材料").set_input_files(str(evidence))
        office.get_by_label("向职工公开", exact=True).check()
        expect(office.get_by_label("公开内容")).to_be_visible()
        shot(office, "period-06-example-form")
        office.get_by_role("button", name="登记").click()
        expect(office.get_by_text("典型已登记")).to_be_visible()
        example = Example.objects.get()
        assert example.evidence_name == "课程建设总结.pdf"
        shot(office, "period-07-example-detail-office")

        # 5. The assessor scores: a number out of range saves nothing, then both units.
        leader = sign_in(page_factory, base, "leader")
        leader.goto(f"{base}/assessment/periods/")
        leader.get_by_role("link", name="去评分").click()
        leader.get_by_label("教务处 工作实绩 分数").fill("9")
        leader.get_by_label("人事处 工作实绩 分数").fill("12")
        leader.get_by_role("button", name="保存全部评分").click()
        expect(leader.locator(".db-error-summary")).to_contain_text("分数应在 0 到 10.00 之间")
        assert not ManualScore.objects.exists()
        shot(leader, "period-08-scores-error")
        leader.get_by_label("人事处 工作实绩 分数").fill("7.5")
        leader.get_by_label("人事处 工作实绩 评分理由").fill("人才引进进度偏慢")
        leader.get_by_role("button", name="保存全部评分").click()
        expect(leader.get_by_text("已保存 2 项评分")).to_be_visible()
        shot(leader, "period-09-scores")

        # 6. The office sees progress (counts only), then fixes the result.
        office.goto(f"{base}/assessment/periods/{period.pk}/scores/")
        expect(office.locator("table").last).to_contain_text("已完成")
        shot(office, "period-10-progress")
        office.get_by_role("link", name="考核结果").click()
        office.get_by_role("button", name="确定考核结果").click()
        expect(office.get_by_text("考核结果已确定，此后不再随数据变化")).to_be_visible()
        period.refresh_from_db()
        assert period.state == PeriodState.CLOSED
        rows = {u["name"]: u for u in period.result["units"]}
        # 教务处: 20 × 1/2 + 1 good example × 3 + 9 = 22 on top of 60.
        assert rows["教务处"]["total"] == "82.00" and rows["教务处"]["band"] == "一般"
        # 人事处: nothing due yet (full 20) + 7.5.
        assert rows["人事处"]["total"] == "87.50"
        result = office.locator("table.pe-result")
        expect(result).to_contain_text("1/2 = 50.00%")
        expect(result).to_contain_text("无应考核事项，按满分计")
        expect(result).to_contain_text("评分 7.50，平均 7.50")
        expect(result.locator("tbody tr").first).to_contain_text("87.50")
        expect(office.get_by_text("结果已确定").first).to_be_visible()
        shot(office, "period-11-result-closed")

        # 7. A unit head sees their own row and all the rules.
        head = sign_in(page_factory, base, "head")
        head.goto(f"{base}/assessment/periods/{period.pk}/")
        expect(head.locator("table.pe-result tbody tr")).to_have_count(1)
        expect(head.locator("table.pe-result tbody")).to_contain_text("教务处")
        expect(head.locator("table.pe-rules tbody tr")).to_have_count(3)
        shot(head, "period-12-result-head")

        # 8. Staff read the published example, with a green marker, and download the evidence.
        staff = sign_in(page_factory, base, "staff")
        expect(staff.get_by_role("link", name="单位考核")).to_have_count(0)
        staff.get_by_role("link", name="正反面典型").click()
        expect(staff.locator("tr.ex-good")).to_have_count(1)
        shot(staff, "period-13-examples-staff")
        staff.get_by_role("link", name="一流课程建设成效突出").click()
        expect(staff.get_by_text("课程建设总结.pdf")).to_be_visible()
        with staff.expect_download() as download:
            staff.get_by_role("link", name="课程建设总结.pdf").click()
        assert download.value.suggested_filename == "课程建设总结.pdf"
        shot(staff, "period-14-example-staff")

        for page in (office, leader, head, staff):
            assert not page.console_errors, page.console_errors
