"""The ledger pages: plans list, plan form, 整改台账, findings and the measure form."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duban.org.models import Role
from duban.rectification.models import Finding, Measure, MeasureType, RectificationPlan, Source
from duban.rectification.services.closure import closure_approve, closure_request, closure_review
from duban.rectification.services.findings import ERR_STALE, finding_save, measure_save
from duban.supervision.models import Item, Plan, PlanKind
from tests.conftest import _person
from tests.rectification.conftest import FROZEN, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


LEDGER_READERS = ["leader", "office", "head", "liaison", "taskforce", "discipline", "outsider"]
NO_LEDGER = ["staff", "sys_admin", "sec_admin", "audit_admin", "norole"]


def close_deadline(rect, people):
    request = closure_request(
        acting_user=people.liaison,
        measure=rect.deadline,
        statement="已修订流程",
        evidence={"statement": "全部支部已按新流程召开", "proof": pdf()},
    )
    closure_review(acting_user=people.taskforce, closure=request)
    closure_approve(acting_user=people.office, closure=request, today=rect.today)
    return request


# --- permissions --------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, rect):
    for url in [
        reverse("rectification:plan_list"),
        reverse("rectification:ledger", args=[rect.plan.pk]),
        reverse("rectification:finding_detail", args=[rect.f1.pk]),
        reverse("rectification:plan_create"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", LEDGER_READERS)
def test_ledger_readers_see_the_plan_list_and_ledger(rect, people, client_for, persona):
    client = client_for(getattr(people, persona))
    assert client.get(reverse("rectification:plan_list")).status_code == 200
    assert client.get(reverse("rectification:ledger", args=[rect.plan.pk])).status_code == 200


@pytest.mark.parametrize("persona", NO_LEDGER)
def test_staff_admins_and_roleless_may_not_see_the_ledger(rect, people, client_for, persona):
    client = client_for(getattr(people, persona))
    assert client.get(reverse("rectification:plan_list")).status_code == 403
    assert client.get(reverse("rectification:ledger", args=[rect.plan.pk])).status_code == 403
    assert client.get(reverse("rectification:finding_detail", args=[rect.f1.pk])).status_code == 403


@pytest.mark.parametrize("persona", ["leader", "head", "liaison", "taskforce", "discipline", "outsider", "staff"])
def test_only_the_office_edits_plans_findings_and_measures(rect, people, client_for, persona):
    client = client_for(getattr(people, persona))
    urls = [
        reverse("rectification:plan_create"),
        reverse("rectification:plan_edit", args=[rect.plan.pk]),
        reverse("rectification:finding_create", args=[rect.plan.pk]),
        reverse("rectification:finding_edit", args=[rect.f1.pk]),
        reverse("rectification:measure_create", args=[rect.f1.pk]),
        reverse("rectification:measure_edit", args=[rect.deadline.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url


def test_office_opens_every_form(rect, people, client_for):
    client = client_for(people.office)
    for url in [
        reverse("rectification:plan_create"),
        reverse("rectification:plan_edit", args=[rect.plan.pk]),
        reverse("rectification:finding_create", args=[rect.plan.pk]),
        reverse("rectification:finding_edit", args=[rect.f1.pk]),
        reverse("rectification:measure_create", args=[rect.f1.pk]),
        reverse("rectification:measure_edit", args=[rect.deadline.pk]),
    ]:
        assert client.get(url).status_code == 200, url


def test_a_supervision_plan_of_another_kind_is_not_a_ledger(rect, people, org, client_for):
    other = Plan.objects.create(title="年度重点工作", kind=PlanKind.ANNUAL, owner_unit=org.office)
    client = client_for(people.office)
    assert client.get(reverse("rectification:ledger", args=[other.pk])).status_code == 404
    assert client.get(reverse("rectification:finding_create", args=[other.pk])).status_code == 404


def test_the_outsider_sees_only_findings_and_measures_of_their_unit(rect, people, client_for):
    client = client_for(people.outsider)  # head of 人事处
    page = client.get(reverse("rectification:ledger", args=[rect.plan.pk])).content.decode()
    assert "干部选拔任用程序执行不严格" in page and "立即纠正不规范的选拔程序" in page
    assert "组织生活会不够规范" not in page and "规范组织生活会流程" not in page
    assert client.get(reverse("rectification:finding_detail", args=[rect.f1.pk])).status_code == 404
    assert client.get(reverse("rectification:finding_detail", args=[rect.f2.pk])).status_code == 200
    # Finding 2's 长期坚持 measure belongs to 教务处: not shown to 人事处.
    detail = client.get(reverse("rectification:finding_detail", args=[rect.f2.pk])).content.decode()
    assert "长期坚持干部选任全程纪实" not in detail


# --- plan list and plan form -----------------------------------------------------------


def test_plan_list_counts(rect, people, client_for):
    close_deadline(rect, people)
    response = client_for(people.office).get(reverse("rectification:plan_list"))
    plan, counts = response.context["rows"][0]
    assert plan == rect.plan
    assert counts["findings"] == 2 and counts["total"] == 4 and counts["closed"] == 1
    assert counts["percent"] == 25 and counts["overdue"] == 0
    assert "新建整改方案" in response.content.decode()
    assert "新建整改方案" not in client_for(people.liaison).get(reverse("rectification:plan_list")).content.decode()


def test_office_creates_a_plan_with_its_recheck_schedule(people, org, client_for):
    response = client_for(people.office).post(
        reverse("rectification:plan_create"),
        {
            "plan-title": "2026年巡察整改方案",
            "plan-year": "2026",
            "plan-start_date": "2026-09-01",
            "plan-end_date": "2026-12-31",
            "plan-owner_unit": org.office.pk,
            "plan-description": "",
            "rect-source": Source.CIRCUIT,
            "rect-reference": "巡察反馈意见",
            "rect-recheck_text": "60，30,30",
        },
    )
    plan = Plan.objects.get(title="2026年巡察整改方案")
    assert response.status_code == 302 and response["Location"] == reverse("rectification:ledger", args=[plan.pk])
    assert plan.kind == PlanKind.RECTIFICATION
    profile = RectificationPlan.objects.get(plan=plan)
    assert profile.source == Source.CIRCUIT and profile.recheck_days == [30, 60]


def test_plan_form_refuses_bad_recheck_days_and_keeps_input(people, client_for):
    response = client_for(people.office).post(
        reverse("rectification:plan_create"),
        {"plan-title": "新方案", "rect-source": Source.AUDIT, "rect-recheck_text": "30,abc"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "复查天数应为 1 到 730 之间的整数" in page and 'value="30,abc"' in page
    assert not Plan.objects.filter(title="新方案").exists()


def test_plan_form_updates_the_profile(rect, people, client_for):
    url = reverse("rectification:plan_edit", args=[rect.plan.pk])
    client = client_for(people.office)
    assert 'value="30,90,180"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "plan-title": "2026年巡视整改方案（修订）",
            "plan-year": "2026",
            "plan-start_date": "2026-09-01",
            "rect-source": Source.INSPECTION,
            "rect-reference": "巡视反馈意见",
            "rect-recheck_text": "45",
        },
    )
    assert response.status_code == 302
    rect.profile.refresh_from_db()
    assert rect.profile.recheck_days == [45]
    assert Plan.objects.get(pk=rect.plan.pk).title == "2026年巡视整改方案（修订）"


# --- the ledger ------------------------------------------------------------------------


def test_ledger_shows_findings_measures_and_who_approved(rect, people, client_for):
    close_deadline(rect, people)
    response = client_for(people.leader).get(reverse("rectification:ledger", args=[rect.plan.pk]))
    page = response.content.decode()
    for text in ["反馈意见第1条", "基层党建", "较重", "规范组织生活会流程", "限期整改", "钱联络", "已销号", "王文书"]:
        assert text in page, text
    ledger = response.context["ledger"]
    f1 = ledger.findings[0]
    assert (f1.closed, f1.total) == (1, 2)
    deadline = next(m for m in f1.rows if m.pk == rect.deadline.pk)
    assert deadline.approver_name == "王文书" and deadline.approved_at is not None
    assert reverse("rectification:ledger_import", args=[rect.plan.pk]) not in page  # office only
    office_page = client_for(people.office).get(reverse("rectification:ledger", args=[rect.plan.pk])).content.decode()
    for name in ["ledger_export", "ledger_import", "round_list", "disclosure_settings"]:
        assert reverse(f"rectification:{name}", args=[rect.plan.pk]) in office_page
    assert reverse("rectification:stats") + f"?plan={rect.plan.pk}" in office_page


def test_ledger_filters(rect, people, org, client_for):
    close_deadline(rect, people)
    url = reverse("rectification:ledger", args=[rect.plan.pk])

    def measures(**query):
        # A fresh client each time: the session of a frozen day would expire after travel.
        ledger = client_for(people.office).get(url, query).context["ledger"]
        return {m.pk for f in ledger.findings for m in f.rows}

    everything = {rect.deadline.pk, rect.rule.pk, rect.at_once.pk, rect.ongoing.pk}
    assert measures() == everything
    assert measures(unit=org.hr.pk) == {rect.at_once.pk}
    assert measures(closure="closed") == {rect.deadline.pk}
    assert measures(type=MeasureType.INSTITUTION) == {rect.rule.pk}
    assert measures(category="选人用人") == {rect.at_once.pk, rect.ongoing.pk}
    assert measures(q="全程纪实") == {rect.ongoing.pk}
    assert measures(q="反馈意见第1条") == {rect.deadline.pk, rect.rule.pk}
    assert measures(overdue="1") == set()
    with time_machine.travel(datetime.datetime(2026, 12, 20, 9, 0, tzinfo=datetime.UTC), tick=False):
        from duban.supervision.state import states_refresh

        states_refresh(Item.objects.filter(plan=rect.plan))
        assert measures(overdue="1") == {rect.rule.pk, rect.at_once.pk}
        assert measures(closure="bogus", type="bogus", unit="x") == everything


def test_origin_tag_for_findings_from_staff_feedback(rect, people, client_for):
    from duban.rectification.models import Feedback

    feedback = Feedback.objects.create(plan=rect.plan, text="食堂问题", sender_key="k", sent_on=rect.today)
    finding_save(
        acting_user=people.office,
        finding=Finding(plan=rect.plan, category="作风建设", description="食堂服务态度差", origin_feedback=feedback),
    )
    page = client_for(people.office).get(reverse("rectification:ledger", args=[rect.plan.pk])).content.decode()
    assert "职工反映" in page and "食堂服务态度差" in page


def _add_findings(plan, office, unit, n, start):
    for i in range(n):
        finding = finding_save(
            acting_user=office, finding=Finding(plan=plan, category=f"类别{i}", description=f"问题{start + i}")
        )
        finding.units.set([unit])
        measure_save(
            acting_user=office,
            finding=finding,
            item=Item(title=f"措施{start + i}", lead_unit=unit, start_date=datetime.date(2026, 9, 1)),
            measure_type=MeasureType.ONGOING,
        )


@pytest.mark.parametrize("persona", ["office", "taskforce"])
def test_ledger_queries_do_not_grow_with_rows(rect, people, org, client_for, persona):
    client = client_for(getattr(people, persona))
    url = reverse("rectification:ledger", args=[rect.plan.pk])
    _add_findings(rect.plan, people.office, org.academic, 2, 100)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _add_findings(rect.plan, people.office, org.academic, 10, 200)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["ledger"].findings) >= 14
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_plan_list_queries_do_not_grow_with_plans(rect, people, org, client_for):
    client = client_for(people.office)
    url = reverse("rectification:plan_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        plan = Plan.objects.create(title=f"方案{n}", kind=PlanKind.RECTIFICATION, owner_unit=org.office)
        RectificationPlan.objects.create(plan=plan)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["rows"]) == 6
    assert len(many) == len(few)


# --- findings ------------------------------------------------------------------------


def test_finding_detail_shows_note_measures_and_feedback(rect, people, client_for):
    from duban.rectification.models import Feedback

    Feedback.objects.create(
        plan=rect.plan, finding=rect.f1, text="希望尽快整改到位", sender_key="k", sent_on=rect.today
    )
    page = client_for(people.head).get(reverse("rectification:finding_detail", args=[rect.f1.pk])).content.decode()
    for text in ["内部：涉及钱联络的谈话记录", "规范组织生活会流程", "制定组织生活会工作规范", "希望尽快整改到位"]:
        assert text in page


def test_office_creates_a_finding_with_the_next_ordinal(rect, people, org, client_for):
    response = client_for(people.office).post(
        reverse("rectification:finding_create", args=[rect.plan.pk]),
        {
            "reference": "反馈意见第3条",
            "category": "作风建设",
            "severity": "grave",
            "description": "会议多、文件多",
            "units": [org.academic.pk],
            "disclosed": "on",
        },
    )
    finding = Finding.objects.get(description="会议多、文件多")
    assert response.status_code == 302 and response["Location"] == finding.get_absolute_url()
    assert finding.ordinal == 3 and list(finding.units.all()) == [org.academic]


def test_finding_form_refuses_a_taken_ordinal(rect, people, client_for):
    response = client_for(people.office).post(
        reverse("rectification:finding_create", args=[rect.plan.pk]),
        {"ordinal": "1", "category": "作风建设", "severity": "general", "description": "重复序号"},
    )
    assert response.status_code == 200 and "序号 1 已被本方案的其他问题使用" in response.content.decode()
    assert not Finding.objects.filter(description="重复序号").exists()


def test_a_stale_finding_save_is_refused_and_keeps_the_input(rect, people, org, client_for):
    url = reverse("rectification:finding_edit", args=[rect.f2.pk])
    client = client_for(people.office)
    loaded = client.get(url).context["form"]["version"].value()
    # Someone else saves in between.
    finding_save(acting_user=people.office, finding=Finding.objects.get(pk=rect.f2.pk), units=[org.hr])
    response = client.post(
        url,
        {
            "ordinal": "2",
            "category": "选人用人",
            "severity": "serious",
            "description": "我的修改：干部选拔任用程序执行不严格",
            "units": [org.hr.pk],
            "version": loaded,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert ERR_STALE.format(current=loaded + 1) in page and "我的修改：干部选拔任用程序执行不严格" in page
    rect.f2.refresh_from_db()
    assert rect.f2.description == "干部选拔任用程序执行不严格"
    # With the current version the save goes through.
    response = client.post(
        url,
        {
            "ordinal": "2",
            "category": "选人用人",
            "severity": "serious",
            "description": "我的修改",
            "units": [org.hr.pk],
            "version": loaded + 1,
        },
    )
    assert response.status_code == 302
    rect.f2.refresh_from_db()
    assert rect.f2.description == "我的修改" and rect.f2.version == loaded + 2


def _finding_posted(client, url) -> dict:
    """What the finding's edit page submits unchanged (the version it was opened at included)."""
    form = client.get(url).context["form"]
    data = {}
    for name in ("ordinal", "reference", "category", "severity", "description", "public_summary", "internal_note"):
        data[name] = str(form[name].value() or "")
    data["units"] = [str(pk) for pk in form["units"].value()]
    data["version"] = str(form["version"].value())
    if form["disclosed"].value():
        data["disclosed"] = "on"
    return data


