"""Progress reports through the API: reading them, the full cycle (the liaison fills, the
unit head submits, the office accepts or returns), who may do each step, the refusals
with the services' Chinese messages, and the office's review queue."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duban.notify.models import Message
from duban.supervision.models import IndicatorReading, ItemState, ProgressReport, ReportStatus
from duban.supervision.services import reports as services
from tests.org.test_views import ALL_PERSONAS
from tests.supervision import conftest as supervision

pytestmark = pytest.mark.django_db

work = supervision.work

NOW = datetime.datetime(2026, 11, 3, 10, 0, tzinfo=datetime.UTC)
NO_SUPERVISION = {"sys_admin", "sec_admin", "audit_admin", "norole"}
SEES_TEACHING = {"leader", "office", "head", "liaison", "discipline", "staff", "outsider"}
FILLERS = {"head", "liaison"}  # 教务处's head and liaison (the liaison is also the responsible person)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _post(client, url, data=None):
    return client.post(url, data if data is not None else {}, content_type="application/json")


def current_report(item) -> ProgressReport:
    return item.reports.order_by("-period_start").first()


def _filled(work, people, item=None, percent=20, submit=True) -> ProgressReport:
    report = current_report(item or work.labs)
    return services.report_fill(
        acting_user=people.head, report=report, progress_text="进行中", percent=percent, submit=submit
    )


def _expected(persona, allowed: set[str]) -> int:
    if persona in NO_SUPERVISION:
        return 403
    if persona not in SEES_TEACHING:
        return 404
    return 200 if persona in allowed else 403


# --- Reading --------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_report_reads_by_persona(persona, work, people, api_for):
    client = api_for(getattr(people, persona))
    report = current_report(work.teaching)
    expected = _expected(persona, SEES_TEACHING)
    assert client.get(f"/api/items/{work.teaching.pk}/reports").status_code == expected
    assert client.get(f"/api/reports/{report.pk}").status_code == expected
    queue = client.get("/api/reports/pending-review")
    assert queue.status_code == (200 if persona == "office" else 403)
    if persona not in NO_SUPERVISION and persona != "office":
        assert queue.json() == {"detail": services.ERR_CANNOT_REVIEW}


def test_item_reports_newest_first_with_missing_and_late(work, people, api_for):
    reports = list(work.labs.reports.order_by("period_start"))
    late = reports[-2]  # the week of 2026-10-26, due on Friday 10-30
    services.report_fill(acting_user=people.head, report=late, progress_text="补报", percent=10, submit=True)
    body = api_for(people.staff).get(f"/api/items/{work.labs.pk}/reports").json()
    assert body["count"] == len(reports)
    rows = body["items"]
    assert [row["period_start"] for row in rows] == [str(r.period_start) for r in reversed(reports)]
    current, previous, older = rows[0], rows[1], rows[2]
    assert (current["status"], current["status_label"], current["is_missing"]) == ("open", "待填报", False)
    assert current["due_date"] == "2026-11-06"
    assert (previous["status"], previous["is_missing"], previous["is_late"]) == ("submitted", False, True)
    assert previous["submitted_by"] == {"id": people.head.pk, "name": "赵处长"}
    assert (older["status"], older["is_missing"], older["is_late"]) == ("open", True, False)
    assert current["item"]["id"] == work.labs.pk
    assert current["item"]["lead_unit"]["name"] == "教务处"


def test_report_detail_shape(work, people, api_for):
    report = current_report(work.teaching)
    services.report_fill(
        acting_user=people.liaison,
        report=report,
        progress_text="完成方案初稿",
        problems="经费紧张",
        next_steps="论证",
        percent=30,
        readings={work.indicator.pk: 3},
    )
    body = api_for(people.leader).get(f"/api/reports/{report.pk}").json()
    assert body["id"] == report.pk
    assert (body["progress_text"], body["problems"], body["next_steps"], body["percent"]) == (
        "完成方案初稿",
        "经费紧张",
        "论证",
        30,
    )
    assert body["readings"] == [{"indicator_id": work.indicator.pk, "value": 3.0}]
    assert body["filled_by"] == {"id": people.liaison.pk, "name": "钱联络"}
    assert body["submitted_by"] is None and body["reviewed_by"] is None
    assert (body["status"], body["status_label"]) == ("draft", "待提交")
    assert api_for(people.staff).get("/api/reports/999999").status_code == 404


# --- The cycle ------------------------------------------------------------------------
def test_full_report_cycle_through_the_api(work, people, api_for):
    report = current_report(work.teaching)
    liaison, head, office = api_for(people.liaison), api_for(people.head), api_for(people.office)

    filled = _post(
        liaison,
        f"/api/reports/{report.pk}/fill",
        {
            "progress_text": "完成方案初稿",
            "next_steps": "组织论证",
            "percent": 30,
            "readings": {str(work.indicator.pk): 3},
        },
    )
    assert filled.status_code == 200, filled.json()
    assert (filled.json()["status"], filled.json()["percent"]) == ("draft", 30)
    assert IndicatorReading.objects.get(report=report).value == 3

    # The liaison may not submit; the unit head does.
    refused = _post(liaison, f"/api/reports/{report.pk}/submit")
    assert refused.status_code == 403
    assert refused.json() == {"detail": services.ERR_CANNOT_SUBMIT}
    submitted = _post(head, f"/api/reports/{report.pk}/submit")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"

    queue = office.get("/api/reports/pending-review").json()
    assert [row["id"] for row in queue["items"]] == [report.pk]

    accepted = _post(office, f"/api/reports/{report.pk}/review", {"decision": "accept", "comment": "好"})
    assert accepted.status_code == 200, accepted.json()
    assert (accepted.json()["status"], accepted.json()["review_comment"]) == ("accepted", "好")
    assert accepted.json()["reviewed_by"] == {"id": people.office.pk, "name": "王文书"}
    assert ItemState.objects.get(item=work.teaching).progress == 30
    item = liaison.get(f"/api/items/{work.teaching.pk}").json()
    assert item["state"]["progress"] == 30
    assert item["indicators"][0]["latest"]["value"] == 3.0
    assert office.get("/api/reports/pending-review").json()["count"] == 0

    # Every step is recorded with the token's owner.
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ProgressReport), object_pk=str(report.pk)
    )
    assert {people.liaison.pk, people.head.pk, people.office.pk} <= set(entries.values_list("actor_id", flat=True))


def test_head_fills_and_submits_at_once(work, people, api_for):
    report = current_report(work.labs)
    response = _post(
        api_for(people.head),
        f"/api/reports/{report.pk}/fill",
        {"progress_text": "进行中", "percent": 40, "submit": True},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "submitted"


def test_liaison_asking_to_submit_is_refused_and_nothing_is_saved(work, people, api_for):
    report = current_report(work.labs)
    response = _post(
        api_for(people.liaison),
        f"/api/reports/{report.pk}/fill",
        {"progress_text": "进行中", "percent": 40, "submit": True},
    )
    assert response.status_code == 403
    assert response.json() == {"detail": services.ERR_CANNOT_SUBMIT}
    report.refresh_from_db()
    assert (report.status, report.progress_text) == (ReportStatus.OPEN, "")


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_fill_by_persona(persona, work, people, api_for):
    report = current_report(work.teaching)
    response = _post(
        api_for(getattr(people, persona)), f"/api/reports/{report.pk}/fill", {"progress_text": "x", "percent": 10}
    )
    expected = _expected(persona, FILLERS)
    assert response.status_code == expected
    if expected == 403 and persona not in NO_SUPERVISION:
        assert response.json() == {"detail": services.ERR_CANNOT_FILL}
    report.refresh_from_db()
    assert report.status == (ReportStatus.DRAFT if expected == 200 else ReportStatus.OPEN)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_submit_by_persona(persona, work, people, api_for):
    report = _filled(work, people, work.teaching, submit=False)
    response = _post(api_for(getattr(people, persona)), f"/api/reports/{report.pk}/submit")
    expected = _expected(persona, {"head"})
    assert response.status_code == expected
    if expected == 403 and persona not in NO_SUPERVISION:
        assert response.json() == {"detail": services.ERR_CANNOT_SUBMIT}
    report.refresh_from_db()
    assert report.status == (ReportStatus.SUBMITTED if expected == 200 else ReportStatus.DRAFT)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_review_by_persona(persona, work, people, api_for):
    report = _filled(work, people, work.teaching)
    response = _post(
        api_for(getattr(people, persona)), f"/api/reports/{report.pk}/review", {"decision": "accept", "comment": ""}
    )
    expected = _expected(persona, {"office"})
    assert response.status_code == expected
    if expected == 403 and persona not in NO_SUPERVISION:
        assert response.json() == {"detail": services.ERR_CANNOT_REVIEW}
    report.refresh_from_db()
    assert report.status == (ReportStatus.ACCEPTED if expected == 200 else ReportStatus.SUBMITTED)


def test_return_needs_a_reason_and_notifies(work, people, api_for):
    report = _filled(work, people)
    office = api_for(people.office)
    response = _post(office, f"/api/reports/{report.pk}/review", {"decision": "return"})
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {"__all__": [services.ERR_RETURN_REASON]}
    assert body["detail"] == f"数据校验未通过：{services.ERR_RETURN_REASON}"
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    returned = _post(office, f"/api/reports/{report.pk}/review", {"decision": "return", "comment": "数据不全"})
    assert returned.status_code == 200
    assert (returned.json()["status"], returned.json()["review_comment"]) == ("returned", "数据不全")
    assert Message.objects.filter(recipient=people.liaison, title__contains="退回").exists()
    # A returned report can be filled again.
    again = _post(api_for(people.liaison), f"/api/reports/{report.pk}/fill", {"progress_text": "补全", "percent": 25})
    assert again.status_code == 200
    assert again.json()["status"] == "draft"


def test_refused_transitions_are_400_with_the_services_message(work, people, api_for):
    head, office = api_for(people.head), api_for(people.office)
    open_report = current_report(work.courses)
    not_submittable = _post(head, f"/api/reports/{open_report.pk}/submit")
    assert not_submittable.status_code == 400
    assert not_submittable.json()["errors"] == {"__all__": [services.ERR_NOT_SUBMITTABLE]}
    not_reviewable = _post(office, f"/api/reports/{open_report.pk}/review", {"decision": "accept"})
    assert not_reviewable.status_code == 400
    assert not_reviewable.json()["errors"] == {"__all__": [services.ERR_NOT_REVIEWABLE]}

    submitted = _filled(work, people)
    not_fillable = _post(head, f"/api/reports/{submitted.pk}/fill", {"progress_text": "改", "percent": 30})
    assert not_fillable.status_code == 400
    assert not_fillable.json()["errors"] == {"__all__": [services.ERR_NOT_FILLABLE]}


def test_progress_cannot_go_backwards(work, people, api_for):
    reports = list(work.courses.reports.order_by("period_start"))
    services.report_fill(acting_user=people.head, report=reports[-2], progress_text="a", percent=50, submit=True)
    services.report_accept(acting_user=people.office, report=reports[-2])
    response = _post(api_for(people.head), f"/api/reports/{reports[-1].pk}/fill", {"progress_text": "b", "percent": 40})
    assert response.status_code == 400
    assert response.json()["errors"] == {"__all__": [services.ERR_PERCENT_DOWN.format(last=50)]}


def test_fill_validation_in_chinese(work, people, api_for):
    report = current_report(work.teaching)
    client = api_for(people.liaison)
    url = f"/api/reports/{report.pk}/fill"
    out_of_range = _post(client, url, {"progress_text": "x", "percent": 120})
    assert out_of_range.status_code == 400
    assert list(out_of_range.json()["errors"]) == ["percent"]
    assert out_of_range.json()["detail"].startswith("数据校验未通过：完成进度（%）：")
    blank = _post(client, url, {"progress_text": "  ", "percent": 10})
    assert blank.status_code == 400
    assert list(blank.json()["errors"]) == ["progress_text"]
    unknown = _post(client, url, {"progress_text": "x", "percent": 10, "readings": {"999999": 1}})
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"readings": ["指标 999999 不属于该事项。"]}
    too_precise = _post(client, url, {"progress_text": "x", "percent": 10, "readings": {str(work.indicator.pk): 3.333}})
    assert too_precise.status_code == 400
    assert list(too_precise.json()["errors"]) == [f"readings.{work.indicator.pk}"]
    missing = _post(client, url, {"progress_text": "x"})
    assert missing.status_code == 422
    assert missing.json()["detail"] == "请求数据不符合接口要求：percent：缺少必填字段。"
    bad_decision = _post(api_for(people.office), f"/api/reports/{report.pk}/review", {"decision": "maybe"})
    assert bad_decision.status_code == 422
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN


def test_readings_left_out_are_kept_and_null_clears(work, people, api_for):
    report = current_report(work.teaching)
    client = api_for(people.liaison)
    url = f"/api/reports/{report.pk}/fill"
    _post(client, url, {"progress_text": "x", "percent": 10, "readings": {str(work.indicator.pk): 2}})
    _post(client, url, {"progress_text": "y", "percent": 15})
    assert IndicatorReading.objects.get(report=report).value == 2
    _post(client, url, {"progress_text": "z", "percent": 15, "readings": {str(work.indicator.pk): None}})
    assert not IndicatorReading.objects.filter(report=report).exists()


def test_review_queue_query_count_is_fixed(work, people, api_for):
    office = api_for(people.office)
    items = [work.teaching, work.labs, work.courses, work.talent]

    def submitted(first, count):
        for n in range(first, first + count):
            start = datetime.date(2025, 1, 6) + datetime.timedelta(weeks=n // 4)
            ProgressReport.objects.create(
                item=items[n % 4],
                period_start=start,
                period_end=start + datetime.timedelta(days=6),
                due_date=start + datetime.timedelta(days=4),
                status=ReportStatus.SUBMITTED,
                progress_text="补报",
                percent=10,
                filled_by=people.liaison,
                submitted_by=people.head,
                submitted_at=NOW,
            )

    submitted(0, 10)
    office.get("/api/reports/pending-review")  # the token's last_used_at is written here
    with CaptureQueriesContext(connection) as small:
        assert office.get("/api/reports/pending-review").json()["count"] == 10
    submitted(10, 50)
    with CaptureQueriesContext(connection) as large:
        assert office.get("/api/reports/pending-review").json()["count"] == 60
    assert len(large) == len(small)
