"""纪要转事项 pages: who may use them, reading pasted and uploaded reports, the review form."""

import datetime
import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from duban.minutes import services
from duban.minutes.forms import ERR_BOTH, ERR_NOTHING, ERR_PASTE_NO_CHINESE, ERR_TYPE
from duban.minutes.models import DraftStatus, MinutesDraft
from duban.supervision.models import Item, ItemLog, Plan, PlanKind
from tests.minutes.test_services import START, TEXT, proposal

DENIED = ["leader", "head", "liaison", "staff", "outsider", "taskforce", "discipline", "norole"]


@pytest.fixture
def draft(people):
    return MinutesDraft.objects.create(
        title="江城航空学院召开教学工作推进会",
        original=TEXT,
        meeting_date=START,
        result=proposal(TEXT),
        created_by=people.office,
    )


@pytest.fixture
def plan(people):
    return Plan.objects.create(title="2026年校长办公会决定事项", kind=PlanKind.MEETING, year=2026)


def urls(draft):
    return [
        reverse("minutes:draft_list"),
        reverse("minutes:draft_new"),
        reverse("minutes:review", args=[draft.pk]),
    ]


def review_data(draft, plan, start=START, changes=None, action="create"):
    """The review form as the page would post it, with some rows changed."""
    rows = services.rows_from_draft(draft)
    data = {
        "row-TOTAL_FORMS": len(rows),
        "row-INITIAL_FORMS": len(rows),
        "row-MIN_NUM_FORMS": 0,
        "row-MAX_NUM_FORMS": 1000,
        "plan": plan.pk if plan else "",
        "start_date": start.isoformat() if start else "",
        action: "1",
    }
    for i, row in enumerate(rows):
        row.update((changes or {}).get(row["number"], {}))
        data.update(
            {
                f"row-{i}-number": row["number"],
                f"row-{i}-headline": row["headline"],
                f"row-{i}-text": row["text"],
                f"row-{i}-speaker": row["speaker"],
                f"row-{i}-deadline": row["deadline"] or "",
                f"row-{i}-lead_unit": row["lead_unit"] or "",
                f"row-{i}-co_units": row["co_units"],
            }
        )
        if row["keep"]:
            data[f"row-{i}-keep"] = "on"
        if row["merge"]:
            data[f"row-{i}-merge"] = "on"
    return data


# --- Permissions ------------------------------------------------------------------


def test_office_may_use_every_page(people, client_for, draft):
    client = client_for(people.office)
    for url in urls(draft):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", DENIED)
def test_others_are_refused(people, client_for, draft, plan, persona):
    client = client_for(getattr(people, persona))
    for url in urls(draft):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("minutes:draft_new"), {"text": TEXT}).status_code == 403
    response = client.post(reverse("minutes:review", args=[draft.pk]), review_data(draft, plan))
    assert response.status_code == 403
    assert MinutesDraft.objects.count() == 1
    assert not Item.objects.exists()


def test_anonymous_is_sent_to_login(client, draft, plan):
    for url in urls(draft):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post(reverse("minutes:review", args=[draft.pk]), review_data(draft, plan))
    assert response.status_code == 302
    assert not Item.objects.exists()


def test_navigation_entry_for_the_office_only(people, client_for):
    home = reverse("workbench:home")
    assert "纪要转事项" in client_for(people.office).get(home).content.decode()
    assert "纪要转事项" not in client_for(people.head).get(home).content.decode()


# --- Input --------------------------------------------------------------------------


def test_paste_creates_a_draft_and_shows_the_review(people, client_for):
    client = client_for(people.office)
    response = client.post(reverse("minutes:draft_new"), {"text": TEXT, "published": "2026-03-06"})
    draft = MinutesDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("minutes:review", args=[draft.pk])
    assert draft.published_on == datetime.date(2026, 3, 6)
    assert draft.title == "江城航空学院召开教学工作推进会"
    page = client.get(response["Location"]).content.decode()
    assert 'id="src-1"' in page and 'id="src-3"' in page
    assert 'class="mn-badge" aria-hidden="true">1</span>一要抓好课程建设' in page


