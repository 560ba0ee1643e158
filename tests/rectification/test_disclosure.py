"""向职工公开: what staff and the public page show (and never show), the office's settings,
and who may open which page."""

import datetime
import re
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duban.org.models import Person
from duban.rectification.models import ClosureStatus, Finding, RectificationPlan, Source
from duban.rectification.selectors.disclosure import disclosure_for, names_mentioned
from duban.rectification.services import Refused
from duban.rectification.services.closure import closure_approve, closure_request, closure_review
from duban.rectification.services.disclosure import (
    ERR_FOREIGN_FINDING,
    ERR_PUBLIC_NEEDS_DISCLOSED,
    ERR_SUMMARY_NAME,
    disclosure_save,
)
from duban.rectification.services.findings import finding_save
from duban.rectification.services.plans import rectification_plan_save
from duban.supervision.models import Plan
from tests.rectification.conftest import FROZEN, pdf

pytestmark = pytest.mark.django_db

WITHHELD_DESCRIPTION = "内部问题：某处长违规报销差旅费"
WITHHELD_SUMMARY = "差旅费报销问题"
WITHHELD_CATEGORY = "财务纪律"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


def close(measure, person, evidence, people, today):
    request = closure_request(acting_user=person, measure=measure, statement="已完成", evidence=evidence)
    if request.status == ClosureStatus.PENDING_REVIEW:
        closure_review(acting_user=people.taskforce, closure=request, remark="材料齐全")
    return closure_approve(acting_user=people.office, closure=request, remark="同意销号", today=today)


@pytest.fixture
def story(rect, people):
    """The `rect` plan disclosed to staff and on a public page, finding 2 closed through
    review and approval (so approvers exist), and a third finding withheld."""
    close(rect.at_once, people.outsider, {"statement": "已纠正"}, people, rect.today)
    close(rect.ongoing, people.liaison, {"mechanism": "已建立全程纪实制度", "proof": pdf()}, people, rect.today)
    rect.withheld = finding_save(
        acting_user=people.office,
        finding=Finding(
            plan=rect.plan,
            category=WITHHELD_CATEGORY,
            description=WITHHELD_DESCRIPTION,
            public_summary=WITHHELD_SUMMARY,
            disclosed=False,
            internal_note="仅限内部",
        ),
    )
    rect.profile.disclosed = True
    rect.profile.public_page = True
    disclosure_save(acting_user=people.office, profile=rect.profile)
    rect.f2.refresh_from_db()
    assert rect.f2.closed_on == rect.today
    return rect


def all_names():
    return list(Person.objects.values_list("name", flat=True))


def main_of(html: str) -> str:
    """The page content (without the top bar, which names the signed-in user)."""
    match = re.search(r'<main class="db-content"[^>]*>(.*)</main>', html, re.S)
    return match.group(1) if match else html


def assert_nothing_withheld(html, rect, *, viewer=None):
    # 1. No person's name anywhere in the content; in the whole page, only the viewer's own.
    for name in all_names():
        assert name not in main_of(html), name
        if viewer is None or name != viewer.name:
            assert name not in html, name
    # 2. No description, internal note, measure title or withheld finding.
    for finding in Finding.objects.all():
        assert finding.description not in html
        if finding.internal_note:
            assert finding.internal_note not in html
    for measure in (rect.deadline, rect.rule, rect.at_once, rect.ongoing):
        assert measure.item.title not in html
    assert WITHHELD_SUMMARY not in html and WITHHELD_CATEGORY not in html


# --- What the pages show and never show ------------------------------------------------


