"""XSS: whatever a user writes is shown as the text they wrote.

Script, image, SVG, `javascript:`, template (`{{7*7}}`, `${…}`), Alpine (`x-data`/`x-init`) and
HTMX (`hx-get` … `hx-trigger="load"`) payloads are typed into the real forms in the browser (a
login name, a unit's name, an item's title, content and remarks, a 督办单's requirement, a progress
report, its review comment, a deferral request, staff feedback, the ledger search) or stored
through the services (a person's name, a finding and its measure, an urge, a meeting leave, a
minutes draft, a report file's name). Then every page that shows them is opened, most of them
with the CSP switched off in the browser, so that only the escaping stands between a payload and
its execution. On every page: no dialog, no CSP violation or other console error, no element or
request made from a payload, and the payload visible as text. A screenshot of an escaped payload
is saved in var/screenshots/xss-item-detail.png.
"""

import datetime
import re
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from duban.meetings.services.leave import request_leave
from duban.minutes.models import MinutesDraft
from duban.org.models import Person
from duban.rectification.models import Feedback, Finding
from duban.rectification.services.disclosure import disclosure_save
from duban.supervision.models import Deferral, Item, ProgressReport, ReportStatus
from duban.supervision.services.actions import item_urge
from tests.assessment.conftest import build_review
from tests.conftest import login_as
from tests.meetings.conftest import build_meeting
from tests.minutes.test_services import TEXT as MINUTES_TEXT
from tests.minutes.test_services import proposal
from tests.rectification.conftest import build_rect
from tests.supervision.conftest import build_work

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
SVG = "'><svg onload=alert(3)>"
JS_URL = "javascript:alert(4)"
TEMPLATE = "{{7*7}}${alert(5)}"
ALPINE = '<div x-data x-init="alert(6)">A</div>'
HTMX = '<div hx-get="/xss-probe/" hx-trigger="load">H</div>'
PROBE = "/xss-probe/"


def payload(label: str) -> str:
    """`label` and every payload: 182 characters after the label."""
    return label + SCRIPT + IMG + SVG + TEMPLATE + ALPINE + HTMX


ITEM_TITLE = payload("事项")
ITEM_DESCRIPTION = payload("工作内容")
ITEM_REMARKS = JS_URL + " " + payload("备注")
UNIT_NAME = "教务处" + IMG + SVG
PERSON_NAME = "孙" + IMG
LOGIN_NAME = SCRIPT + IMG
NOTICE = payload("督办要求")
PROGRESS = payload("工作进展")
PROBLEMS = payload("存在问题")
NEXT_STEPS = payload("下一步")
REVIEW_COMMENT = payload("审核意见")[:300]
DEFERRAL = payload("延期理由")
FEEDBACK = payload("职工意见")
SEARCH = "事项" + SCRIPT
FINDING = payload("问题描述")
FINDING_NOTE = payload("内部备注")
PUBLIC_SUMMARY = payload("公开摘要")
MEASURE = payload("整改措施")
URGE = payload("催办")
LEAVE = payload("请假事由")
MINUTES_TITLE = payload("纪要")
MINUTES_PASSAGE = payload("纪要原文")
REPORT_FILE = "述职报告" + IMG + ".pdf"

# The only dialog a page of ours opens here: the 督办单 form's question before it is issued.
ASKED = {"下发后将占用一个督办单文号并通知主送单位，不能撤回。确定下发？"}

# An element or attribute no page of ours has: any of them came from a payload.
INJECTED = ", ".join(
    [
        'script:not([src]):not([type="application/json"])',
        'img[src="x"]',
        "svg[onload]",
        "[onerror]",
        "[onload]",
        "[x-data]",
        "[x-init]",
        f'[hx-get="{PROBE}"]',
        'a[href^="javascript:" i]',
    ]
)