def test_pasted_crlf_text_keeps_the_highlights_on_the_requirements(people, client_for):
    # Browsers submit textareas with CRLF line ends.
    client_for(people.office).post(reverse("minutes:draft_new"), {"text": TEXT.replace("\n", "\r\n")})
    draft = MinutesDraft.objects.get()
    assert "\r" not in draft.original
    spans = services.source_spans(draft)
    assert draft.original[slice(*spans[1])].startswith("一要抓好课程建设")
    assert draft.original[slice(*spans[2])].startswith("二要抓好实践教学")


def _upload(client, name, content, **extra):
    return client.post(reverse("minutes:draft_new"), {"upload": SimpleUploadedFile(name, content), **extra})


def test_upload_txt_in_utf8_and_gbk(people, client_for):
    client = client_for(people.office)
    assert _upload(client, "纪要.txt", TEXT.encode("utf-8")).status_code == 302
    assert _upload(client, "jiyao.txt", TEXT.encode("gb18030"), title="推进会").status_code == 302
    first, second = MinutesDraft.objects.order_by("id")
    assert first.original == TEXT and first.source_name == "纪要.txt"
    assert second.original == TEXT and second.title == "推进会"


def test_upload_docx(people, client_for):
    document = docx.Document()
    for paragraph in TEXT.split("\n"):
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    response = _upload(client_for(people.office), "纪要.docx", buffer.getvalue())
    assert response.status_code == 302
    draft = MinutesDraft.objects.get()
    assert "三要抓好考风考纪" in draft.original
    assert len(draft.proposed) == 3


