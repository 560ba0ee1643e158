"""The office sets up a review session in a browser: creates it, pastes 22 names, marks who
reports on site, sets the voter groups, opens the vote, downloads the printed slips, shows a
code on the screen and watches the turnout. Screenshots under var/screenshots/ (assess-office-…)."""

import io
import re
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import expect

from duban.assessment.models import ReviewSession
from duban.assessment.services.voting import ballot_cast
from tests.assessment.conftest import SUBJECT_NAMES
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


def sign_in(page_factory, base, username, **size):
    page = page_factory(**size)
    page.goto(base + "/accounts/login/")
    page.get_by_label("登录名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    return page


def fill_group(page, row, name, weight, ballots):
    page.locator(f"#id_group-{row}-position").fill(str(row + 1))
    page.locator(f"#id_group-{row}-name").fill(name)
    page.locator(f"#id_group-{row}-weight").fill(weight)
    page.locator(f"#id_group-{row}-ballots").fill(str(ballots))


def test_office_sets_up_and_runs_a_session(live_server, page_factory, shot, people, org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    page = sign_in(page_factory, base, "office")

    # 1. The empty list says what to do next.
    page.goto(base + "/assessment/sessions/")
    expect(page.get_by_text("还没有述职评议")).to_be_visible()
    shot(page, "assess-office-01-empty-list")
    page.get_by_role("link", name="新建述职评议").first.click()

    # 2. Create the session.
    page.get_by_label("名称").fill("2025年度机关党支部书记抓党建工作述职评议")
    page.get_by_label("年度").fill("2025")
    page.get_by_label("组织单位").select_option(value=str(org.party.pk))
    page.get_by_label("会议日期").fill("2026-01-15")
    page.get_by_label("地点").fill("图书馆九楼会议室")
    page.get_by_label("最高等次比例上限（%）").fill("30")
    shot(page, "assess-office-02-create")
    page.get_by_role("button", name="创建").click()
    expect(page.get_by_text("述职评议已创建")).to_be_visible()
    session = ReviewSession.objects.get()

    # 3. Paste 22 names at once, then tick the 8 who report on site.
    page.get_by_label("被测评人姓名").fill("\n".join(SUBJECT_NAMES))
    page.get_by_role("button", name="批量添加").click()
    expect(page.get_by_text("已添加 22 位被测评人")).to_be_visible()
    checks = page.locator("input[name=onsite]")
    expect(checks).to_have_count(22)
    for i in range(8):
        checks.nth(i).check()
    page.get_by_role("button", name="保存述职方式").click()
    expect(page.get_by_text("述职方式已保存：现场述职 8 人。")).to_be_visible()
    shot(page, "assess-office-03-subjects")

    # 4. The scale as created, and three voter groups.
    page.get_by_role("link", name="评价等次").click()
    expect(page.locator("#id_grade-0-label")).to_have_value("好")
    shot(page, "assess-office-04-scale")
    page.get_by_role("link", name="测评人类别").click()
    fill_group(page, 0, "委员", "0.4", 9)
    fill_group(page, 1, "代表", "0.4", 18)
    fill_group(page, 2, "群众代表", "0.2", 5)
    page.get_by_role("button", name="保存测评人类别").click()
    expect(page.get_by_text("共 32 张选票")).to_be_visible()
    shot(page, "assess-office-05-groups")

    # 5. Ready: open the vote (the confirmation is accepted).
    page.get_by_role("link", name="概况").click()
    expect(page.get_by_text("已准备就绪")).to_be_visible()
    page.get_by_role("button", name="开始测评").click()
    expect(page.get_by_text("测评已开始，投票码现在可以使用。")).to_be_visible()
    shot(page, "assess-office-06-detail-open")

    # 6. Printed slips for 委员: a Word file, nine slips whose codes vote.
    page.get_by_role("link", name="投票码", exact=True).click()
    page.get_by_label("测评人类别").select_option(label="委员")
    page.get_by_label("数量").fill("9")
    with page.expect_download() as info:
        page.get_by_role("button", name="生成并下载票签（Word）").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    content = Path(download.path()).read_bytes()
    cells = [c.text for t in Document(io.BytesIO(content)).tables for r in t.rows for c in r.cells]
    codes = [m for text in cells for m in CODE.findall(text)]
    assert len(codes) == 9
    page.reload()
    expect(page.get_by_role("cell", name="打印票签")).to_be_visible()
    shot(page, "assess-office-07-codes")

    # 7. The screen for a room where voters come up one at a time.
    page.get_by_role("link", name="打开屏幕模式").click()
    expect(page.get_by_text("请下一位测评人上前扫码")).to_be_visible()
    page.get_by_label("测评人类别").select_option(label="代表")
    page.get_by_role("button", name="下一位").click()
    expect(page.get_by_test_id("screen-code")).to_have_text(CODE)
    expect(page.locator("svg.as-qr-svg")).to_be_visible()
    shot(page, "assess-office-08-screen")

    # 8. Turnout: counts only, refreshed by HTMX.
    subjects = list(session.subjects.order_by("order"))
    grades = {g.label: g.order for g in session.grades.all()}
    for code in codes[:3]:
        ballot_cast(code_text=code, raw_marks={str(s.pk): grades["较好"] for s in subjects})
    page.goto(f"{base}/assessment/sessions/{session.pk}/turnout/")
    expect(page.get_by_test_id("turnout-total")).to_have_text(re.compile(r"已投\s*3\s*/\s*应到 32"))
    ballot_cast(code_text=codes[3], raw_marks={str(s.pk): grades["一般"] for s in subjects})
    expect(page.get_by_test_id("turnout-total")).to_have_text(re.compile(r"已投\s*4\s*/\s*应到 32"), timeout=8000)
    shot(page, "assess-office-09-turnout")

    page.goto(base + "/assessment/sessions/")
    shot(page, "assess-office-10-list")
    assert page.console_errors == [], page.console_errors


def test_leader_watches_turnout_on_a_projector(live_server, page_factory, shot, people, org):
    from tests.assessment.conftest import build_review

    review = build_review(people, org)
    page = sign_in(page_factory, live_server.url, "leader", width=1280, height=720)
    page.goto(f"{live_server.url}/assessment/sessions/{review.session.pk}/")
    expect(page.get_by_role("button", name="结束测评并计票")).to_have_count(0)
    page.get_by_role("link", name="投票进度（投影）").click()
    expect(page.get_by_test_id("turnout-total")).to_have_text(re.compile(r"已投\s*0\s*/\s*应到 32"))
    shot(page, "assess-office-11-leader-turnout")
    assert page.console_errors == [], page.console_errors