def test_a_stale_finding_save_shows_who_changed_what(rect, people, org, client_for):
    colleague = _person("office2", "陈督查", org.office, [(Role.OFFICE, None)])
    url = reverse("rectification:finding_edit", args=[rect.f2.pk])
    mine_client, theirs_client = client_for(people.office), client_for(colleague)
    mine, theirs = _finding_posted(mine_client, url), _finding_posted(theirs_client, url)
    theirs.update(severity="serious", internal_note="已约谈相关负责人", units=[str(org.hr.pk), str(org.academic.pk)])
    assert theirs_client.post(url, theirs).status_code == 302
    mine["description"] = "我的修改：干部选拔任用程序执行不严格"
    response = mine_client.post(url, mine)
    page = response.content.decode()
    assert response.status_code == 200
    assert ERR_STALE in page and "陈督查 · 11月2日 17:00" in page
    assert "严重程度：一般 → 较重" in page and "内部备注：— → 已约谈相关负责人" in page
    assert "涉及单位：添加：教务处" in page
    assert "我的修改：干部选拔任用程序执行不严格</textarea>" in page  # the clerk's input is kept
    finding = Finding.objects.get(pk=rect.f2.pk)
    assert (finding.description, finding.severity, finding.version) == ("干部选拔任用程序执行不严格", "serious", 2)
    # Having read it, the clerk saves again: the form now carries version 2.
    assert f'name="version" value="{finding.version}"' in page
    mine["version"] = str(finding.version)
    assert mine_client.post(url, mine).status_code == 302
    finding.refresh_from_db()
    assert finding.description == "我的修改：干部选拔任用程序执行不严格" and finding.version == 3