@pytest.mark.parametrize(
    "data, message",
    [
        ({"text": "   \n  "}, ERR_NOTHING),
        ({}, ERR_NOTHING),
        ({"text": "Meeting notes: 1. do this 2. do that"}, ERR_PASTE_NO_CHINESE),
        ({"text": TEXT, "published": "2026-13-45"}, "日期格式应为 年-月-日"),
        ({"text": TEXT, "published": "去年"}, "日期格式应为 年-月-日"),
        ({"text": "学校召开会议，教务处汇报了工作。"}, services.ERR_NO_REQUIREMENTS),
    ],
)
def test_bad_pasted_input_is_explained(people, client_for, data, message):
    response = client_for(people.office).post(reverse("minutes:draft_new"), data)
    assert response.status_code == 200
    assert str(message) in response.content.decode()
    assert not MinutesDraft.objects.exists()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("a.txt", b"\x00\x01\x02\x03" * 100, "文件内容不是文本"),
        ("a.txt", b"\xff\xfe\x00\xd8" * 50, "文件"),
        ("a.txt", b"   \n", "文件为空"),
        ("a.txt", b"plain english only", "没有可识别的中文内容"),
        ("a.docx", b"PK\x03\x04 not really a zip", "无法读取 Word 文件"),
        ("a.pdf", b"%PDF-1.4 ...", str(ERR_TYPE)),
    ],
)
def test_bad_uploads_are_explained(people, client_for, name, content, message):
    response = _upload(client_for(people.office), name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MinutesDraft.objects.exists()


def test_paste_and_upload_together_is_refused(people, client_for):
    response = _upload(client_for(people.office), "a.txt", TEXT.encode(), text=TEXT)
    assert str(ERR_BOTH) in response.content.decode()
    assert not MinutesDraft.objects.exists()


# --- Review and create ---------------------------------------------------------------


def test_review_preselects_units_and_dates(people, client_for, draft, org, plan):
    page = client_for(people.office).get(reverse("minutes:review", args=[draft.pk])).content.decode()
    assert f'<option value="{org.academic.pk}" selected>' in page
    assert 'value="2026-06-30"' in page
    assert 'name="start_date" value="2026-03-05"' in page
    assert f'<option value="{plan.pk}" selected>' in page  # the only 会议决定事项 plan


def test_review_without_plans_offers_to_create_one(people, client_for, draft):
    page = client_for(people.office).get(reverse("minutes:review", args=[draft.pk])).content.decode()
    assert "先新建一个“会议决定事项”计划" in page
    assert reverse("supervision:plan_create") in page


def test_create_items_and_see_the_result(people, client_for, draft, plan, org):
    client = client_for(people.office)
    url = reverse("minutes:review", args=[draft.pk])
    response = client.post(url, review_data(draft, plan))
    assert response.status_code == 302
    items = list(Item.objects.filter(plan=plan).order_by("ordinal"))
    assert [i.title for i in items] == ["抓好课程建设", "抓好实践教学", "抓好考风考纪"]
    assert items[0].source_text.startswith("一要抓好课程建设")
    assert items[0].lead_unit == org.academic and list(items[0].co_units.all()) == [org.hr]
    assert ItemLog.objects.filter(item__in=items).count() == 3
    page = client.get(url).content.decode()
    assert "已创建 3 个督办事项。" in page
    for item in items:
        assert reverse("supervision:item_detail", args=[item.pk]) in page
    assert reverse("supervision:plan_detail", args=[plan.pk]) in page


def test_merge_drop_and_edit(people, client_for, draft, plan, org):
    changes = {
        1: {"headline": "修订课程大纲", "lead_unit": org.office.pk},
        2: {"keep": False},
        3: {"merge": True},
    }
    response = client_for(people.office).post(
        reverse("minutes:review", args=[draft.pk]), review_data(draft, plan, changes=changes)
    )
    assert response.status_code == 302
    (item,) = Item.objects.filter(plan=plan)
    assert item.title == "修订课程大纲"
    assert item.lead_unit == org.office
    assert set(item.co_units.all()) == {org.hr}  # 人事处 named by rows 1 and 3, once
    assert item.due_date == datetime.date(2026, 4, 30)
    assert "考风考纪" in item.description and "实践教学" not in item.description


def test_missing_lead_unit_is_shown_and_nothing_created(people, client_for, draft, plan):
    changes = {1: {"headline": "改过的名称"}, 2: {"lead_unit": None}}
    response = client_for(people.office).post(
        reverse("minutes:review", args=[draft.pk]), review_data(draft, plan, changes=changes)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "第 2 条“抓好实践教学”没有选择牵头单位。" in page
    assert 'value="改过的名称"' in page  # the clerk's input is kept
    assert not Item.objects.exists()
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFT


def test_deadline_before_start_is_shown(people, client_for, draft, plan):
    data = review_data(draft, plan, start=datetime.date(2026, 5, 1))
    page = client_for(people.office).post(reverse("minutes:review", args=[draft.pk]), data).content.decode()
    assert "第 3 条“抓好考风考纪”的完成时限 2026-04-30 早于开始日期 2026-05-01，请修改。" in page
    assert not Item.objects.exists()


def test_bad_row_date_and_missing_plan(people, client_for, draft, plan):
    client = client_for(people.office)
    url = reverse("minutes:review", args=[draft.pk])
    page = client.post(url, review_data(draft, plan, changes={2: {"deadline": "2026-02-30"}})).content.decode()
    assert "第 2 条 完成时限：日期格式应为 年-月-日" in page
    page = client.post(url, review_data(draft, None)).content.decode()
    assert services.ERR_NO_PLAN in page
    assert not Item.objects.exists()


def test_created_exactly_once(people, client_for, draft, plan):
    client = client_for(people.office)
    url = reverse("minutes:review", args=[draft.pk])
    data = review_data(draft, plan)
    assert client.post(url, data).status_code == 302
    response = client.post(url, data, follow=True)
    assert services.ERR_ALREADY_CREATED in response.content.decode()
    assert Item.objects.count() == 3


def test_save_keeps_edits_without_creating(people, client_for, draft, plan, org):
    client = client_for(people.office)
    url = reverse("minutes:review", args=[draft.pk])
    data = review_data(draft, plan, changes={3: {"lead_unit": org.party.pk, "headline": "严肃考风考纪"}}, action="save")
    assert client.post(url, data).status_code == 302
    assert not Item.objects.exists()
    page = client.get(url).content.decode()
    assert 'value="严肃考风考纪"' in page
    assert f'<option value="{org.party.pk}" selected>' in page


def test_list_shows_drafts_with_status(people, client_for, draft, plan):
    client = client_for(people.office)
    page = client.get(reverse("minutes:draft_list")).content.decode()
    assert "江城航空学院召开教学工作推进会" in page and "待确认" in page
    client.post(reverse("minutes:review", args=[draft.pk]), review_data(draft, plan))
    page = client.get(reverse("minutes:draft_list") + "?status=created").content.decode()
    assert "已创建 3 项" in page
    page = client.get(reverse("minutes:draft_list") + "?status=draft").content.decode()
    assert "江城航空学院召开教学工作推进会" not in page
