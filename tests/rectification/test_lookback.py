"""回头看 services: open over a snapshot, checklist, reviews and relapses, new findings,
closing with the comparison report, and the checklist templates."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from duban.notify.models import Message
from duban.rectification.models import (
    FOUR_LOOKS,
    ClosureState,
    ClosureStatus,
    Finding,
    LookbackReview,
    LookbackTemplate,
    MeasureType,
    RectificationPlan,
    Relapse,
    ReviewVerdict,
    RoundState,
    Severity,
)
from duban.rectification.selectors.snapshot import compare, ledger_snapshot
from duban.rectification.services import Refused
from duban.rectification.services import lookback as services
from duban.rectification.services.closure import closure_approve, closure_request, closure_review
from duban.rectification.services.findings import finding_save, measure_save
from duban.rectification.services.plans import rectification_plan_save
from duban.supervision.models import Item, Plan
from tests.rectification.conftest import FROZEN, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


def answers(round, value="yes"):
    return {p["key"]: value for p in round.checklist}


def close(measure, person, reviewer, office, evidence):
    request = closure_request(acting_user=person, measure=measure, statement="已完成整改", evidence=evidence)
    if request.status == ClosureStatus.PENDING_REVIEW:
        closure_review(acting_user=reviewer, closure=request)
    closure_approve(acting_user=office, closure=request)
    measure.refresh_from_db()
    assert measure.closure == ClosureState.CLOSED
    return measure


def close_at_once(rect, people):
    return close(rect.at_once, people.outsider, people.taskforce, people.office, {"statement": "已纠正"})


def close_deadline(rect, people):
    evidence = {"statement": "已按新流程召开", "proof": pdf()}
    return close(rect.deadline, people.liaison, people.taskforce, people.office, evidence)


def close_ongoing(rect, people):
    evidence = {"mechanism": "已建立全程纪实制度", "proof": pdf()}
    return close(rect.ongoing, people.liaison, people.taskforce, people.office, evidence)


def open_round(rect, people, **kwargs):
    return services.round_open(acting_user=people.office, plan=rect.plan, **kwargs)


def other_plan_measure(org, people):
    profile = rectification_plan_save(
        acting_user=people.office,
        plan=Plan(title="2026年审计整改方案", year=2026, owner_unit=org.office, start_date=datetime.date(2026, 9, 1)),
        profile=RectificationPlan(),
    )
    finding = finding_save(
        acting_user=people.office,
        finding=Finding(plan=profile.plan, category="财务管理", description="经费报销审核不严"),
        units=[org.academic],
    )
    item = Item(title="完善报销审核", lead_unit=org.academic, start_date=datetime.date(2026, 9, 1))
    item.due_date = datetime.date(2026, 12, 31)
    return measure_save(acting_user=people.office, finding=finding, item=item, measure_type=MeasureType.DEADLINE)


# --- Opening -----------------------------------------------------------------------


def test_open_snapshots_the_ledger_with_the_four_looks(rect, people):
    round = open_round(rect, people)
    assert round.number == 1 and round.state == RoundState.OPEN
    assert round.title == "第1轮整改落实“回头看”"
    assert round.checklist == FOUR_LOOKS
    measures = round.snapshot["measures"]
    assert set(measures) == {str(m.pk) for m in (rect.deadline, rect.rule, rect.at_once, rect.ongoing)}
    assert measures[str(rect.at_once.pk)]["closure"] == ClosureState.OPEN
    assert measures[str(rect.at_once.pk)]["unit"] == "人事处"
    assert set(round.snapshot["findings"]) == {str(rect.f1.pk), str(rect.f2.pk)}


def test_open_uses_the_default_template_or_the_given_checklist(rect, people):
    LookbackTemplate.objects.create(name="三查", points=[{"key": "p1", "label": "查落实"}], is_default=True)
    assert open_round(rect, people).checklist == [{"key": "p1", "label": "查落实"}]


def test_open_with_own_title_and_points(rect, people):
    points = services.parse_points("  查制度是否落地\n\n查问题是否反弹 \n")
    assert points == [{"key": "p1", "label": "查制度是否落地"}, {"key": "p2", "label": "查问题是否反弹"}]
    round = open_round(rect, people, title="2027年春季回头看", checklist=points)
    assert round.title == "2027年春季回头看" and round.checklist == points
    with pytest.raises(Refused, match="检查要点至少需要一条"):
        services.parse_points(" \n ")
    for bad in ([{"key": "a", "label": "x"}, {"key": "a", "label": "y"}], [{"key": "a"}], ["查落实"]):
        with pytest.raises(Refused, match=services.ERR_BAD_POINTS):
            services.round_checklist_update(acting_user=people.office, round=round, checklist=bad)


def test_only_one_open_round_per_plan_and_numbers_follow(rect, people):
    first = open_round(rect, people)
    with pytest.raises(Refused, match=services.ERR_ROUND_OPEN):
        open_round(rect, people)
    services.round_close(acting_user=people.office, round=first, summary="完成")
    second = open_round(rect, people)
    assert second.number == 2 and second.title == "第2轮整改落实“回头看”"


@pytest.mark.parametrize("who", ["taskforce", "discipline", "leader", "liaison"])
def test_only_the_office_opens_edits_adds_and_closes(rect, people, who):
    person = getattr(people, who)
    with pytest.raises(PermissionDenied):
        services.round_open(acting_user=person, plan=rect.plan)
    round = open_round(rect, people)
    with pytest.raises(PermissionDenied):
        services.round_checklist_update(acting_user=person, round=round, checklist=FOUR_LOOKS[:1])
    with pytest.raises(PermissionDenied):
        services.round_finding_add(
            acting_user=person, round=round, finding=Finding(category="作风建设", description="x")
        )
    with pytest.raises(PermissionDenied):
        services.round_close(acting_user=person, round=round)
    round.refresh_from_db()
    assert round.state == RoundState.OPEN and round.checklist == FOUR_LOOKS


# --- Checklist -----------------------------------------------------------------------


def test_checklist_is_editable_until_the_first_review(rect, people):
    round = open_round(rect, people)
    points = services.parse_points("一看举措是否落实\n二看问题是否解决")
    services.round_checklist_update(acting_user=people.office, round=round, checklist=points)
    round.refresh_from_db()
    assert round.checklist == points
    with pytest.raises(Refused, match=services.ERR_NO_POINTS):
        services.round_checklist_update(acting_user=people.office, round=round, checklist=[])
    services.review_save(
        acting_user=people.taskforce,
        round=round,
        measure=rect.deadline,
        answers=answers(round),
        verdict=ReviewVerdict.PROGRESSING,
    )
    with pytest.raises(Refused, match=services.ERR_REVIEWS_EXIST):
        services.round_checklist_update(acting_user=people.office, round=round, checklist=FOUR_LOOKS)
    round.refresh_from_db()
    assert round.checklist == points


# --- Reviews ---------------------------------------------------------------------------


def test_review_records_answers_verdict_and_remarks_and_can_be_revised(rect, people):
    round = open_round(rect, people)
    given = {"belief": "yes", "measures": "partly", "problems": "no", "mechanism": "yes"}
    review = services.review_save(
        acting_user=people.taskforce,
        round=round,
        measure=rect.deadline,
        answers=given,
        verdict=ReviewVerdict.LAGGING,
        remarks="  会议记录仍不完整 ",
    )
    assert review.answers == given and review.verdict == ReviewVerdict.LAGGING
    assert review.remarks == "会议记录仍不完整" and review.reviewer == people.taskforce
    assert rect.deadline.item.log.filter(text__contains="进展滞后").exists()
    services.review_save(
        acting_user=people.discipline,
        round=round,
        measure=rect.deadline,
        answers=answers(round),
        verdict=ReviewVerdict.PROGRESSING,
    )
    assert LookbackReview.objects.filter(round=round).count() == 1
    review.refresh_from_db()
    assert review.verdict == ReviewVerdict.PROGRESSING and review.reviewer == people.discipline


def test_review_guards(rect, org, people):
    round = open_round(rect, people)
    good = answers(round)

    def save(person=people.office, measure=rect.deadline, given=good, verdict=ReviewVerdict.HOLDS):
        return services.review_save(acting_user=person, round=round, measure=measure, answers=given, verdict=verdict)

    with pytest.raises(Refused, match=services.ERR_WRONG_PLAN):
        save(measure=other_plan_measure(org, people))
    # 人事处 is covered by no liaison group; 孙专班 covers 教务处 only.
    with pytest.raises(PermissionDenied):
        save(person=people.taskforce, measure=rect.at_once)
    for person in (people.outsider, people.liaison, people.head, people.leader):
        with pytest.raises(PermissionDenied):
            save(person=person, measure=rect.at_once)
    with pytest.raises(Refused, match="是、部分、否"):
        save(given={**good, "belief": "maybe"})
    with pytest.raises(Refused, match="尚未选择"):
        save(given={k: v for k, v in good.items() if k != "problems"})
    with pytest.raises(Refused, match=services.ERR_NO_VERDICT):
        save(verdict="excellent")
    assert not LookbackReview.objects.exists()
    save(person=people.discipline, measure=rect.at_once)
    save(person=people.taskforce, measure=rect.deadline)
    assert LookbackReview.objects.filter(round=round).count() == 2
    services.round_close(acting_user=people.office, round=round)
    with pytest.raises(Refused, match=services.ERR_ROUND_CLOSED):
        save(measure=rect.rule)


def test_relapse_needs_a_closed_measure_and_remarks(rect, people):
    round = open_round(rect, people)
    with pytest.raises(Refused, match=services.ERR_RELAPSE_OPEN):
        services.review_save(
            acting_user=people.office,
            round=round,
            measure=rect.rule,
            answers=answers(round),
            verdict=ReviewVerdict.RELAPSED,
            remarks="制度没有执行",
        )
    close_at_once(rect, people)
    with pytest.raises(Refused, match=services.ERR_RELAPSE_REMARKS):
        services.review_save(
            acting_user=people.office,
            round=round,
            measure=rect.at_once,
            answers=answers(round, "no"),
            verdict=ReviewVerdict.RELAPSED,
            remarks="  ",
        )
    rect.at_once.refresh_from_db()
    assert rect.at_once.closure == ClosureState.CLOSED
    assert not Relapse.objects.exists() and not LookbackReview.objects.exists()


def test_relapse_reopens_the_measure_once_however_the_verdict_is_revised(rect, people):
    close_at_once(rect, people)
    rect.f2.refresh_from_db()
    round = open_round(rect, people)

    def save(verdict, remarks="选拔程序又出现不规范"):
        return services.review_save(
            acting_user=people.discipline,
            round=round,
            measure=rect.at_once,
            answers=answers(round, "partly"),
            verdict=verdict,
            remarks=remarks,
        )

    review = save(ReviewVerdict.RELAPSED)
    rect.at_once.refresh_from_db()
    assert rect.at_once.closure == ClosureState.OPEN and rect.at_once.closed_on is None
    assert rect.at_once.relapse_count == 1
    relapse = Relapse.objects.get()
    assert relapse.review == review and relapse.unit == rect.at_once.item.lead_unit
    assert relapse.description == "选拔程序又出现不规范" and relapse.found_by == people.discipline
    assert "第1轮整改落实" in rect.at_once.item.log.filter(kind="reopened").get().text
    assert Message.objects.filter(recipient=people.outsider, title__contains="出现反弹").exists()

    save(ReviewVerdict.RELAPSED, remarks="补充：涉及两个批次")  # revised text, same verdict
    save(ReviewVerdict.LAGGING)
    save(ReviewVerdict.RELAPSED)  # back again: the measure is open, but no second relapse
    rect.at_once.refresh_from_db()
    assert Relapse.objects.count() == 1 and rect.at_once.relapse_count == 1
    assert LookbackReview.objects.get().verdict == ReviewVerdict.RELAPSED


# --- New findings -------------------------------------------------------------------------


def test_problems_found_join_the_ledger_with_the_round_as_origin(rect, org, people):
    round = open_round(rect, people)
    finding = services.round_finding_add(
        acting_user=people.office,
        round=round,
        finding=Finding(
            reference="回头看发现",
            category="作风建设",
            severity=Severity.SERIOUS,
            description="整改后会议记录又出现代签",
            public_summary="会议记录规范性需加强",
        ),
        units=[org.academic],
    )
    assert finding.plan_id == rect.plan.pk and finding.origin_round == round
    assert finding.ordinal == 3 and finding.created_by == people.office
    assert list(finding.units.all()) == [org.academic]
    assert list(round.new_findings.all()) == [finding]
    with pytest.raises(Refused, match=services.ERR_FINDING_EXISTS):
        services.round_finding_add(acting_user=people.office, round=round, finding=rect.f1)
    services.round_close(acting_user=people.office, round=round)
    with pytest.raises(Refused, match=services.ERR_ROUND_CLOSED):
        services.round_finding_add(
            acting_user=people.office, round=round, finding=Finding(category="作风建设", description="迟到的问题")
        )
    assert Finding.objects.filter(plan=rect.plan).count() == 3


# --- Closing and the comparison -----------------------------------------------------------


def test_close_twice_is_refused(rect, people):
    round = open_round(rect, people)
    services.round_close(acting_user=people.office, round=round, summary="  总体良好 ")
    round.refresh_from_db()
    assert round.state == RoundState.CLOSED and round.closed_by == people.office and round.summary == "总体良好"
    with pytest.raises(Refused, match=services.ERR_ROUND_CLOSED):
        services.round_close(acting_user=people.office, round=round, summary="再来一次")
    with pytest.raises(Refused, match=services.ERR_ROUND_CLOSED):
        services.round_checklist_update(acting_user=people.office, round=round, checklist=FOUR_LOOKS)


def test_closing_compares_the_ledger_with_the_opening_snapshot(rect, org, people):
    # Before the round: 立行立改 and 限期整改 closed; 建章立制 and 长期坚持 open.
    close_at_once(rect, people)
    close_deadline(rect, people)
    round = open_round(rect, people)

    # During the round: at_once relapses (reopened), ongoing closes, deadline holds,
    # rule stays open, and a new finding with a new measure joins the ledger.
    services.review_save(
        acting_user=people.office,
        round=round,
        measure=rect.at_once,
        answers=answers(round, "no"),
        verdict=ReviewVerdict.RELAPSED,
        remarks="问题复现",
    )
    services.review_save(
        acting_user=people.taskforce,
        round=round,
        measure=rect.deadline,
        answers=answers(round),
        verdict=ReviewVerdict.HOLDS,
    )
    services.review_save(
        acting_user=people.taskforce,
        round=round,
        measure=rect.rule,
        answers=answers(round, "partly"),
        verdict=ReviewVerdict.LAGGING,
    )
    close_ongoing(rect, people)
    found = services.round_finding_add(
        acting_user=people.office,
        round=round,
        finding=Finding(category="作风建设", description="会议记录代签"),
        units=[org.academic],
    )
    item = Item(title="整治会议记录代签", lead_unit=org.academic, start_date=datetime.date(2026, 11, 2))
    item.due_date = datetime.date(2026, 12, 20)
    added = measure_save(acting_user=people.office, finding=found, item=item, measure_type=MeasureType.DEADLINE)

    round = services.round_close(acting_user=people.office, round=round, summary="发现一处反弹")
    report = round.report
    assert report["measures"] == {
        "new": [str(added.pk)],
        "reopened": [str(rect.at_once.pk)],
        "still_open": [str(rect.rule.pk)],
        "closed_since": [str(rect.ongoing.pk)],
        "still_closed": [str(rect.deadline.pk)],
        "removed": [],
    }
    assert report["new_findings"] == [str(found.pk)]
    assert report["round_findings"] == [found.pk]
    assert report["verdicts"] == {"relapsed": 1, "holds": 1, "lagging": 1}
    assert report["reviewed"] == 3 and report["measures_total"] == 5
    assert round.closing_snapshot["measures"][str(rect.ongoing.pk)]["closure"] == ClosureState.CLOSED


def test_a_relapsed_measure_closed_again_still_counts_as_reopened(rect, people):
    close_at_once(rect, people)
    before = ledger_snapshot(rect.plan)
    round = open_round(rect, people)
    services.review_save(
        acting_user=people.office,
        round=round,
        measure=rect.at_once,
        answers=answers(round, "no"),
        verdict=ReviewVerdict.RELAPSED,
        remarks="问题复现",
    )
    close_at_once(rect, people)
    assert compare(before, ledger_snapshot(rect.plan))["measures"]["reopened"] == [str(rect.at_once.pk)]


# --- Templates -------------------------------------------------------------------------------


def test_templates_save_and_one_default_at_a_time(rect, people):
    four = services.template_save(
        acting_user=people.office, template=LookbackTemplate(), name=" 四看 ", points=FOUR_LOOKS, is_default=True
    )
    three = services.template_save(
        acting_user=people.office,
        template=LookbackTemplate(),
        name="三查",
        points=services.parse_points("查落实\n查成效\n查长效"),
    )
    assert four.name == "四看" and LookbackTemplate.objects.get(is_default=True) == four
    services.template_set_default(acting_user=people.office, template=three)
    assert list(LookbackTemplate.objects.filter(is_default=True)) == [three]
    assert [p["label"] for p in services.default_points()] == ["查落实", "查成效", "查长效"]
    with pytest.raises(Refused, match="已有名为“三查”的模板"):
        services.template_save(acting_user=people.office, template=four, name="三查", points=FOUR_LOOKS)
    with pytest.raises(Refused, match=services.ERR_TEMPLATE_NAME):
        services.template_save(acting_user=people.office, template=four, name=" ", points=FOUR_LOOKS)
    with pytest.raises(Refused, match=services.ERR_NO_POINTS):
        services.template_save(acting_user=people.office, template=four, name="四看", points=[])
    with pytest.raises(PermissionDenied):
        services.template_set_default(acting_user=people.taskforce, template=four)
    with pytest.raises(PermissionDenied):
        services.template_save(acting_user=people.discipline, template=four, name="改名", points=FOUR_LOOKS)
    four.refresh_from_db()
    assert four.name == "四看" and not four.is_default
