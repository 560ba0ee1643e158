"""Seed 003's 回头看 in the browser: the office opens a round with the 四看, reviews a
closed measure and finds it relapsed, closes the round and prints the comparison report
(screenshots in var/screenshots/)."""

import datetime
import re

import pytest
import time_machine
from playwright.sync_api import expect

from duban.rectification.services.closure import closure_approve, closure_request
from tests.conftest import PASSWORD
from tests.rectification.conftest import rect  # noqa: F401  (the plan in mid-course)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def test_office_runs_a_lookback_round(
    rect,  # noqa: F811
    people,
    live_server,
    page_factory,
    shot,
):
    with time_machine.travel(NOW, tick=True):
        request = closure_request(
            acting_user=people.outsider, measure=rect.at_once, statement="已纠正", evidence={"statement": "已纠正"}
        )
        closure_approve(acting_user=people.office, closure=request)
        page = page_factory(1366, 900)
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("登录名").fill("office")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()

        page.goto(f"{live_server.url}/rectification/plans/{rect.plan.pk}/lookback/")
        page.get_by_role("link", name="开展回头看").first.click()
        expect(page.get_by_label("检查要点")).to_have_value(re.compile("一看理想信念"))
        page.get_by_role("button", name="留存快照并开始").click()
        expect(page.get_by_role("heading", name=re.compile("第1轮整改落实"))).to_be_visible()

        page.locator(f"#m{rect.at_once.pk}").get_by_role("link", name="检查").click()
        shot(page, "lookback-01-review")
        radios = page.locator("input[name^=point_][value=no]")
        expect(radios).to_have_count(4)
        for index in range(4):
            radios.nth(index).check()
        page.get_by_label("出现反弹").check()
        page.get_by_label("检查意见").fill("干部选拔又出现程序倒置")
        shot(page, "lookback-01-review")
        page.get_by_role("button", name="保存检查结果").click()
        expect(page.get_by_text("该措施已重新打开整改")).to_be_visible()
        shot(page, "lookback-02-round")

        page.get_by_role("link", name="结束回头看").click()
        page.get_by_label("总结").fill("四看逐项检查完毕，发现一处反弹，已重新整改。")
        page.get_by_role("button", name="结束并生成对比报告").click()
        expect(page.get_by_role("heading", name=re.compile("对比报告"))).to_be_visible()
        expect(page.locator(".db-lb-bucket").first).to_contain_text("立即纠正不规范的选拔程序")
        shot(page, "lookback-03-report")
        page.emulate_media(media="print")
        expect(page.locator(".db-sidebar")).to_be_hidden()
        shot(page, "lookback-04-report-print")
        page.emulate_media(media="screen")
        page.goto(f"{live_server.url}/rectification/plans/{rect.plan.pk}/lookback/")
        expect(page.locator("tbody tr")).to_have_count(1)
        shot(page, "lookback-05-rounds")
        page.goto(f"{live_server.url}/rectification/lookback/templates/")
        shot(page, "lookback-06-templates")
        assert not page.console_errors
