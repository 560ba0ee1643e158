"""回头看 pages: who may see and do what, the forms and their errors, the filters and the
report; the round page's queries stay constant as the ledger grows."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duban.rectification.models import (
    FOUR_LOOKS,
    ClosureState,
    Finding,
    LookbackReview,
    LookbackRound,
    LookbackTemplate,
    MeasureType,
    Relapse,
    ReviewVerdict,
    RoundState,
)
from duban.rectification.services import lookback as services
from duban.rectification.services.closure import closure_approve, closure_request
from duban.rectification.services.findings import finding_save, measure_save
from duban.supervision.models import Item
from tests.rectification.conftest import FROZEN
from tests.rectification.test_lookback import other_plan_measure

pytestmark = pytest.mark.django_db

READERS = ["office", "leader", "head", "liaison", "taskforce", "discipline", "outsider"]
REFUSED = ["staff", "norole", "sys_admin", "sec_admin", "audit_admin"]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def round(rect, people):
    return services.round_open(acting_user=people.office, plan=rect.plan)


def url(name, *args):
    return reverse(f"rectification:{name}", args=args)


def all_yes(round):
    return {f"point_{p['key']}": "yes" for p in round.checklist}


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def close_at_once(rect, people):
    request = closure_request(
        acting_user=people.outsider, measure=rect.at_once, statement="已纠正", evidence={"statement": "已纠正"}
    )
    closure_approve(acting_user=people.office, closure=request)


# --- Permissions ---------------------------------------------------------------------------


def page_urls(rect, round):
    return {
        "round_list": url("round_list", rect.plan.pk),
        "round_detail": url("round_detail", round.pk),
        "round_report": url("round_report", round.pk),
        "round_review": url("round_review", round.pk, rect.deadline.pk),
        "round_open": url("round_open", rect.plan.pk),
        "round_checklist": url("round_checklist", round.pk),
        "round_finding": url("round_finding", round.pk),
        "round_close": url("round_close", round.pk),
        "template_list": url("template_list"),
    }


OFFICE_ONLY = {"round_open", "round_checklist", "round_finding", "round_close", "template_list"}


def test_anonymous_is_sent_to_login(client, rect, round):
    for name, address in page_urls(rect, round).items():
        response = client.get(address)
        assert response.status_code == 302 and "/login" in response["Location"], name


@pytest.mark.parametrize("who", REFUSED)
def test_people_without_the_ledger_are_refused(rect, round, people, client_for, who):
    client = client_for(getattr(people, who))
    for name, address in page_urls(rect, round).items():
        assert client.get(address).status_code == 403, name


@pytest.mark.parametrize("who", READERS)
def test_ledger_readers_see_the_pages_and_only_the_office_writes(rect, round, people, client_for, who):
    client = client_for(getattr(people, who))
    for name, address in page_urls(rect, round).items():
        status = client.get(address).status_code
        if name in OFFICE_ONLY:
            assert status == (200 if who == "office" else 403), name
        elif name == "round_review":
            # 教务处's measure: hidden from 人事处's head.
            assert status == (404 if who == "outsider" else 200), name
        else:
            assert status == 200, name
    if who != "office":
        assert client.post(url("round_open", rect.plan.pk), {"points": "x"}).status_code == 403
        assert client.post(url("round_close", round.pk), {"summary": "x"}).status_code == 403
        assert client.post(url("template_list"), {"name": "x", "points": "y"}).status_code == 403
        round.refresh_from_db()
        assert round.state == RoundState.OPEN and not LookbackTemplate.objects.exists()


def test_unknown_objects_are_404(rect, round, people, client_for):
    client = client_for(people.office)
    start = datetime.date(2026, 9, 1)
    plain = Item.objects.create(plan=rect.plan, title="x", lead_unit=rect.deadline.item.lead_unit, start_date=start)
    assert client.get(url("round_detail", 9999)).status_code == 404
    assert client.get(url("round_list", 9999)).status_code == 404
    assert client.get(url("round_review", round.pk, plain.pk)).status_code == 404


def test_a_measure_of_another_plan_cannot_be_reviewed_through_the_round(rect, org, round, people, client_for):
    other = other_plan_measure(org, people)
    client = client_for(people.office)
    assert client.get(url("round_review", round.pk, other.pk)).status_code == 404
    response = client.post(url("round_review", round.pk, other.pk), {**all_yes(round), "verdict": "holds"})
    assert response.status_code == 404 and not LookbackReview.objects.exists()


def test_who_may_review_which_measure(rect, round, people, client_for):
    # 钱联络 sees 教务处's measure but only looks: no form, and a POST is refused.
    response = client_for(people.liaison).get(url("round_review", round.pk, rect.deadline.pk))
    assert response.status_code == 200 and response.context["form"] is None
    response = client_for(people.liaison).post(
        url("round_review", round.pk, rect.deadline.pk), {**all_yes(round), "verdict": "holds"}
    )
    assert response.status_code == 403
    # 郑外单位 sees 人事处's measure, cannot review it; 孙专班's group does not cover 人事处.
    assert client_for(people.outsider).get(url("round_review", round.pk, rect.at_once.pk)).context["form"] is None
    assert client_for(people.taskforce).get(url("round_review", round.pk, rect.at_once.pk)).status_code == 404
    # 周纪检 may review anything.
    response = client_for(people.discipline).post(
        url("round_review", round.pk, rect.at_once.pk), {**all_yes(round), "verdict": "progressing"}
    )
    assert response.status_code == 302
    assert LookbackReview.objects.get().reviewer == people.discipline


# --- List and opening -----------------------------------------------------------------------


def test_round_list_shows_rounds_and_the_open_button(rect, people, client_for):
    client = client_for(people.office)
    response = client.get(url("round_list", rect.plan.pk))
    assert "还没有开展过回头看" in text(response)
    assert url("round_open", rect.plan.pk) in text(response)
    round = services.round_open(acting_user=people.office, plan=rect.plan)
    services.review_save(
        acting_user=people.office,
        round=round,
        measure=rect.rule,
        answers={p["key"]: "yes" for p in round.checklist},
        verdict=ReviewVerdict.PROGRESSING,
    )
    page = text(client.get(url("round_list", rect.plan.pk)))
    assert "第1轮整改落实“回头看”" in page and "进行中" in page and "1 / 4" in page
    assert "进入进行中的一轮" in page
    assert "开展回头看" not in text(client_for(people.taskforce).get(url("round_list", rect.plan.pk)))


def test_open_form_prefills_the_four_looks_and_opens(rect, people, client_for):
    client = client_for(people.office)
    response = client.get(url("round_open", rect.plan.pk))
    assert response.context["form"]["points"].value() == "\n".join(p["label"] for p in FOUR_LOOKS)
    response = client.post(url("round_open", rect.plan.pk), {"title": "秋季回头看", "points": "一看落实\n\n二看成效\n"})
    round = LookbackRound.objects.get()
    assert response.status_code == 302 and response["Location"] == url("round_detail", round.pk)
    assert round.title == "秋季回头看" and [p["label"] for p in round.checklist] == ["一看落实", "二看成效"]
    # A second one while this is open: the refusal is shown on the form.
    response = client.post(url("round_open", rect.plan.pk), {"points": "x"})
    assert response.status_code == 200 and services.ERR_ROUND_OPEN in text(response)
    assert LookbackRound.objects.count() == 1


def test_open_from_a_template_or_refuse_empty_points(rect, people, client_for):
    client = client_for(people.office)
    response = client.post(url("round_open", rect.plan.pk), {"title": "", "points": "  "})
    assert response.status_code == 200 and "检查要点至少需要一条" in text(response)
    template = LookbackTemplate.objects.create(name="三查", points=[{"key": "p1", "label": "查长效"}])
    client.post(url("round_open", rect.plan.pk), {"template": template.pk, "points": ""})
    assert LookbackRound.objects.get().checklist == [{"key": "p1", "label": "查长效"}]


# --- Round page -----------------------------------------------------------------------------


def test_round_page_groups_measures_by_finding_with_state_then_and_now(rect, round, people, client_for):
    close_at_once(rect, people)
    response = client_for(people.office).get(url("round_detail", round.pk))
    groups = response.context["groups"]
    assert [f.pk for f, _ in groups] == [rect.f1.pk, rect.f2.pk]
    rows = {row.measure.pk: row for _, rs in groups for row in rs}
    assert rows[rect.at_once.pk].before == ClosureState.OPEN
    assert rows[rect.at_once.pk].measure.closure == ClosureState.CLOSED and rows[rect.at_once.pk].changed
    assert all(row.can_review for row in rows.values())
    page = text(response)
    assert "一看理想信念是否更加坚定" in page and "0 / 4" in page
    assert url("round_review", round.pk, rect.deadline.pk) in page
    assert url("measure_detail", rect.deadline.pk) in page
    assert url("round_checklist", round.pk) in page


def test_round_page_filters(rect, org, round, people, client_for):
    services.review_save(
        acting_user=people.office,
        round=round,
        measure=rect.deadline,
        answers={p["key"]: "yes" for p in round.checklist},
        verdict=ReviewVerdict.HOLDS,
    )
    client = client_for(people.office)

    def shown(**query):
        response = client.get(url("round_detail", round.pk), query)
        return {row.measure.pk for _, rows in response.context["groups"] for row in rows}

    assert shown() == {rect.deadline.pk, rect.rule.pk, rect.at_once.pk, rect.ongoing.pk}
    assert shown(unit=org.hr.pk) == {rect.at_once.pk}
    assert shown(reviewed="yes") == {rect.deadline.pk}
    assert shown(reviewed="no") == {rect.rule.pk, rect.at_once.pk, rect.ongoing.pk}
    assert shown(verdict="holds") == {rect.deadline.pk}
    assert shown(verdict="lagging") == set()
    assert "没有符合筛选条件的整改措施" in text(client.get(url("round_detail", round.pk), {"verdict": "lagging"}))
    assert shown(verdict="bogus", reviewed="bogus", unit="x") == shown()


def test_liaison_group_member_defaults_to_their_units(rect, round, people, client_for):
    client = client_for(people.taskforce)
    response = client.get(url("round_detail", round.pk))
    assert response.context["filters"]["unit"] == "mine"
    units = {row.measure.item.lead_unit.name for _, rows in response.context["groups"] for row in rows}
    assert units == {"教务处"}
    assert "我联系的单位" in text(response)
    assert client.get(url("round_detail", round.pk), {"unit": "all"}).context["filters"]["unit"] == ""
    # Others start from every unit they may see.
    response = client_for(people.discipline).get(url("round_detail", round.pk))
    assert response.context["filters"]["unit"] == "" and response.context["shown"] == 4


def test_round_page_queries_stay_constant(rect, org, round, people, client_for):
    client = client_for(people.office)

    def add_measures(n):
        finding = finding_save(
            acting_user=people.office, finding=Finding(plan=rect.plan, category="作风", description="新问题")
        )
        for i in range(n):
            item = Item(title=f"措施{i}", lead_unit=org.academic, start_date=datetime.date(2026, 9, 1))
            item.due_date = datetime.date(2026, 12, 31)
            measure = measure_save(
                acting_user=people.office, finding=finding, item=item, measure_type=MeasureType.DEADLINE
            )
            services.review_save(
                acting_user=people.office,
                round=round,
                measure=measure,
                answers={p["key"]: "yes" for p in round.checklist},
                verdict=ReviewVerdict.HOLDS,
            )

    def count():
        client.get(url("round_detail", round.pk))  # warm caches (session, site settings)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("round_detail", round.pk)).status_code == 200
        return len(queries)

    add_measures(2)
    small = count()
    add_measures(10)
    assert count() == small


# --- Checklist -------------------------------------------------------------------------------


def test_checklist_edit_before_the_first_review_only(rect, round, people, client_for):
    client = client_for(people.office)
    response = client.post(url("round_checklist", round.pk), {"points": " "})
    assert response.status_code == 200 and "检查要点至少需要一条" in text(response)
    response = client.post(url("round_checklist", round.pk), {"points": "看落实\n看成效"})
    assert response.status_code == 302
    round.refresh_from_db()
    assert [p["label"] for p in round.checklist] == ["看落实", "看成效"]
    client.post(url("round_review", round.pk, rect.rule.pk), {**all_yes(round), "verdict": "progressing"})
    response = client.get(url("round_checklist", round.pk), follow=True)
    assert services.ERR_REVIEWS_EXIST in text(response)
    response = client.post(url("round_checklist", round.pk), {"points": "改不了"}, follow=True)
    round.refresh_from_db()
    assert [p["label"] for p in round.checklist] == ["看落实", "看成效"]
    assert url("round_checklist", round.pk) not in text(client.get(url("round_detail", round.pk)))


# --- Review form --------------------------------------------------------------------------------


def test_review_form_records_and_revises(rect, round, people, client_for):
    client = client_for(people.taskforce)
    address = url("round_review", round.pk, rect.deadline.pk)
    page = text(client.get(address))
    for point in FOUR_LOOKS:
        assert point["label"] in page
    assert "最近一期进展报告" in page and "反弹记录" in page and "整改中" in page
    data = {**all_yes(round), "point_problems": "partly", "verdict": "lagging", "remarks": "台账不全"}
    response = client.post(address, data)
    assert response.status_code == 302 and response["Location"].endswith(f"#m{rect.deadline.pk}")
    review = LookbackReview.objects.get()
    assert review.answers["problems"] == "partly" and review.verdict == ReviewVerdict.LAGGING
    # Revising shows the saved answers and updates the same row.
    form = client.get(address).context["form"]
    assert form.initial["point_problems"] == "partly" and form.initial["remarks"] == "台账不全"
    client.post(address, {**all_yes(round), "verdict": "progressing"})
    assert LookbackReview.objects.get().verdict == ReviewVerdict.PROGRESSING


def test_review_form_errors_keep_the_input(rect, round, people, client_for):
    client = client_for(people.office)
    address = url("round_review", round.pk, rect.deadline.pk)
    response = client.post(address, {"point_belief": "yes", "verdict": "holds", "remarks": "保留"})
    page = text(response)
    assert response.status_code == 200 and "请选择是、部分或否" in page and "保留" in page
    response = client.post(address, {**all_yes(round), "verdict": "relapsed", "remarks": "反弹了"})
    assert response.status_code == 200 and services.ERR_RELAPSE_OPEN in text(response)
    assert not LookbackReview.objects.exists()


def test_relapse_through_the_form_reopens_the_measure(rect, round, people, client_for):
    close_at_once(rect, people)
    client = client_for(people.office)
    address = url("round_review", round.pk, rect.at_once.pk)
    response = client.post(address, {**all_yes(round), "verdict": "relapsed", "remarks": ""})
    assert services.ERR_RELAPSE_REMARKS in text(response)
    response = client.post(address, {**all_yes(round), "verdict": "relapsed", "remarks": "又出现了"}, follow=True)
    assert "已重新打开整改" in text(response)
    rect.at_once.refresh_from_db()
    assert rect.at_once.closure == ClosureState.OPEN and Relapse.objects.count() == 1
    assert "又出现了" in text(client.get(address))


# --- New findings ---------------------------------------------------------------------------------


def test_finding_form_adds_to_the_ledger_and_links_to_measures(rect, org, round, people, client_for):
    client = client_for(people.office)
    response = client.post(url("round_finding", round.pk), {"category": "", "description": "", "severity": "general"})
    assert response.status_code == 200 and "请修改以下问题" in text(response)
    data = {
        "reference": "第1轮回头看",
        "category": "作风建设",
        "severity": "serious",
        "description": "会议记录代签",
        "units": [org.academic.pk, org.branch.pk],
        "public_summary": "会议记录需规范",
    }
    response = client.post(url("round_finding", round.pk), data, follow=True)
    finding = Finding.objects.get(origin_round=round)
    assert finding.ordinal == 3 and set(finding.units.all()) == {org.academic, org.branch}
    page = text(response)
    assert url("measure_create", finding.pk) in page and "已纳入台账" in page
    assert url("measure_create", finding.pk) in text(client.get(url("round_detail", round.pk)))
    # In the ledger, tagged as found by the round and linked to it.
    ledger = text(client.get(url("ledger", rect.plan.pk)))
    link = f'<a href="{url("round_detail", round.pk)}" class="text-decoration-none">'
    tag = link + '<span class="db-tag db-tag-blue">回头看新发现</span></a>'
    assert tag in ledger and ledger.count("回头看新发现") == 1


# --- Closing and the report ------------------------------------------------------------------------


def test_close_needs_a_summary_and_happens_once(rect, round, people, client_for):
    client = client_for(people.office)
    page = text(client.get(url("round_close", round.pk)))
    assert "还有 4 项措施未检查" in page
    response = client.post(url("round_close", round.pk), {"summary": " "})
    assert response.status_code == 200 and "请填写本轮回头看的总结" in text(response)
    response = client.post(url("round_close", round.pk), {"summary": "总体良好"})
    assert response.status_code == 302 and response["Location"] == url("round_report", round.pk)
    round.refresh_from_db()
    assert round.state == RoundState.CLOSED and round.summary == "总体良好"
    response = client.post(url("round_close", round.pk), {"summary": "再来"}, follow=True)
    assert services.ERR_ROUND_CLOSED in text(response)
    round.refresh_from_db()
    assert round.summary == "总体良好"
    # A closed round takes no more reviews or findings.
    response = client.post(url("round_review", round.pk, rect.rule.pk), {**all_yes(round), "verdict": "holds"})
    assert response.status_code == 403
    assert client.get(url("round_finding", round.pk)).status_code == 302
    assert "结束回头看" not in text(client.get(url("round_detail", round.pk)))


def test_report_lists_each_bucket_and_hides_what_the_reader_may_not_see(rect, org, round, people, client_for):
    close_at_once(rect, people)
    services.review_save(
        acting_user=people.office,
        round=round,
        measure=rect.deadline,
        answers={p["key"]: "yes" for p in round.checklist},
        verdict=ReviewVerdict.PROGRESSING,
    )
    found = services.round_finding_add(
        acting_user=people.office,
        round=round,
        finding=Finding(category="作风建设", description="会议记录代签"),
        units=[org.academic],
    )
    client = client_for(people.office)
    preview = client.get(url("round_report", round.pk))
    assert preview.context["live"] and "实时对比" in text(preview)
    client.post(url("round_close", round.pk), {"summary": "发现新问题一项"})
    response = client.get(url("round_report", round.pk))
    buckets = {b.key: b for b in response.context["buckets"]}
    assert [m.pk for m in buckets["closed_since"].measures] == [rect.at_once.pk]
    assert {m.pk for m in buckets["still_open"].measures} == {rect.deadline.pk, rect.rule.pk, rect.ongoing.pk}
    assert [f.pk for f in response.context["findings"]] == [found.pk]
    page = text(response)
    assert url("measure_detail", rect.at_once.pk) in page and "发现新问题一项" in page
    assert "会议记录代签" in page and "rect-lookback.css" in page
    # 孙专班 sees 教务处's measures only; 人事处's closure is counted, not listed.
    response = client_for(people.taskforce).get(url("round_report", round.pk))
    buckets = {b.key: b for b in response.context["buckets"]}
    assert buckets["closed_since"].count == 1 and buckets["closed_since"].measures == []
    assert buckets["closed_since"].hidden == 1
    assert "立即纠正不规范的选拔程序" not in text(response)


# --- Templates -------------------------------------------------------------------------------------


def test_templates_page_creates_edits_and_sets_the_default(rect, people, client_for):
    client = client_for(people.office)
    response = client.get(url("template_list"))
    assert response.context["form"]["name"].value() == "四看"
    response = client.post(url("template_list"), {"action": "save", "name": "", "points": ""})
    assert response.status_code == 200 and "请修改以下问题" in text(response)
    client.post(
        url("template_list"),
        {"action": "save", "name": "四看", "points": "\n".join(p["label"] for p in FOUR_LOOKS), "is_default": "on"},
    )
    client.post(url("template_list"), {"action": "save", "name": "三查", "points": "查落实\n查成效"})
    four, three = LookbackTemplate.objects.get(name="四看"), LookbackTemplate.objects.get(name="三查")
    assert four.is_default and not three.is_default and len(four.points) == 4
    response = client.post(url("template_list"), {"action": "save", "name": "四看", "points": "x"})
    assert "已有名为“四看”的模板" in text(response)
    # Edit
    response = client.get(url("template_list"), {"edit": three.pk})
    assert response.context["form"]["points"].value() == "查落实\n查成效"
    client.post(
        url("template_list"),
        {"action": "save", "template": three.pk, "name": "三查", "points": "查落实\n查成效\n查长效"},
    )
    three.refresh_from_db()
    assert [p["label"] for p in three.points] == ["查落实", "查成效", "查长效"]
    # Set default: the open form now starts from it.
    client.post(url("template_list"), {"action": "default", "template": three.pk})
    assert list(LookbackTemplate.objects.filter(is_default=True)) == [three]
    response = client.get(url("round_open", rect.plan.pk))
    assert response.context["form"]["points"].value() == "查落实\n查成效\n查长效"