class Watch:
    """Pages opened as one person or another, each recording what a payload could cause."""

    def __init__(self, browser, base):
        self.browser = browser
        self.base = base
        self.contexts = []
        self.dialogs = []
        self.console = []
        self.requests = []

    def page(self, person=None, *, csp=True):
        """A page signed in as `person` (anonymous when None). With csp=False the browser
        ignores the Content Security Policy: only the escaping keeps a payload inert."""
        context = self.browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN", bypass_csp=not csp)
        self.contexts.append(context)
        if person is not None:
            client = login_as(Client(), person)
            value = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": self.base}])
        page = context.new_page()

        def dialog(d):
            if d.type == "confirm" and d.message in ASKED:
                d.accept()  # the form's own question (data-confirm), answered as the user would
                return
            self.dialogs.append(f"{d.type}「{d.message}」 on {page.url}")
            d.dismiss()

        page.on("dialog", dialog)
        page.on("console", lambda m: m.type == "error" and self.console.append(f"{m.text} on {page.url}"))
        page.on("pageerror", lambda exc: self.console.append(f"{exc} on {page.url}"))

        def request(r):
            path = urlparse(r.url).path
            if path == PROBE or path.endswith("/x"):
                self.requests.append(r.url)

        page.on("request", request)
        return page

    def open(self, page, path, *texts):
        page.goto(self.base + path)
        self.check(page, *texts)

    def check(self, page, *texts):
        """Nothing on the page came from a payload, and each of `texts` is shown as text."""
        page.wait_for_load_state("load")
        injected = page.evaluate(
            "(s) => Array.from(document.querySelectorAll(s)).map((e) => e.outerHTML.slice(0, 120))", INJECTED
        )
        assert injected == [], f"{page.url}: elements made from a payload: {injected}"
        shown = page.locator("body").inner_text()
        for text in texts:
            assert text in shown, f"{page.url} does not show {text!r} as text"
        self.assert_quiet()

    def assert_quiet(self):
        """No dialog, CSP violation, console error or request came from a payload so far."""
        assert self.dialogs == [], self.dialogs
        violations = [m for m in self.console if "Content Security Policy" in m]
        assert violations == [], "CSP violations (a payload got through the escaping):\n" + "\n".join(violations)
        assert self.console == [], self.console
        assert self.requests == [], f"requests made by a payload: {self.requests}"

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def watch(browser, live_server):
    w = Watch(browser, live_server.url)
    yield w
    w.close()


def d(month, day):
    return datetime.date(2026, month, day)


