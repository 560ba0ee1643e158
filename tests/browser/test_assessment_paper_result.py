"""Paper slips and the result in a browser: two office clerks type slips with the keyboard,
a mismatch is resolved against the slip, a slip over the quota is warned about, the office
closes the vote and the result page shows the tally. Screenshots under var/screenshots/
(assess-paper-…)."""

import re

import pytest
from playwright.sync_api import expect

from duban.assessment.models import ReviewSession
from duban.assessment.services.codes import codes_generate
from duban.assessment.services.paper import paper_enter
from duban.assessment.services.voting import ballot_cast
from duban.org.models import Person, Role, RoleGrant
from tests.assessment.conftest import all_marks, review  # noqa: F401  (the fixture session)
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page_factory, base, username):
    page = page_factory()
    page.goto(base + "/accounts/login/")
    page.get_by_label("登录名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    return page


def type_slip(page, group, slip, digits):
    """Pick the group, type the slip number, press Enter and type one digit per row."""
    expect(page.locator("form.pg-form[data-ready]")).to_have_count(1)
    page.get_by_label("测评人类别").select_option(label=group)
    page.get_by_label("票号").fill(str(slip))
    page.get_by_label("票号").press("Enter")
    page.keyboard.type(digits)


def test_two_clerks_a_mismatch_and_the_result(live_server, page_factory, shot, people, review):  # noqa: F811
    base = live_server.url
    session = review.session
    clerk2 = Person.objects.create_user(
        username="clerk2", password=PASSWORD, name="冯录入", unit=people.office.unit, must_change_password=False
    )
    RoleGrant.objects.create(person=clerk2, role=Role.OFFICE)
    # Five voters of 代表 voted on their phones.
    for i, code in enumerate(codes_generate(acting_user=people.office, group=review.groups["代表"], count=5)):
        ballot_cast(code_text=code, raw_marks=all_marks(review, grade="一般" if i == 0 else "较好", top=i + 1))

    # 1. The first clerk types slip 1 of 代表: two 好, the rest 较好.
    office = sign_in(page_factory, base, "office")
    office.goto(f"{base}/assessment/sessions/{session.pk}/paper/")
    expect(office.get_by_text("每张纸质选票由两位工作人员分别录入，两次录入一致才计入")).to_be_visible()
    shot(office, "assess-paper-01-index-empty")
    office.get_by_role("link", name="录入纸质选票").click()
    slip1 = "11" + "2" * 20
    type_slip(office, "代表", 1, slip1)
    expect(office.locator('[data-count="rated"]')).to_have_text("22")
    expect(office.locator('[data-count="top"]')).to_have_text("2")
    expect(office.get_by_role("button", name="保存，录入下一张")).to_be_focused()
    shot(office, "assess-paper-02-typed")
    office.get_by_role("button", name="保存，录入下一张").click()
    expect(
        office.get_by_text("已保存“代表”第 1 号选票（评价 22 / 22 人）。等待另一位工作人员录入第二份。")
    ).to_be_visible()
    expect(office.get_by_label("票号")).to_have_value("2")  # ready for the next slip

    # 2. The second clerk types the same slip, but reads row 5 as 差.
    second = sign_in(page_factory, base, "clerk2")
    second.goto(f"{base}/assessment/sessions/{session.pk}/paper/")
    waiting = second.locator("tr", has=second.get_by_text("王文书"))
    waiting.get_by_role("link", name="录入第二份").click()
    expect(second.get_by_text("另一位工作人员已录入这张选票，请您对照原票独立录入第二份。")).to_be_visible()
    expect(second.locator("form.pg-form[data-ready]")).to_have_count(1)
    second.get_by_label("票号").press("Enter")
    second.keyboard.type("1122" + "4" + "2" * 17)
    second.get_by_role("button", name="保存，录入下一张").click()
    expect(second.get_by_text(re.compile("与另一位工作人员的录入不一致"))).to_be_visible()

    # 3. A slip with seven 好 (the limit is 6) is kept as typed, with a warning.
    type_slip(second, "代表", 2, "1" * 7 + "2" * 15)
    expect(second.get_by_text(re.compile("评为“好”的超过上限"))).to_be_visible()
    second.get_by_role("button", name="保存，录入下一张").click()
    expect(second.get_by_text(re.compile("结束测评时将计为废票"))).to_be_visible()
    shot(second, "assess-paper-03-quota-warning")
    over = all_marks(review, top=7)
    paper_enter(acting_user=people.office, group=review.groups["代表"], slip_no=2, raw_marks=over)

    # 4. The office resolves slip 1 against the paper: row 5 says 较好.
    office.goto(f"{base}/assessment/sessions/{session.pk}/paper/")
    expect(office.locator("#mismatches .db-count")).to_have_text("1")
    shot(office, "assess-paper-04-index-mismatch")
    office.get_by_role("link", name="对照原票核对").click()
    expect(office.locator("tr.pg-differs")).to_have_count(1)
    shot(office, "assess-paper-05-resolve")
    fifth = review.subjects[4].name
    office.locator("tr.pg-differs label", has_text=f"{fifth} 较好").click()
    office.get_by_label("核对说明").fill("已对照原票，第 5 行为“较好”")
    office.get_by_role("button", name="按原票确定").click()
    expect(office.get_by_text("“代表”第 1 号选票已按原票核对确定，将计入结果。")).to_be_visible()
    expect(office.locator("#mismatches .db-count")).to_have_text("0")

    # 5. The office closes the vote; the result shows the tally.
    office.goto(f"{base}/assessment/sessions/{session.pk}/")
    office.get_by_role("button", name="结束测评并计票").click()
    expect(office.get_by_text(re.compile("测评已结束，结果已锁定"))).to_be_visible()
    office.goto(f"{base}/assessment/sessions/{session.pk}/result/")
    result = ReviewSession.objects.get(pk=session.pk).result
    assert result["ballots"] == {"valid": 6, "invalid": 1, "online": 5, "paper": 1}
    expect(office.locator('[data-stat="valid"]')).to_have_text("6")
    expect(office.locator('[data-stat="invalid"]')).to_have_text("1")
    expect(office.locator('[data-stat="paper"]')).to_have_text("1")
    rows = office.locator("#result-table tbody tr")
    expect(rows).to_have_count(22)
    for data in result["subjects"]:
        row = office.locator(f'tr[data-subject="{data["subject"]}"]')
        expect(row.locator(".rs-score")).to_have_text(data["score"])
    expect(office.get_by_text("不足5人，不分组显示").first).to_be_visible()
    expect(office.get_by_text(re.compile("加权得分 = Σ"))).to_be_visible()
    shot(office, "assess-paper-06-result")
    with office.expect_download() as download:
        office.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    for page in (office, second):
        assert page.console_errors == [], page.console_errors
