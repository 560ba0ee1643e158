"""Two people of a unit fill the same progress report (two liaisons, or one person in two tabs):
the second save is refused with the shared message, shows who changed what since, and keeps
what was typed; saving again after reading it goes through. Submitting respects it too."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from duban.lib.refusals import ERR_STALE
from duban.org.models import Role
from duban.supervision.models import ProgressReport, ReportStatus
from tests.conftest import _person

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 3, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def report(work) -> ProgressReport:
    return work.teaching.reports.order_by("-period_start").first()


@pytest.fixture
def colleague(org):
    """A second liaison of 教务处."""
    return _person("liaison2", "孙联络", org.academic, [(Role.LIAISON, org.academic)])


def loaded(client, report) -> dict:
    """What the fill page's form submits unchanged (the version it was opened at included)."""
    form = client.get(reverse("supervision:report_fill", args=[report.pk])).context["form"]
    data = {name: form[name].value() for name in ("progress_text", "problems", "next_steps", "percent", "version")}
    return {name: "" if value is None else str(value) for name, value in data.items()}


def test_the_second_save_is_refused_and_shows_the_first(report, people, colleague, client_for):
    url = reverse("supervision:report_fill", args=[report.pk])
    mine_client, theirs_client = client_for(people.liaison), client_for(colleague)
    mine, theirs = loaded(mine_client, report), loaded(theirs_client, report)
    assert mine["version"] == str(report.version)
    theirs.update(progress_text="完成方案论证，启动课程评估", percent="30", save="1")
    assert theirs_client.post(url, theirs).status_code == 302
    mine.update(progress_text="召开专题会议部署", problems="经费未到位", percent="25", save="1")
    response = mine_client.post(url, mine)
    page = response.content.decode()
    assert response.status_code == 200
    assert ERR_STALE in page
    assert "孙联络 · 11月3日 18:00" in page
    assert "工作进展：— → 完成方案论证，启动课程评估" in page
    assert "完成进度（%）：— → 30" in page
    assert "状态：待填报 → 待提交" in page and "填报人：— → 孙联络（liaison2）" in page
    # The liaison's own input is kept, and the form now carries the version seen.
    assert "召开专题会议部署</textarea>" in page and "经费未到位</textarea>" in page
    assert 'name="percent" value="25"' in page
    assert f'name="version" value="{report.version + 1}"' in page
    saved = ProgressReport.objects.get(pk=report.pk)
    assert (saved.progress_text, saved.percent, saved.filled_by) == ("完成方案论证，启动课程评估", 30, colleague)
    assert saved.version == report.version + 1
    # Having read it, the liaison saves again: theirs now stands.
    mine["version"] = str(report.version + 1)
    assert mine_client.post(url, mine).status_code == 302
    saved.refresh_from_db()
    assert (saved.progress_text, saved.problems, saved.percent) == ("召开专题会议部署", "经费未到位", 25)
    assert saved.filled_by == people.liaison and saved.version == report.version + 2


def test_the_same_person_in_two_tabs(report, people, client_for):
    url = reverse("supervision:report_fill", args=[report.pk])
    client = client_for(people.liaison)
    first, second = loaded(client, report), loaded(client, report)
    first.update(progress_text="第一个标签页", percent="20")
    assert client.post(url, first).status_code == 302
    second.update(progress_text="第二个标签页", percent="22")
    response = client.post(url, second)
    assert response.status_code == 200 and ERR_STALE in response.content.decode()
    assert "钱联络" in response.content.decode()
    assert ProgressReport.objects.get(pk=report.pk).progress_text == "第一个标签页"


def test_saving_again_after_reopening_is_not_refused(report, people, client_for):
    url = reverse("supervision:report_fill", args=[report.pk])
    client = client_for(people.liaison)
    for text, percent in (("第一次保存", "20"), ("第二次保存", "25"), ("第三次保存", "30")):
        data = loaded(client, report)
        data.update(progress_text=text, percent=percent)
        assert client.post(url, data).status_code == 302
    saved = ProgressReport.objects.get(pk=report.pk)
    assert (saved.progress_text, saved.percent, saved.version) == ("第三次保存", 30, report.version + 3)


def test_a_refused_save_with_files_asks_for_them_again(report, people, colleague, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("supervision:report_fill", args=[report.pk])
    mine_client, theirs_client = client_for(people.liaison), client_for(colleague)
    mine, theirs = loaded(mine_client, report), loaded(theirs_client, report)
    theirs.update(progress_text="他人先保存", percent="30")
    assert theirs_client.post(url, theirs).status_code == 302
    mine.update(progress_text="带附件", percent="30")
    upload = SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = mine_client.post(url, {**mine, "files": upload})
    assert response.status_code == 200
    assert "您选择的佐证材料没有上传，保存时请重新选择。" in response.content.decode()
    assert not ProgressReport.objects.get(pk=report.pk).attachments.exists()


def test_save_and_submit_over_a_change_is_refused(report, people, client_for):
    """The unit head's 保存并提交审核 on a copy the liaison changed since: nothing is submitted."""
    url = reverse("supervision:report_fill", args=[report.pk])
    head, liaison = client_for(people.head), client_for(people.liaison)
    heads, liaisons = loaded(head, report), loaded(liaison, report)
    liaisons.update(progress_text="联络员补充的进展", percent="35")
    assert liaison.post(url, liaisons).status_code == 302
    heads.update(progress_text="负责人的版本", percent="30", submit="1")
    response = head.post(url, heads)
    assert response.status_code == 200 and "联络员补充的进展" in response.content.decode()
    saved = ProgressReport.objects.get(pk=report.pk)
    assert saved.status == ReportStatus.DRAFT and saved.progress_text == "联络员补充的进展"
    heads["version"] = str(saved.version)
    assert head.post(url, heads).status_code == 302
    saved.refresh_from_db()
    assert saved.status == ReportStatus.SUBMITTED and saved.progress_text == "负责人的版本"


def test_the_submit_button_sends_the_draft_it_showed(report, people, client_for):
    """The head's 提交 beside a draft on the item page, after the liaison changed the draft."""
    liaison, head = client_for(people.liaison), client_for(people.head)
    fill_url = reverse("supervision:report_fill", args=[report.pk])
    data = loaded(liaison, report)
    data.update(progress_text="初稿", percent="20")
    assert liaison.post(fill_url, data).status_code == 302
    page = head.get(reverse("supervision:item_detail", args=[report.item_id])).content.decode()
    shown = ProgressReport.objects.get(pk=report.pk).version
    assert f'name="version" value="{shown}"' in page
    data = loaded(liaison, report)
    data.update(progress_text="改过的稿", percent="25")
    assert liaison.post(fill_url, data).status_code == 302
    submit_url = reverse("supervision:report_submit", args=[report.pk])
    response = head.post(submit_url, {"version": str(shown)}, follow=True)
    assert response.redirect_chain[-1][0] == fill_url
    assert "报告在您查看之后又被修改过，没有提交。" in response.content.decode()
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    # Having read it, the head submits the current draft.
    response = head.post(submit_url, {"version": str(shown + 1)})
    assert response.status_code == 302
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