def test_staff_page_shows_progress_and_no_names(story, people, client_for):
    response = client_for(people.staff).get(reverse("rectification:disclosure_page", args=[story.plan.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert_nothing_withheld(html, story, viewer=people.staff)
    assert "部分党支部组织生活会不够规范" in html and "干部选拔任用程序需进一步规范" in html
    assert "已销号" in html and "整改中" in html
    assert "2/2" in html and "0/2" in html
    assert "50%" in html  # 2 of 4 measures closed
    assert "教务处" in html and "人事处" in html  # units are shown (show_units)
    assert "2026年11月" in html and 'id="rd-monthly-data"' in html
    assert 'id="feedback"' in html and "提交意见" in html


def test_public_page_without_login_shows_the_same_and_no_feedback(story):
    response = Client().get(reverse("rectification:public_page", args=[story.profile.public_token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert_nothing_withheld(html, story)
    assert "部分党支部组织生活会不够规范" in html and "50%" in html
    assert "提交意见" not in html and "csrfmiddlewaretoken" not in html
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert "csrftoken" not in response.cookies and "sessionid" not in response.cookies


def test_empty_summary_shows_the_category_only(story, people, client_for):
    Finding.objects.filter(pk=story.f1.pk).update(public_summary="")
    html = client_for(people.staff).get(reverse("rectification:disclosure_page", args=[story.plan.pk])).content
    html = html.decode()
    assert "基层党建" in html and "部分党支部组织生活会不够规范" not in html


def test_a_summary_naming_a_person_is_never_shown(story, people, client_for):
    # Written around the service (e.g. by an import): the selector still withholds it.
    Finding.objects.filter(pk=story.f1.pk).update(public_summary="钱联络所在支部已整改")
    data = disclosure_for(plan_pk=story.plan.pk)
    assert data.findings[0].summary == "" and data.findings[0].category == "基层党建"
    html = client_for(people.staff).get(reverse("rectification:disclosure_page", args=[story.plan.pk])).content
    assert "钱联络" not in main_of(html.decode())


def test_a_name_saved_with_blanks_is_stored_stripped_and_still_withheld(story, people):
    """Names are stored without blanks at either end (Person.save), so the page looks them
    up exactly; a name pasted with an ideographic space is withheld all the same."""
    person = Person.objects.create(username="blank", name="\u3000欧阳明 \t")
    assert Person.objects.get(pk=person.pk).name == "欧阳明"
    assert names_mentioned(["欧阳明同志所在支部已整改", "无关"]) == ["欧阳明"]
    Finding.objects.filter(pk=story.f1.pk).update(public_summary="欧阳明同志所在支部已整改")
    assert disclosure_for(plan_pk=story.plan.pk).findings[0].summary == ""


def test_every_length_a_name_has_is_looked_up(story):
    """The lengths are found by stepping through an index, one length from the last: a long
    or a rare length is not skipped, one-character names are left out, and a name of a new
    length is withheld at once."""
    from duban.rectification.selectors.disclosure import name_lengths

    for n, name in enumerate(["王", "司马相如", "阿卜杜热合曼·买买提"]):
        Person.objects.create(username=f"len{n}", name=name)
    lengths = name_lengths()
    assert {4, 10} <= lengths and 1 not in lengths
    assert lengths == {len(n) for n in Person.objects.values_list("name", flat=True) if len(n) >= 2}
    assert names_mentioned(["阿卜杜热合曼·买买提同志已整改"]) == ["阿卜杜热合曼·买买提"]


def test_names_strip_migration_strips_stored_names(story):
    """Names written before Person.save stripped them are stripped by org 0003."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("duban.org.migrations.0003_person_name")
    Person.objects.filter(username="blank").delete()
    person = Person.objects.create(username="blank", name="x")
    Person.objects.filter(pk=person.pk).update(name=" 司马光\u3000")  # as stored before
    editor = SimpleNamespace(connection=connection, execute=lambda sql: connection.cursor().execute(sql))
    migration.names_strip(apps, editor)
    assert Person.objects.get(pk=person.pk).name == "司马光"


def test_switches_hide_parts(story, people, client_for):
    RectificationPlan.objects.filter(pk=story.plan.pk).update(
        show_units=False, show_monthly=False, show_percent=False, show_counts=False
    )
    html = client_for(people.staff).get(reverse("rectification:disclosure_page", args=[story.plan.pk])).content
    html = main_of(html.decode())
    assert "教务处" not in html and "人事处" not in html
    assert "rd-monthly-data" not in html and "销号率" not in html
    assert "部分党支部组织生活会不够规范" in html
    RectificationPlan.objects.filter(pk=story.plan.pk).update(show_findings=False)
    html = client_for(people.staff).get(reverse("rectification:disclosure_page", args=[story.plan.pk])).content
    assert "部分党支部组织生活会不够规范" not in html.decode()
    assert "督查办暂未公开具体内容" in html.decode()


def test_withheld_finding_is_not_counted(story):
    data = disclosure_for(plan_pk=story.plan.pk)
    assert data.findings_total == 2 and data.findings_closed == 1
    assert (data.measures_total, data.measures_closed, data.percent) == (4, 2, 50)
    assert [f.number for f in data.findings] == [1, 2]
    assert data.monthly[0]["count"] == 2


def test_closed_measures_are_counted_by_month(story):
    """Measures closed on different days of a month count in that month; months in order."""
    from duban.rectification.models import Measure

    closed = Measure.objects.filter(finding__plan=story.plan, closure="closed").order_by("pk")
    first, second = closed
    Measure.objects.filter(pk=first.pk).update(closed_on=datetime.date(2026, 10, 31))
    Measure.objects.filter(pk=second.pk).update(closed_on=datetime.date(2026, 11, 1))
    assert [(m["month"], m["label"], m["count"]) for m in disclosure_for(plan_pk=story.plan.pk).monthly] == [
        (datetime.date(2026, 10, 1), "2026年10月", 1),
        (datetime.date(2026, 11, 1), "2026年11月", 1),
    ]
    Measure.objects.filter(pk=first.pk).update(closed_on=datetime.date(2026, 11, 30))
    assert [(m["label"], m["count"]) for m in disclosure_for(plan_pk=story.plan.pk).monthly] == [("2026年11月", 2)]


# --- The public page exists only when switched on --------------------------------------


def test_public_page_is_404_when_off_or_wrong_token(story):
    url = reverse("rectification:public_page", args=[story.profile.public_token])
    assert Client().get(reverse("rectification:public_page", args=["not-the-token"])).status_code == 404
    RectificationPlan.objects.filter(pk=story.plan.pk).update(public_page=False)
    assert Client().get(url).status_code == 404
    RectificationPlan.objects.filter(pk=story.plan.pk).update(public_page=True, disclosed=False)
    assert Client().get(url).status_code == 404


def test_public_page_off_by_default(rect):
    url = reverse("rectification:public_page", args=[rect.profile.public_token])
    assert Client().get(url).status_code == 404


# --- Settings --------------------------------------------------------------------------


def settings_post(rect, **changes):
    data = {
        "disclosed": "on",
        "show_counts": "on",
        "show_percent": "on",
        "show_findings": "on",
        "show_units": "on",
        "show_monthly": "on",
        "feedback_open": "on",
        "feedback_anonymous": "on",
        "feedback_daily_limit": "5",
        f"disclosed-{rect.f1.pk}": "on",
        f"summary-{rect.f1.pk}": "部分党支部组织生活会不够规范",
        f"summary-{rect.f2.pk}": "选人用人程序问题",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_office_saves_settings_and_per_finding_choices(rect, people, client_for):
    client = client_for(people.office)
    url = reverse("rectification:disclosure_settings", args=[rect.plan.pk])
    page = client.get(url)
    assert page.status_code == 200 and "个别党支部组织生活会" in page.content.decode()
    response = client.post(url, settings_post(rect, public_page="on"))
    assert response.status_code == 302
    rect.profile.refresh_from_db()
    rect.f2.refresh_from_db()
    assert rect.profile.disclosed and rect.profile.public_page
    assert not rect.f2.disclosed and rect.f2.public_summary == "选人用人程序问题"
    assert rect.f2.version == 2
    html = client.get(url).content.decode()
    assert reverse("rectification:public_page", args=[rect.profile.public_token]) in html


def test_summary_with_a_name_is_refused_and_nothing_saved(rect, people, client_for):
    url = reverse("rectification:disclosure_settings", args=[rect.plan.pk])
    response = client_for(people.office).post(url, settings_post(rect, **{f"summary-{rect.f2.pk}": "郑外单位负责"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert ERR_SUMMARY_NAME.format(where="问题2的", name="郑外单位") in html
    assert 'value="郑外单位负责"' in html  # the input is kept
    rect.profile.refresh_from_db()
    rect.f2.refresh_from_db()
    assert not rect.profile.disclosed and rect.f2.public_summary == "干部选拔任用程序需进一步规范"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"public_page": "on", "disclosed": None}, "开放免登录公开页前，请先勾选“向职工公开”。"),
        ({"feedback_daily_limit": "0"}, "每人每天意见上限至少为 1 条。"),
        ({"feedback_daily_limit": "abc"}, "每人每天意见上限应为整数。"),
    ],
)
def test_bad_settings_are_refused(rect, people, client_for, changes, message):
    url = reverse("rectification:disclosure_settings", args=[rect.plan.pk])
    response = client_for(people.office).post(url, settings_post(rect, **changes))
    assert response.status_code == 200 and message in response.content.decode()
    rect.profile.refresh_from_db()
    assert not rect.profile.disclosed and not rect.profile.public_page


def test_service_guards(rect, people, org):
    with pytest.raises(PermissionDenied):
        disclosure_save(acting_user=people.head, profile=rect.profile)
    rect.profile.public_page = True
    with pytest.raises(Refused, match=ERR_PUBLIC_NEEDS_DISCLOSED):
        disclosure_save(acting_user=people.office, profile=rect.profile)
    other = rectification_plan_save(
        acting_user=people.office,
        plan=Plan(title="审计整改", year=2026, owner_unit=org.office, start_date=datetime.date(2026, 9, 1)),
        profile=RectificationPlan(source=Source.AUDIT),
    )
    stray = finding_save(acting_user=people.office, finding=Finding(plan=other.plan, category="x", description="y"))
    rect.profile.public_page = False
    with pytest.raises(Refused, match=ERR_FOREIGN_FINDING):
        disclosure_save(acting_user=people.office, profile=rect.profile, findings={stray.pk: (True, "")})


# --- Permissions per persona ------------------------------------------------------------

BUSINESS = ["leader", "office", "head", "liaison", "taskforce", "discipline", "staff", "outsider"]
NO_DISCLOSURE = ["sys_admin", "sec_admin", "audit_admin", "norole"]


@pytest.mark.parametrize("persona", BUSINESS + NO_DISCLOSURE)
def test_disclosure_index_and_page_per_persona(story, people, client_for, persona):
    client = client_for(getattr(people, persona))
    index = client.get(reverse("rectification:disclosure_index"))
    page = client.get(reverse("rectification:disclosure_page", args=[story.plan.pk]))
    expected = 200 if persona in BUSINESS else 403
    assert (index.status_code, page.status_code) == (expected, expected)
    if expected == 200:
        assert story.plan.title in index.content.decode()


@pytest.mark.parametrize("persona", BUSINESS + NO_DISCLOSURE)
def test_settings_only_for_the_office(rect, people, client_for, persona):
    response = client_for(getattr(people, persona)).get(
        reverse("rectification:disclosure_settings", args=[rect.plan.pk])
    )
    assert response.status_code == (200 if persona == "office" else 403)


def test_anonymous_is_sent_to_login(rect):
    for url in (
        reverse("rectification:disclosure_index"),
        reverse("rectification:disclosure_page", args=[rect.plan.pk]),
        reverse("rectification:disclosure_settings", args=[rect.plan.pk]),
    ):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_undisclosed_plan_is_404_for_staff_and_a_preview_for_the_office(rect, people, client_for):
    url = reverse("rectification:disclosure_page", args=[rect.plan.pk])
    assert client_for(people.staff).get(url).status_code == 404
    assert (
        rect.plan.title not in client_for(people.staff).get(reverse("rectification:disclosure_index")).content.decode()
    )
    preview = client_for(people.office).get(url)
    assert preview.status_code == 200 and "预览" in preview.content.decode()
    assert "提交意见" not in preview.content.decode()


def test_settings_404_for_a_plan_that_is_not_a_rectification_plan(people, client_for):
    assert client_for(people.office).get(reverse("rectification:disclosure_settings", args=[99999])).status_code == 404
    assert client_for(people.staff).get(reverse("rectification:disclosure_page", args=[99999])).status_code == 404


# --- Query counts ------------------------------------------------------------------------


def make_plans(people, org, n):
    for i in range(n):
        profile = rectification_plan_save(
            acting_user=people.office,
            plan=Plan(title=f"整改方案{i}", year=2026, owner_unit=org.office, start_date=datetime.date(2026, 9, 1)),
            profile=RectificationPlan(source=Source.AUDIT, disclosed=True),
        )
        finding_save(acting_user=people.office, finding=Finding(plan=profile.plan, category="类", description="述"))


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_index_query_count_is_flat(people, org, client_for):
    client = client_for(people.staff)
    url = reverse("rectification:disclosure_index")
    make_plans(people, org, 2)
    few = count_queries(client, url)
    make_plans(people, org, 8)
    assert count_queries(client, url) == few


def test_page_query_count_is_flat(rect, people, client_for):
    client = client_for(people.staff)
    disclosure_save(acting_user=people.office, profile=_disclosed(rect.profile))
    url = reverse("rectification:disclosure_page", args=[rect.plan.pk])
    few = count_queries(client, url)
    for i in range(8):
        finding_save(
            acting_user=people.office,
            finding=Finding(plan=rect.plan, category=f"类{i}", description="述", public_summary=f"摘要{i}"),
        )
    assert count_queries(client, url) == few


def _disclosed(profile):
    profile.disclosed = True
    return profile


def test_the_page_lists_findings_a_page_at_a_time_and_counts_all(rect, people, client_for):
    from duban.rectification.selectors.disclosure import PAGE_SIZE

    disclosure_save(acting_user=people.office, profile=_disclosed(rect.profile))
    for i in range(PAGE_SIZE):
        finding_save(
            acting_user=people.office,
            finding=Finding(plan=rect.plan, category=f"类{i}", description="述", public_summary=f"摘要{i}"),
        )
    Finding.objects.filter(plan=rect.plan, category="类3").update(public_summary="钱联络所在支部已整改")
    client = client_for(people.staff)
    url = reverse("rectification:disclosure_page", args=[rect.plan.pk])
    first = client.get(url).context["d"]
    total = Finding.objects.filter(plan=rect.plan, disclosed=True).count()
    assert first.findings_total == total > PAGE_SIZE and len(first.findings) == PAGE_SIZE
    second = client.get(url, {"page": 2})
    assert [f.number for f in second.context["d"].findings] == list(range(PAGE_SIZE + 1, total + 1))
    assert "第 2 / 2 页" in second.content.decode()
    named = next(f for d in (first, second.context["d"]) for f in d.findings if f.category == "类3")
    assert named.summary == ""  # still withheld on whichever page it falls
    # The API reads every finding at once.
    assert len(disclosure_for(plan_pk=rect.plan.pk).findings) == total