def test_the_edit_page_keeps_the_finding_units(rect, people, org, client_for):
    """The units are ticked on the edit page, so saving it unchanged keeps them."""
    url = reverse("rectification:finding_edit", args=[rect.f1.pk])
    client = client_for(people.office)
    page = client.get(url).content.decode()
    ticked = re.findall(r'<input type="checkbox" name="units" value="(\d+)"[^>]* checked', page)
    assert ticked == [str(org.academic.pk), str(org.branch.pk)]
    assert client.post(url, _finding_posted(client, url)).status_code == 302
    assert set(Finding.objects.get(pk=rect.f1.pk).units.all()) == {org.academic, org.branch}


def test_sequential_finding_saves_are_not_refused(rect, people, client_for):
    url = reverse("rectification:finding_edit", args=[rect.f2.pk])
    client = client_for(people.office)
    for text in ("第一次修改", "第二次修改"):
        data = _finding_posted(client, url)
        data["description"] = text
        assert client.post(url, data).status_code == 302
    finding = Finding.objects.get(pk=rect.f2.pk)
    assert (finding.description, finding.version) == ("第二次修改", 3)


# --- measures ------------------------------------------------------------------------


def measure_post(org, people, **changes):
    data = {
        "type": MeasureType.DEADLINE,
        "title": "开展专项检查",
        "description": "",
        "lead_unit": org.academic.pk,
        "patron_leader": people.leader.pk,
        "responsible_person": people.liaison.pk,
        "start_date": "2026-11-02",
        "due_date": "2026-12-31",
        "cadence": "weekly",
        "cadence_day": "5",
    }
    data.update(changes)
    return data


