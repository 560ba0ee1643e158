"""Two liaisons of 教务处 fill the same progress report in their browsers: the second save is
refused, the page shows who changed what and keeps the second liaison's text; saving again
goes through. Screenshot under var/screenshots/ (50-…)."""

import re

import pytest
from playwright.sync_api import expect

from duban.org.models import Role
from duban.supervision.models import ProgressReport
from tests.conftest import PASSWORD, _person
from tests.supervision.conftest import work  # noqa: F401  (the fixture plan)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page_factory, base, username):
    page = page_factory()
    page.goto(base + "/accounts/login/")
    page.get_by_label("登录名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    return page


def test_the_second_liaison_sees_what_the_first_saved(live_server, page_factory, shot, work, org):  # noqa: F811
    _person("liaison2", "孙联络", org.academic, [(Role.LIAISON, org.academic)])
    report = work.teaching.reports.order_by("-period_start").first()
    url = f"{live_server.url}/supervision/reports/{report.pk}/"
    mine, theirs = sign_in(page_factory, live_server.url, "liaison"), sign_in(page_factory, live_server.url, "liaison2")
    mine.goto(url)
    theirs.goto(url)

    theirs.get_by_label("工作进展").fill("完成方案论证，启动课程评估")
    theirs.get_by_label("完成进度（%）").fill("30")
    theirs.get_by_role("button", name="保存，交单位负责人提交").click()
    expect(theirs.get_by_text("报告已保存，待单位负责人提交。")).to_be_visible()

    mine.get_by_label("工作进展").fill("召开专题会议部署课程建设")
    mine.get_by_label("存在问题").fill("经费尚未到位")
    mine.get_by_label("完成进度（%）").fill("25")
    mine.get_by_role("button", name="保存，交单位负责人提交").click()
    notice = mine.get_by_role("alert")
    expect(notice).to_contain_text("您编辑期间，这条记录已被他人修改，您的修改没有保存。")
    expect(notice).to_contain_text("孙联络")
    expect(notice).to_contain_text("工作进展：— → 完成方案论证，启动课程评估")
    expect(mine.get_by_label("工作进展")).to_have_value("召开专题会议部署课程建设")
    shot(mine, "50-report-stale")

    mine.get_by_role("button", name="保存，交单位负责人提交").click()
    expect(mine.get_by_text("报告已保存，待单位负责人提交。")).to_be_visible()
    saved = ProgressReport.objects.get(pk=report.pk)
    assert (saved.progress_text, saved.problems, saved.percent) == ("召开专题会议部署课程建设", "经费尚未到位", 25)
    assert mine.console_errors == [] and theirs.console_errors == []
