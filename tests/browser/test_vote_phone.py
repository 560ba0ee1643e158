"""A voter on a phone (390×844): scans the slip's QR code, rates the 22 secretaries of seed
004 within the quota, sees the progress, confirms, keeps the receipt and, after the office
closes the vote, checks that the ballot is counted. Screenshots: var/screenshots/vote-*."""

import re

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from duban.assessment.models import Ballot
from duban.assessment.services.codes import codes_generate
from duban.assessment.services.sessions import session_close, session_open
from tests.assessment.conftest import build_review
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (390, 844)


def viewport_shot(page, name):
    """What the voter sees on the screen (the sticky footer included), not the whole page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def grade(page, subject, label):
    page.locator(f"#s{subject.pk} .v-opt", has_text=re.compile(f"^{label}$")).click()


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_vote_on_a_phone(live_server, page_factory, shot, people, org, media):
    review = build_review(people, org, open_it=False)
    first = review.subjects[0]
    first.report.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    first.report_name = f"{first.name}述职报告.pdf"
    first.save()
    review.session = session_open(acting_user=people.office, session=review.session)
    code = codes_generate(acting_user=people.office, group=review.groups["委员"], count=1)[0]
    page = page_factory(*PHONE)

    # 1. The QR code opens the ballot directly.
    page.goto(f"{live_server.url}/v/{code}/")
    expect(page.get_by_role("heading", name=review.session.title)).to_be_visible()
    expect(page.get_by_text("每张选票评为“好”的不超过 6 人；须对全部 22 人作出评价。")).to_be_visible()
    expect(page.locator(".v-subject")).to_have_count(22)
    expect(page.locator(".v-badge-onsite")).to_have_count(8)
    expect(page.locator(".v-count")).to_have_text("已评 0/22")
    report = page.locator(f"#s{first.pk}").get_by_role("link", name="查看述职报告")
    expect(report).to_be_visible()
    expect(page.get_by_role("link", name="查看述职报告")).to_have_count(1)
    answer = page.request.get(live_server.url + report.get_attribute("href"))
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    viewport_shot(page, "vote-01-ballot-top")

    # 2. Half-way: the sticky footer counts.
    for subject in review.subjects[:5]:
        grade(page, subject, "好")
    for subject in review.subjects[5:11]:
        grade(page, subject, "较好")
    expect(page.locator(".v-count")).to_have_text("已评 11/22")
    expect(page.locator(".v-quota")).to_have_text("“好” 5/6")
    page.locator(f"#s{review.subjects[11].pk}").scroll_into_view_if_needed()
    expect(page.locator("#v-foot")).to_be_in_viewport()
    viewport_shot(page, "vote-02-ballot-midway")

    # 3. One 好 too many and someone left out: the phone says so before anything is sent.
    grade(page, review.subjects[11], "好")
    grade(page, review.subjects[12], "好")
    expect(page.locator(".v-quota")).to_have_class(re.compile("is-over"))
    page.get_by_role("button", name="提交").click()
    expect(page.locator("[data-msg]")).to_contain_text("超过上限 6 人")
    viewport_shot(page, "vote-03-error-quota")
    grade(page, review.subjects[12], "一般")
    for subject in review.subjects[13:21]:
        grade(page, subject, "较好")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("[data-msg]")).to_contain_text("还有 1 人未评")
    expect(page.locator(".v-subject.is-missing")).to_have_count(1)
    viewport_shot(page, "vote-04-error-missing")
    grade(page, review.subjects[21], "差")
    expect(page.locator(".v-count")).to_have_text("已评 22/22")

    # 4. The confirmation step lists every choice.
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", name="请核对您的选票")).to_be_visible()
    expect(page.locator(".v-summary li")).to_have_count(22)
    expect(page.locator(".v-tally li").first).to_contain_text("6")
    shot(page, "vote-05-confirm")

    # 5. Back to change one, then confirm: the receipt.
    page.get_by_role("button", name="返回修改").click()
    expect(page.locator(".v-count")).to_have_text("已评 22/22")
    grade(page, review.subjects[21], "一般")
    page.get_by_role("button", name="提交").click()
    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_role("heading", name="投票成功，谢谢您！")).to_be_visible()
    receipt = page.locator("[data-receipt]").inner_text()
    fingerprint = page.locator("[data-fingerprint]").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", receipt)
    assert receipt.replace("-", "") not in page.url and receipt not in page.url
    viewport_shot(page, "vote-06-receipt")

    # 6. The code is spent.
    page.goto(f"{live_server.url}/v/{code}/")
    expect(page.get_by_role("heading", name="投票码已使用")).to_be_visible()
    shot(page, "vote-07-used")

    # 7. Before the close: received, not yet counted. After: counted, same check value.
    page.goto(f"{live_server.url}/v/check/")
    page.get_by_label("回执码").fill(receipt.lower())
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", name="已收到，将在投票结束后计入")).to_be_visible()
    session_close(acting_user=people.office, session=review.session)
    assert Ballot.objects.filter(session=review.session).count() == 1
    page.goto(f"{live_server.url}/v/check/")
    page.get_by_label("回执码").fill(receipt)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", name="已计入")).to_be_visible()
    expect(page.locator("[data-fingerprint]")).to_have_text(fingerprint)
    shot(page, "vote-08-check-counted")
    # The used-code page answers 403 on purpose; nothing else may fail (no CSP violation).
    assert [e for e in page.console_errors if "status of 403" not in e] == []


def test_start_page_and_server_errors_without_javascript(live_server, browser, people, org):
    """A phone with scripts off: typed code, and the server's checks keep the choices."""
    review = build_review(people, org)
    code = codes_generate(acting_user=people.office, group=review.groups["代表"], count=1)[0]
    context = browser.new_context(
        viewport={"width": PHONE[0], "height": PHONE[1]}, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/v/")
        page.get_by_label("投票码").fill("ABCD-EFGH-JKMN-PQRX")
        page.get_by_role("button", name="进入选票").click()
        expect(page.get_by_text("投票码无效")).to_be_visible()
        viewport_shot(page, "vote-09-start-error")
        typed = "-".join(code[i : i + 4] for i in range(0, 16, 4)).lower()
        page.get_by_label("投票码").fill(typed)
        page.get_by_role("button", name="进入选票").click()
        expect(page.locator(".v-subject")).to_have_count(22)
        for subject in review.subjects[:7]:
            grade(page, subject, "好")
        page.get_by_role("button", name="提交").click()
        expect(page.get_by_role("heading", name="选票还不能提交")).to_be_visible()
        expect(page.locator("#v-errors")).to_contain_text("超过上限 6 人")
        expect(page.locator("#v-errors")).to_contain_text("尚有 15 人未评")
        expect(page.locator("input[type=radio]:checked")).to_have_count(7)
        viewport_shot(page, "vote-10-server-errors")
    finally:
        context.close()