def test_office_adds_a_measure_under_a_finding(rect, people, org, client_for):
    response = client_for(people.office).post(
        reverse("rectification:measure_create", args=[rect.f2.pk]),
        measure_post(org, people, co_units=[org.hr.pk]),
    )
    measure = Measure.objects.get(item__title="开展专项检查")
    assert response.status_code == 302 and response["Location"] == measure.get_absolute_url()
    assert measure.finding == rect.f2 and measure.type == MeasureType.DEADLINE
    assert measure.item.plan == rect.plan and measure.item.responsible_person == people.liaison
    assert list(measure.item.co_units.all()) == [org.hr]


def test_a_deadline_measure_needs_a_due_date_an_ongoing_one_none(rect, people, org, client_for):
    client = client_for(people.office)
    url = reverse("rectification:measure_create", args=[rect.f2.pk])
    response = client.post(url, measure_post(org, people, due_date=""))
    assert response.status_code == 200 and "“限期整改”措施必须填写整改时限" in response.content.decode()
    assert not Measure.objects.filter(item__title="开展专项检查").exists()
    response = client.post(url, measure_post(org, people, type=MeasureType.ONGOING, due_date=""))
    assert response.status_code == 302
    measure = Measure.objects.get(item__title="开展专项检查")
    assert measure.item.due_date is None and measure.item.cadence == "monthly"


