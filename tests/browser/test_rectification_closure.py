"""对账销号 in a browser: the office opens the ledger; the liaison of 教务处 asks to close a
measure with a PDF; the liaison group passes it; the office approves; the ledger shows it
closed with the approver's name. Screenshots under var/screenshots/ (60-…)."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.rectification.conftest import rect  # noqa: F401  (the fixture plan)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page_factory, base, username):
    page = page_factory()
    page.goto(base + "/accounts/login/")
    page.get_by_label("登录名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    return page


def test_closure_against_the_ledger(live_server, page_factory, shot, rect, tmp_path):  # noqa: F811
    base = live_server.url
    ledger = f"{base}/rectification/plans/{rect.plan.pk}/"
    measure = f"{base}/rectification/measures/{rect.deadline.pk}/"

    office = sign_in(page_factory, base, "office")
    office.goto(ledger)
    expect(office.get_by_role("heading", name="2026年巡视整改方案")).to_be_visible()
    expect(office.get_by_role("link", name="规范组织生活会流程")).to_be_visible()
    shot(office, "60-rect-ledger")

    proof = tmp_path / "组织生活会记录.pdf"
    proof.write_bytes(b"%PDF-1.4\n% minutes of the branch meetings\n")
    liaison = sign_in(page_factory, base, "liaison")
    liaison.goto(measure)
    liaison.get_by_label("申请销号理由").fill("已修订组织生活会流程，全部支部完成培训")
    liaison.get_by_label("整改完成情况说明").fill("12个支部均已按新流程召开组织生活会")
    liaison.get_by_label("佐证材料（会议记录、文件、照片等）").set_input_files(str(proof))
    shot(liaison, "61-rect-request-form")
    liaison.get_by_role("button", name="提交销号申请").click()
    expect(liaison.get_by_text("销号申请已提交，等待联络组审核。")).to_be_visible()

    grid = sign_in(page_factory, base, "taskforce")
    grid.goto(f"{base}/rectification/closures/")
    expect(grid.get_by_role("link", name="组织生活会记录.pdf")).to_be_visible()
    grid.get_by_placeholder("意见（退回时必填理由）").fill("材料齐全")
    grid.get_by_role("button", name="审核通过").click()
    expect(grid.get_by_text("已审核通过，报督查办审批。")).to_be_visible()

    office.goto(measure)
    expect(office.get_by_text("联络组 孙专班")).to_be_visible()
    office.get_by_role("button", name="同意销号").click()
    expect(office.get_by_text("已同意销号，措施进入防反弹复查期。")).to_be_visible()
    expect(office.get_by_text(re.compile("已销号：王文书"))).to_be_visible()
    shot(office, "62-rect-measure-closed")

    office.goto(ledger)
    row = office.locator("tr", has=office.get_by_role("link", name="规范组织生活会流程"))
    expect(row.get_by_text("已销号")).to_be_visible()
    expect(row.get_by_text(re.compile("王文书"))).to_be_visible()
    shot(office, "63-rect-ledger-closed")
    for page in (office, liaison, grid):
        assert page.console_errors == [], page.console_errors
