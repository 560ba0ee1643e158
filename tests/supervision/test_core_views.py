"""The core supervision pages: who may see and do what, and the report and deferral flows."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from duban.notify.models import Message
from duban.supervision.models import (
    Deferral,
    DeferralStatus,
    Item,
    ItemLog,
    ItemState,
    LogKind,
    ProgressReport,
    ReportStatus,
)
from duban.supervision.services import reports as report_services
from tests.org.test_views import ALL_PERSONAS

NOW = datetime.datetime(2026, 11, 3, 10, 0, tzinfo=datetime.UTC)
SEES_TEACHING = {"leader", "office", "head", "liaison", "discipline", "staff", "outsider"}  # outsider: 人事处 co-unit


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def current_report(item) -> ProgressReport:
    return item.reports.order_by("-period_start").first()


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_plan_pages_by_persona(persona, work, people, client_for):
    client = client_for(getattr(people, persona))
    admin = persona in {"sys_admin", "sec_admin", "audit_admin", "norole"}
    for url in (reverse("supervision:plan_list"), reverse("supervision:plan_detail", args=[work.plan.pk])):
        assert client.get(url).status_code == (403 if admin else 200), url
    manage = 200 if persona == "office" else 403
    assert client.get(reverse("supervision:plan_create")).status_code == manage
    assert client.get(reverse("supervision:plan_edit", args=[work.plan.pk])).status_code == manage
    assert client.get(reverse("supervision:item_create", args=[work.plan.pk])).status_code == manage
    assert client.get(reverse("supervision:review_queue")).status_code == manage


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_item_detail_visibility(persona, work, people, client_for):
    client = client_for(getattr(people, persona))
    response = client.get(reverse("supervision:item_detail", args=[work.teaching.pk]))
    if persona in {"sys_admin", "sec_admin", "audit_admin", "norole"}:
        assert response.status_code == 403
    else:
        assert response.status_code == (200 if persona in SEES_TEACHING else 404)


def test_taskforce_sees_only_items_of_covered_units(work, people, client_for, org):
    client = client_for(people.taskforce)
    page = client.get(reverse("supervision:plan_detail", args=[work.plan.pk]))
    assert page.context["total"] == 0
    work.labs.lead_unit = org.branch
    work.labs.save()
    assert client_for(people.taskforce).get(reverse("supervision:item_detail", args=[work.labs.pk])).status_code == 200


def test_anonymous_goes_to_login(work, client):
    for url in (
        reverse("supervision:plan_list"),
        reverse("supervision:item_detail", args=[work.teaching.pk]),
        reverse("supervision:my_reports"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_report_cycle_fill_submit_accept(work, people, client_for):
    report = current_report(work.teaching)
    assert report.status == ReportStatus.OPEN
    liaison = client_for(people.liaison)
    url = reverse("supervision:report_fill", args=[report.pk])
    response = liaison.post(
        url,
        {
            "progress_text": "完成方案初稿",
            "problems": "",
            "next_steps": "论证",
            "percent": 30,
            "save": "1",
            f"ind_{work.indicator.pk}": "3",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.percent == 30
    # The liaison cannot submit; the unit head can.
    assert liaison.post(reverse("supervision:report_submit", args=[report.pk])).status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    client_for(people.head).post(reverse("supervision:report_submit", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    office = client_for(people.office)
    assert office.get(reverse("supervision:review_queue")).context["total"] == 1
    office.post(reverse("supervision:report_review", args=[report.pk]), {"decision": "accept", "comment": "好"})
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert ItemState.objects.get(item=work.teaching).progress == 30
    kinds = list(ItemLog.objects.filter(item=work.teaching).values_list("kind", flat=True))
    assert {LogKind.REPORT_FILLED, LogKind.REPORT_SUBMITTED, LogKind.REPORT_ACCEPTED} <= set(kinds)


def test_return_needs_a_reason_and_notifies(work, people, client_for):
    report = current_report(work.labs)
    report_services.report_fill(acting_user=people.head, report=report, progress_text="进行中", percent=20, submit=True)
    office = client_for(people.office)
    response = office.post(reverse("supervision:report_review", args=[report.pk]), {"decision": "return"})
    assert report_services.ERR_RETURN_REASON in response.content.decode()
    office.post(reverse("supervision:report_review", args=[report.pk]), {"decision": "return", "comment": "数据不全"})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.review_comment == "数据不全"
    assert Message.objects.filter(recipient=people.liaison, title__contains="退回").exists()


def test_outsider_cannot_fill_another_units_report(work, people, client_for):
    report = current_report(work.teaching)
    response = client_for(people.outsider).post(
        reverse("supervision:report_fill", args=[report.pk]), {"progress_text": "x", "percent": 10}
    )
    assert response.status_code == 200  # read-only view
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN


def test_progress_cannot_go_backwards(work, people):
    reports = list(work.courses.reports.order_by("period_start"))
    report_services.report_fill(acting_user=people.head, report=reports[-2], progress_text="a", percent=50, submit=True)
    report_services.report_accept(acting_user=people.office, report=reports[-2])
    with pytest.raises(report_services.Refused) as error:
        report_services.report_fill(acting_user=people.head, report=reports[-1], progress_text="b", percent=40)
    assert error.value.messages == [report_services.ERR_PERCENT_DOWN.format(last=50)]


def test_missing_reports_are_visible(work, people, client_for):
    page = client_for(people.liaison).get(reverse("supervision:my_reports"))
    assert "缺报" in page.content.decode()
    assert ItemState.objects.get(item=work.labs).missing_reports > 0


def test_deferral_request_and_approval_keep_the_original_date(work, people, client_for):
    head = client_for(people.head)
    url = reverse("supervision:deferral_request", args=[work.labs.pk])
    response = head.post(url, {"new_due_date": "2026-12-01", "reason": "设备到货延迟"})
    assert "必须晚于当前完成时限" in response.content.decode()
    head.post(url, {"new_due_date": "2027-03-31", "reason": "设备到货延迟"})
    deferral = Deferral.objects.get(item=work.labs)
    assert client_for(people.liaison).get(reverse("supervision:deferral_decide", args=[deferral.pk])).status_code == 403
    # The patron leader decides.
    client_for(people.leader).post(
        reverse("supervision:deferral_decide", args=[deferral.pk]), {"decision": "approve", "comment": "同意"}
    )
    deferral.refresh_from_db()
    item = Item.objects.get(pk=work.labs.pk)
    assert deferral.status == DeferralStatus.APPROVED
    assert item.due_date == datetime.date(2027, 3, 31) and item.original_due_date == datetime.date(2026, 12, 31)
    assert item.is_deferred


def test_office_creates_an_item_and_reverse_schedules(work, people, client_for, org):
    office = client_for(people.office)
    response = office.post(
        reverse("supervision:item_create", args=[work.plan.pk]),
        {
            "ordinal": 9,
            "title": "智慧校园建设",
            "lead_unit": org.academic.pk,
            "co_units": [org.hr.pk],
            "patron_leader": people.leader.pk,
            "responsible_person": people.liaison.pk,
            "start_date": "2026-11-03",
            "due_date": "2027-01-31",
            "cadence": "weekly",
            "cadence_day": 5,
        },
    )
    item = Item.objects.get(title="智慧校园建设")
    assert response.status_code == 302 and response.url == item.get_absolute_url()
    office.post(reverse("supervision:item_nodes", args=[item.pk]), {"steps": "立项\n采购\n验收", "every": "week"})
    assert [n.due_date for n in item.nodes.all()] == [
        datetime.date(2027, 1, 17),
        datetime.date(2027, 1, 24),
        datetime.date(2027, 1, 31),
    ]


def test_item_form_errors_in_chinese(work, people, client_for, org):
    response = client_for(people.office).post(
        reverse("supervision:item_create", args=[work.plan.pk]),
        {
            "ordinal": 9,
            "title": "",
            "lead_unit": org.academic.pk,
            "start_date": "2026-11-03",
            "due_date": "2026-10-01",
            "cadence": "weekly",
            "cadence_day": 9,
        },
    )
    page = response.content.decode()
    assert "完成时限不能早于开始日期。" in page and "每周填报时，填报日应为 1（周一）到 7（周日）。" in page
    assert not Item.objects.filter(due_date=datetime.date(2026, 10, 1)).exists()


def test_plan_ledger_query_count_does_not_grow(work, people, client_for, org, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    office = client_for(people.office)
    url = reverse("supervision:plan_detail", args=[work.plan.pk])
    with CaptureQueriesContext(connection) as small:
        office.get(url)
    for i in range(60):
        Item.objects.create(
            plan=work.plan,
            ordinal=100 + i,
            title=f"事项{i}",
            lead_unit=org.hr,
            start_date=datetime.date(2026, 9, 1),
            due_date=datetime.date(2026, 12, 1),
        )
    with CaptureQueriesContext(connection) as large:
        office.get(url)
    assert len(large) == len(small)


def test_office_adds_and_removes_an_indicator(work, people, client_for):
    from duban.supervision.models import Indicator

    office = client_for(people.office)
    url = reverse("supervision:item_nodes", args=[work.labs.pk])
    response = office.post(
        url,
        {
            "indicator": "1",
            "name": "建成实验室",
            "unit_of_measure": "间",
            "baseline": "0",
            "target": "",
            "direction": "up",
        },
    )
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    office.post(
        url,
        {
            "indicator": "1",
            "name": "建成实验室",
            "unit_of_measure": "间",
            "baseline": "0",
            "target": "6",
            "direction": "up",
        },
    )
    indicator = Indicator.objects.get(item=work.labs)
    assert indicator.target == 6
    office.post(url, {"delete_indicator": indicator.pk})
    assert not Indicator.objects.filter(item=work.labs).exists()
    assert client_for(people.head).post(url, {"indicator": "1", "name": "x", "target": "1"}).status_code == 403


def plan_form_data(plan, **changes):
    data = {
        "title": plan.title,
        "kind": plan.kind,
        "year": plan.year,
        "status": plan.status,
        "due_soon_days": 10,
        "pace_tolerance": 10,
        "report_grace_days": 2,
    }
    for status, colour in plan.policy().colours.items():
        data[f"colour_{status}"] = colour
    data.update(changes)
    return data


def test_plan_colours_are_data_the_office_sets(work, people, client_for):
    office = client_for(people.office)
    assert ItemState.objects.get(item=work.teaching).colour == "yellow"  # behind
    response = office.post(
        reverse("supervision:plan_edit", args=[work.plan.pk]), plan_form_data(work.plan, colour_behind="red")
    )
    assert response.status_code == 302
    assert ItemState.objects.get(item=work.teaching).colour == "red"


def test_plan_phases(work, people, client_for):
    office = client_for(people.office)
    url = reverse("supervision:plan_phases", args=[work.plan.pk])
    response = office.post(url, {"name": "查摆整改", "start_date": "2026-11-10", "end_date": "2026-11-01", "order": 1})
    assert "结束日期不能早于开始日期。" in response.content.decode()
    office.post(url, {"name": "查摆整改", "start_date": "2026-11-01", "end_date": "2026-12-01", "order": 1})
    phase = work.plan.phases.get()
    assert client_for(people.head).post(url, {"delete": phase.pk}).status_code == 403
    office.post(url, {"delete": phase.pk})
    assert not work.plan.phases.exists()