def test_editing_a_closed_measure_is_refused(rect, people, org, client_for):
    close_deadline(rect, people)
    response = client_for(people.office).post(
        reverse("rectification:measure_edit", args=[rect.deadline.pk]),
        measure_post(org, people, title="改名"),
    )
    assert response.status_code == 200 and "该措施已销号，不能修改" in response.content.decode()
    assert Item.objects.get(pk=rect.deadline.pk).title == "规范组织生活会流程"


def test_a_stale_measure_save_is_refused_and_shows_who_changed_what(rect, people, org, client_for):
    """A measure is an item: its edit page sends the item's version back like the item page."""
    colleague = _person("office2", "陈督查", org.office, [(Role.OFFICE, None)])
    url = reverse("rectification:measure_edit", args=[rect.deadline.pk])
    loaded = client_for(people.office).get(url).context["form"]["version"].value()
    theirs = measure_post(org, people, title="规范组织生活会流程", due_date="2027-01-15", version=loaded)
    assert client_for(colleague).post(url, theirs).status_code == 302
    client = client_for(people.office)
    mine = measure_post(org, people, title="规范组织生活会流程（修订）", version=loaded)
    response = client.post(url, mine)
    page = response.content.decode()
    assert response.status_code == 200
    assert ERR_STALE in page and "陈督查" in page and "完成时限：2026年12月31日 → 2027年1月15日" in page
    assert 'value="规范组织生活会流程（修订）"' in page
    assert Item.objects.get(pk=rect.deadline.pk).title == "规范组织生活会流程"
    mine["version"] = loaded + 1
    assert client.post(url, mine).status_code == 302
    assert Item.objects.get(pk=rect.deadline.pk).title == "规范组织生活会流程（修订）"


