"""No lost updates through the API: items, progress reports and findings answer with their
`version`; a write carrying a version that is no longer current is refused with 409, the
shared Chinese message, the current version and what others changed since (field, old, new,
who, when), and nothing is overwritten; writing again with the current version goes through."""

import datetime

import pytest
import time_machine

from duban.lib.refusals import ERR_STALE
from duban.org.models import Role
from duban.rectification.models import Finding
from duban.supervision.models import Item, ProgressReport, ReportStatus
from tests.conftest import _person
from tests.rectification import conftest as rectification
from tests.supervision import conftest as supervision

pytestmark = pytest.mark.django_db

work = supervision.work
rect = rectification.rect

NOW = datetime.datetime(2026, 11, 3, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _post(client, url, data=None):
    return client.post(url, data if data is not None else {}, content_type="application/json")


def _patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def changes(response) -> list[tuple]:
    return [(c["field"], c["label"], c["old"], c["new"], c["who"]) for c in response.json()["changes"]]


@pytest.fixture
def clerk2(org):
    """A second clerk of the office."""
    return _person("office2", "陈督查", org.office, [(Role.OFFICE, None)])


@pytest.fixture
def liaison2(org):
    """A second liaison of 教务处."""
    return _person("liaison2", "孙联络", org.academic, [(Role.LIAISON, org.academic)])


# --- Items ------------------------------------------------------------------------------
def test_items_answer_with_their_version(work, people, api_for):
    client = api_for(people.office)
    version = Item.objects.get(pk=work.teaching.pk).version
    assert client.get(f"/api/items/{work.teaching.pk}").json()["version"] == version
    listed = {row["id"]: row["version"] for row in client.get(f"/api/plans/{work.plan.pk}/items").json()["items"]}
    assert listed[work.teaching.pk] == version


def test_a_stale_item_patch_is_409_with_the_changes(work, people, clerk2, api_for):
    url = f"/api/items/{work.teaching.pk}"
    mine, theirs = api_for(people.office), api_for(clerk2)
    version = mine.get(url).json()["version"]
    response = _patch(theirs, url, {"version": version, "due_date": "2027-01-31", "remarks": "延至寒假后完成"})
    assert response.status_code == 200 and response.json()["version"] == version + 1
    response = _patch(mine, url, {"version": version, "title": "本科教学质量提升工程（修订）"})
    assert response.status_code == 409
    body = response.json()
    assert (body["detail"], body["version"]) == (ERR_STALE, version + 1)
    assert ("due_date", "完成时限", "2026年12月31日", "2027年1月31日", "陈督查") in changes(response)
    assert ("remarks", "备注", "—", "延至寒假后完成", "陈督查") in changes(response)
    assert all(c["when"].startswith("2026-11-03T") for c in body["changes"])
    item = Item.objects.get(pk=work.teaching.pk)
    assert (item.title, item.remarks) == ("本科教学质量提升工程", "延至寒假后完成")
    # Having read the changes, the clerk sends the current version: the title changes, theirs stay.
    response = _patch(mine, url, {"version": body["version"], "title": "本科教学质量提升工程（修订）"})
    assert response.status_code == 200 and response.json()["version"] == version + 2
    item.refresh_from_db()
    assert (item.title, item.due_date) == ("本科教学质量提升工程（修订）", datetime.date(2027, 1, 31))


def test_sequential_item_patches_are_not_refused(work, people, api_for):
    url = f"/api/items/{work.teaching.pk}"
    client = api_for(people.office)
    version = client.get(url).json()["version"]
    for remarks in ("第一次", "第二次", "第三次"):
        response = _patch(client, url, {"version": version, "remarks": remarks})
        assert response.status_code == 200, response.content
        version = response.json()["version"]
    # Without a version nothing is checked, as before.
    assert _patch(client, url, {"remarks": "不带版本号"}).status_code == 200
    assert Item.objects.get(pk=work.teaching.pk).remarks == "不带版本号"


# --- Progress reports -----------------------------------------------------------------------
def _report(work) -> ProgressReport:
    return work.teaching.reports.order_by("-period_start").first()


def test_a_stale_report_fill_is_409_with_the_changes(work, people, liaison2, api_for):
    report = _report(work)
    url = f"/api/reports/{report.pk}"
    mine, theirs = api_for(people.liaison), api_for(liaison2)
    version = mine.get(url).json()["version"]
    response = _post(theirs, f"{url}/fill", {"version": version, "progress_text": "完成方案论证", "percent": 30})
    assert response.status_code == 200 and response.json()["version"] == version + 1
    response = _post(mine, f"{url}/fill", {"version": version, "progress_text": "召开专题会议", "percent": 25})
    assert response.status_code == 409
    assert (response.json()["detail"], response.json()["version"]) == (ERR_STALE, version + 1)
    assert ("progress_text", "工作进展", "—", "完成方案论证", "孙联络") in changes(response)
    assert ("filled_by", "填报人", "—", "孙联络（liaison2）", "孙联络") in changes(response)
    saved = ProgressReport.objects.get(pk=report.pk)
    assert (saved.progress_text, saved.percent) == ("完成方案论证", 30)
    fill = {"version": version + 1, "progress_text": "召开专题会议", "percent": 25}
    response = _post(mine, f"{url}/fill", fill)
    assert response.status_code == 200 and response.json()["version"] == version + 2
    assert ProgressReport.objects.get(pk=report.pk).progress_text == "召开专题会议"


def test_sequential_report_fills_are_not_refused(work, people, api_for):
    report = _report(work)
    client = api_for(people.liaison)
    version = client.get(f"/api/reports/{report.pk}").json()["version"]
    for percent in (20, 25, 30):
        response = _post(
            client,
            f"/api/reports/{report.pk}/fill",
            {"version": version, "progress_text": "推进中", "percent": percent},
        )
        assert response.status_code == 200, response.content
        version = response.json()["version"]
    fill = {"progress_text": "不带版本号", "percent": 30}
    assert _post(client, f"/api/reports/{report.pk}/fill", fill).status_code == 200


def test_a_stale_report_submission_is_409(work, people, api_for):
    report = _report(work)
    url = f"/api/reports/{report.pk}"
    head, liaison = api_for(people.head), api_for(people.liaison)
    assert _post(liaison, f"{url}/fill", {"progress_text": "初稿", "percent": 20}).status_code == 200
    seen = head.get(url).json()["version"]
    assert (
        _post(liaison, f"{url}/fill", {"version": seen, "progress_text": "改过的稿", "percent": 25}).status_code == 200
    )
    response = _post(head, f"{url}/submit", {"version": seen})
    assert response.status_code == 409
    assert ("progress_text", "工作进展", "初稿", "改过的稿", "钱联络") in changes(response)
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    # So is a fill-and-submit over the liaison's change.
    fill = {"version": seen, "progress_text": "负责人的稿", "percent": 25, "submit": True}
    assert _post(head, f"{url}/fill", fill).status_code == 409
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    response = _post(head, f"{url}/submit", {"version": seen + 1})
    assert response.status_code == 200 and response.json()["status"] == ReportStatus.SUBMITTED
    # Without a body (or a version) nothing is checked, as before.
    other = work.labs.reports.order_by("-period_start").first()
    assert (
        _post(liaison, f"/api/reports/{other.pk}/fill", {"progress_text": "进行中", "percent": 10}).status_code == 200
    )
    assert head.post(f"/api/reports/{other.pk}/submit", "", content_type="application/json").status_code == 200


# --- Findings -------------------------------------------------------------------------------
def test_a_stale_finding_patch_is_409_with_the_changes(rect, people, clerk2, api_for):
    url = f"/api/rectification/findings/{rect.f2.pk}"
    mine, theirs = api_for(people.office), api_for(clerk2)
    version = mine.get(url).json()["version"]
    response = _patch(theirs, url, {"version": version, "severity": "serious", "internal_note": "已约谈"})
    assert response.status_code == 200 and response.json()["version"] == version + 1
    response = _patch(mine, url, {"version": version, "description": "我的修改"})
    assert response.status_code == 409
    assert (response.json()["detail"], response.json()["version"]) == (ERR_STALE, version + 1)
    assert ("severity", "严重程度", "一般", "较重", "陈督查") in changes(response)
    assert ("internal_note", "内部备注", "—", "已约谈", "陈督查") in changes(response)
    assert Finding.objects.get(pk=rect.f2.pk).description == "干部选拔任用程序执行不严格"
    response = _patch(mine, url, {"version": version + 1, "description": "我的修改"})
    assert response.status_code == 200 and response.json()["version"] == version + 2
    finding = Finding.objects.get(pk=rect.f2.pk)
    assert (finding.description, finding.internal_note) == ("我的修改", "已约谈")


def test_sequential_finding_patches_are_not_refused(rect, people, api_for):
    url = f"/api/rectification/findings/{rect.f2.pk}"
    client = api_for(people.office)
    version = client.get(url).json()["version"]
    for note in ("一", "二", "三"):
        response = _patch(client, url, {"version": version, "internal_note": note})
        assert response.status_code == 200, response.content
        version = response.json()["version"]
    assert Finding.objects.get(pk=rect.f2.pk).internal_note == "三"


# --- Measures (a measure is an item: its version is the item's) ---------------------------
def test_a_stale_measure_patch_is_409_and_a_current_one_goes_through(rect, people, clerk2, api_for):
    url = f"/api/rectification/measures/{rect.deadline.pk}"
    mine, theirs = api_for(people.office), api_for(clerk2)
    version = mine.get(url).json()["item"]["version"]
    response = _patch(theirs, url, {"version": version, "remarks": "已与组织部会商"})
    assert response.status_code == 200
    response = _patch(mine, url, {"version": version, "title": "修订后的措施"})
    assert response.status_code == 409
    assert (response.json()["detail"], response.json()["version"]) == (ERR_STALE, version + 1)
    assert ("remarks", "备注", "—", "已与组织部会商", "陈督查") in changes(response)
    assert Item.objects.get(pk=rect.deadline.item_id).title != "修订后的措施"
    response = _patch(mine, url, {"version": version + 1, "title": "修订后的措施"})
    assert response.status_code == 200
    assert Item.objects.get(pk=rect.deadline.item_id).title == "修订后的措施"
    # Without a version the write is not checked, as before.
    assert _patch(mine, url, {"remarks": "无版本号"}).status_code == 200