def stored_payloads(org, people, work, rect):
    """What the services store: a person, a finding and its measure, a meeting leave, a
    minutes draft, a report file's name, and the disclosure of the rectification plan."""
    person = Person.objects.create_user(username="payload", name=PERSON_NAME, unit=org.academic)
    Finding.objects.filter(pk=rect.f1.pk).update(
        description=FINDING, internal_note=FINDING_NOTE, public_summary=PUBLIC_SUMMARY
    )
    Item.objects.filter(pk=rect.deadline.item_id).update(title=MEASURE)
    rect.profile.disclosed = rect.profile.public_page = True
    disclosure_save(acting_user=people.office, profile=rect.profile)

    meeting = build_meeting(org, people).meeting
    request_leave(people.liaison, meeting, LEAVE)

    at = MINUTES_TEXT.index("二要抓好")
    text = MINUTES_TEXT[:at] + MINUTES_PASSAGE + MINUTES_TEXT[at:]
    draft = MinutesDraft.objects.create(
        title=MINUTES_TITLE, original=text, meeting_date=d(3, 5), result=proposal(text), created_by=people.office
    )

    review = build_review(people, org, open_it=False, subjects=1)
    subject = review.subjects[0]
    subject.report.save("r.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    subject.report_name = REPORT_FILE
    subject.save()
    return person, meeting, draft, subject


def test_script_payloads_are_shown_as_text(org, people, watch, shot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    work = build_work(org, people)
    rect = build_rect(org, people)
    person, meeting, draft, subject = stored_payloads(org, people, work, rect)
    today = timezone.localdate()

    # --- Typed into the forms, with the CSP on, as people use them ----------------------------
    anonymous = watch.page()
    watch.open(anonymous, "/accounts/login/")
    anonymous.get_by_label("登录名").fill(LOGIN_NAME)
    anonymous.get_by_label("密码").fill("wrong-Passw0rd")
    anonymous.get_by_role("button", name="登录").click()
    watch.check(anonymous)
    assert anonymous.get_by_label("登录名").input_value() == LOGIN_NAME

    admin = watch.page(people.sys_admin)
    watch.open(admin, reverse("org:unit_edit", args=[org.academic.pk]))
    admin.get_by_label("单位名称").fill(UNIT_NAME)
    admin.get_by_role("button", name="保存").click()
    expect(admin.get_by_role("heading", name=UNIT_NAME)).to_be_visible()
    watch.check(admin, f"单位“{UNIT_NAME}”已保存。")

    office = watch.page(people.office)
    watch.open(office, reverse("supervision:item_create", args=[work.plan.pk]))
    office.get_by_label("序号").fill("5")
    office.get_by_label("事项名称").fill(ITEM_TITLE)
    office.get_by_label("工作内容与要求").fill(ITEM_DESCRIPTION)
    office.get_by_label("牵头单位").select_option(str(org.academic.pk))
    # The responsible person's options come from an HTMX fragment built in Python.
    expect(office.locator(f"#id_responsible_person option[value='{person.pk}']")).to_have_text(PERSON_NAME)
    office.get_by_label("责任人").select_option(str(person.pk))
    office.locator("#id_start_date").fill("2026-09-01")
    office.locator("#id_due_date").fill("2026-12-31")
    office.get_by_label("备注").fill(ITEM_REMARKS)
    office.get_by_role("button", name="保存").click()
    expect(office.get_by_role("heading", name=ITEM_TITLE)).to_be_visible()
    item = Item.objects.get(title=ITEM_TITLE)
    watch.check(office, ITEM_DESCRIPTION, ITEM_REMARKS, PERSON_NAME, UNIT_NAME)

    watch.open(office, reverse("supervision:notice_create", args=[item.pk]))
    office.get_by_label("督办要求").fill(NOTICE)
    office.get_by_role("button", name="下发督办单").click()
    expect(office).to_have_url(re.compile(r"/supervision/notices/\d+/$"))
    watch.check(office, NOTICE, ITEM_TITLE)

    report = ProgressReport.objects.create(item=item, period_start=d(11, 16), period_end=d(11, 22), due_date=d(11, 20))
    head = watch.page(people.head)
    watch.open(head, reverse("supervision:report_fill", args=[report.pk]), ITEM_TITLE)
    head.get_by_label("工作进展").fill(PROGRESS)
    head.get_by_label("存在问题").fill(PROBLEMS)
    head.get_by_label("下一步计划").fill(NEXT_STEPS)
    head.get_by_label("完成进度（%）").fill("40")
    head.get_by_role("button", name="保存并提交审核").click()
    expect(head.get_by_text("报告已提交督查办审核。")).to_be_visible()
    watch.check(head)

    watch.open(head, reverse("supervision:deferral_request", args=[item.pk]), ITEM_TITLE)
    head.get_by_label("申请延至").fill((today + datetime.timedelta(days=60)).isoformat())
    head.get_by_label("延期理由").fill(DEFERRAL)
    head.get_by_role("button", name="提交申请").click()
    expect(head.get_by_role("heading", name=ITEM_TITLE)).to_be_visible()
    watch.check(head, DEFERRAL)

    watch.open(office, reverse("supervision:report_review", args=[report.pk]), PROGRESS, PROBLEMS, NEXT_STEPS)
    office.get_by_label("采纳").check()
    office.get_by_label("审核意见").fill(REVIEW_COMMENT)
    office.get_by_role("button", name="提交审核结果").click()
    expect(office.get_by_text("提交审核结果")).to_have_count(0)
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED
    watch.check(office)

    staff = watch.page(people.staff)
    watch.open(staff, reverse("rectification:disclosure_page", args=[rect.plan.pk]), PUBLIC_SUMMARY)
    staff.get_by_label("意见内容").fill(FEEDBACK)
    staff.get_by_role("button", name="提交意见").click()
    expect(staff.get_by_text("意见已提交")).to_be_visible()
    assert Feedback.objects.get().text == FEEDBACK
    watch.check(staff, PUBLIC_SUMMARY)

    watch.open(office, reverse("supervision:plan_detail", args=[work.plan.pk]))
    office.get_by_label("查找事项").fill(SEARCH)
    office.get_by_role("button", name="筛选").click()
    expect(office.get_by_text("共 1 项", exact=False).first).to_be_visible()
    assert office.get_by_label("查找事项").input_value() == SEARCH
    watch.check(office, ITEM_TITLE, UNIT_NAME)

    item_urge(acting_user=people.office, item=item, text=URGE)

    # --- Every page that shows them, with the CSP off in the browser -----------------------------
    office = watch.page(people.office, csp=False)
    watch.open(
        office,
        item.get_absolute_url(),
        ITEM_TITLE,
        ITEM_DESCRIPTION,
        ITEM_REMARKS,
        PERSON_NAME,
        UNIT_NAME,
        DEFERRAL,
        REVIEW_COMMENT[:60],  # the record of actions shortens it
    )
    shot(office, "xss-item-detail")
    watch.open(office, reverse("supervision:item_edit", args=[item.pk]))
    assert office.get_by_label("事项名称").input_value() == ITEM_TITLE
    assert office.get_by_label("工作内容与要求").input_value() == ITEM_DESCRIPTION
    deferral = Deferral.objects.get(item=item)
    watch.open(office, reverse("supervision:deferral_decide", args=[deferral.pk]), DEFERRAL)
    watch.open(office, reverse("supervision:notice_list"), ITEM_TITLE[:20])
    watch.open(office, reverse("rectification:ledger", args=[rect.plan.pk]), MEASURE)
    watch.open(office, reverse("rectification:finding_detail", args=[rect.f1.pk]), FINDING, FINDING_NOTE, MEASURE)
    watch.open(office, reverse("rectification:feedback_queue"), FEEDBACK[:20])
    watch.open(office, reverse("meetings:attendance", args=[meeting.pk]), LEAVE)
    watch.open(office, reverse("minutes:review", args=[draft.pk]), MINUTES_TITLE, MINUTES_PASSAGE)
    watch.open(
        office,
        reverse("assessment:subject_edit", args=[subject.session_id, subject.pk]),
        f"已上传：{REPORT_FILE}。",
    )
    watch.open(office, reverse("notify:inbox"), LEAVE)
    battle_map(watch, office, work.plan)

    head = watch.page(people.head, csp=False)
    watch.open(head, reverse("supervision:report_fill", args=[report.pk]), PROGRESS, PROBLEMS, REVIEW_COMMENT)
    watch.open(head, reverse("workbench:home"), UNIT_NAME)
    watch.open(head, reverse("notify:inbox"), f"催办：{ITEM_TITLE}", URGE, NOTICE)

    auditor = watch.page(people.audit_admin, csp=False)
    watch.open(auditor, reverse("audit:events"), LOGIN_NAME)
    watch.open(auditor, reverse("audit:history"), UNIT_NAME)

    public = watch.page(csp=False)
    rect.profile.refresh_from_db()
    watch.open(public, reverse("rectification:public_page", args=[rect.profile.public_token]), PUBLIC_SUMMARY)

    admin = watch.page(people.sys_admin, csp=False)
    watch.open(admin, reverse("org:unit_tree") + "?q=教务处", UNIT_NAME)
    watch.open(admin, reverse("org:people") + f"?unit={org.academic.pk}", PERSON_NAME, UNIT_NAME)

    admin.wait_for_timeout(200)  # anything a payload set off late
    watch.assert_quiet()


def battle_map(watch, page, plan):
    """The battle map's tooltip (ECharts, built as HTML in duban/static/js/charts.js) shows the
    item's title and unit as text: hover over each row until it is the payload item's."""
    watch.open(page, reverse("supervision:battle_map", args=[plan.pk]))
    chart = page.locator("[data-chart=gantt]")
    canvas = chart.locator("canvas").first
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    rows = Item.objects.filter(plan=plan).count()
    step = (box["height"] - 34 - 52) / rows  # the grid's top and bottom margins in charts.js
    for row in range(rows):
        canvas.hover(position={"x": box["width"] * 0.7, "y": 34 + step * (row + 0.5)})
        page.wait_for_timeout(200)
        if ITEM_TITLE in chart.inner_text():
            break
    tooltip = chart.inner_text()
    assert ITEM_TITLE in tooltip and UNIT_NAME in tooltip, tooltip
    watch.check(page)