def test_item_page_of_a_measure_links_to_the_measure_and_hides_complete(rect, people, client_for):
    page = client_for(people.office).get(reverse("supervision:item_detail", args=[rect.deadline.pk])).content
    page = page.decode()
    assert reverse("rectification:measure_detail", args=[rect.deadline.pk]) in page
    assert reverse("supervision:item_complete", args=[rect.deadline.pk]) not in page


def test_ledger_pages_findings_and_counts_cover_every_page(rect, people, org, client_for):
    from duban.rectification.selectors.ledger import PAGE_SIZE

    _add_findings(rect.plan, people.office, org.academic, PAGE_SIZE + 3, 300)
    client = client_for(people.office)
    url = reverse("rectification:ledger", args=[rect.plan.pk])
    first = client.get(url, {"type": MeasureType.ONGOING})
    ledger = first.context["ledger"]
    total = ledger.finding_count
    assert len(ledger.findings) == PAGE_SIZE < total
    page = first.content.decode()
    assert "第 1 / 2 页" in page and "下一页" in page
    assert "page=2" in page and "type=ongoing" in page  # the filter stays in the paging links
    second = client.get(url, {"type": MeasureType.ONGOING, "page": 2}).context["ledger"]
    assert len(second.findings) == total - PAGE_SIZE
    assert second.measure_count == ledger.measure_count
    listed = [f.pk for f in ledger.findings] + [f.pk for f in second.findings]
    assert len(set(listed)) == total
    assert sum(len(f.rows) for f in ledger.findings + second.findings) == ledger.measure_count
