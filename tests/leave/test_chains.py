"""The default approval chains after seed 003, by type and the requester's rank."""

import pytest
from auditlog.context import disable_auditlog

from duban.leave.models import (
    AbsenceRequest,
    AbsenceStatus,
    ChainStep,
    LeaveSettings,
    RequestStep,
    StepAction,
    StepStatus,
)
from duban.leave.services import chains
from duban.notify.models import Message
from duban.org.models import Rank, Role
from duban.supervision.services import Refused
from tests.conftest import _person
from tests.leave.chain_helpers import ask, frozen, kind  # noqa: F401

pytestmark = pytest.mark.usefixtures("frozen")


def steps_of(absence):
    return [
        (s.label, s.status, sorted(p.name for p in s.assignees.all()))
        for s in RequestStep.objects.filter(request=absence).order_by("order")
    ]


def test_rule_for_picks_the_first_matching_rank(away):
    travel = kind("travel")
    assert chains.rule_for(travel, Rank.DIVISION).ranks == ["school", "division"]
    assert chains.rule_for(travel, Rank.SCHOOL).ranks == ["school", "division"]
    assert chains.rule_for(travel, Rank.DEPUTY_DIVISION).ranks == []
    assert chains.rule_for(travel, Rank.STAFF).ranks == []
    assert chains.rule_for(kind("annual"), Rank.DIVISION).ranks == []


@pytest.mark.parametrize("who", ["deputy", "staff"])
def test_deputy_and_staff_travel_go_to_the_unit_head(away, people, who):
    person = getattr(away, who, None) or getattr(people, who)
    absence, _warnings = ask(person)
    assert steps_of(absence) == [("本单位负责人审批", StepStatus.PENDING, ["赵处长"])]
    assert absence.status == AbsenceStatus.PENDING
    assert absence.days == 3
    assert Message.objects.filter(recipient=people.head, title__startswith="待您审批").count() == 1


def test_division_head_travel_goes_to_the_supervising_leader_then_the_office_is_told(away, people):
    absence, _ = ask(people.head)
    assert steps_of(absence) == [
        ("主管领导审批", StepStatus.PENDING, ["刘副校长"]),
        ("办公室告知", StepStatus.WAITING, ["韩党办"]),
    ]
    # The office hears nothing until the leader has approved.
    assert not Message.objects.filter(recipient=away.office_clerk).exists()


@pytest.mark.parametrize("code", ["personal", "sick"])
def test_personal_and_sick_leave_follow_the_travel_chain(away, people, code):
    senior, _ = ask(people.head, code)
    junior, _ = ask(away.deputy, code)
    assert [s[0] for s in steps_of(senior)] == ["主管领导审批", "办公室告知"]
    assert [s[0] for s in steps_of(junior)] == ["本单位负责人审批"]


def test_annual_leave_needs_leader_hr_and_two_filings(away, people):
    absence, _ = ask(away.deputy, "annual", start=(11, 16), end=(11, 17))
    assert steps_of(absence) == [
        ("主管领导审批", StepStatus.PENDING, ["刘副校长"]),
        ("人事部门办理", StepStatus.WAITING, ["林人事", "郑外单位"]),
        ("办公室备案", StepStatus.WAITING, ["韩党办"]),
        ("政工部门备案", StepStatus.WAITING, ["何组织"]),
    ]
    assert [s.action for s in absence.steps.order_by("order")] == ["approve", "handle", "file", "file"]


def test_outing_is_approved_at_once_and_the_head_is_told(away, people):
    absence, _ = ask(people.staff, "outing", start=(11, 3), end=(11, 3), destination="市教育局")
    absence.refresh_from_db()
    assert absence.status == AbsenceStatus.APPROVED
    assert absence.decided_at is not None
    assert steps_of(absence) == [("本单位负责人告知", StepStatus.DONE, ["赵处长"])]
    told = Message.objects.get(recipient=people.head)
    assert told.title.startswith("告知：吴职工 · 外出报备")


def test_a_unit_heads_own_request_walks_up_to_the_supervising_leader(away, people):
    people.outsider.rank = Rank.DEPUTY_DIVISION
    people.outsider.save()
    absence, _ = ask(people.outsider)
    # Nobody else heads 人事处 or the school: the leader supervising 人事处 approves.
    assert steps_of(absence) == [("本单位负责人审批", StepStatus.PENDING, ["刘副校长"])]


def test_unit_head_step_walks_up_to_the_parent_unit(org, away):
    with disable_auditlog():
        party_head = _person("partyhead", "马书记", org.party, [(Role.UNIT_HEAD, org.party)], Rank.DIVISION)
        member = _person("member", "田党员", org.branch, [(Role.STAFF, org.branch)], Rank.STAFF)
    assert [p.pk for p in chains.unit_heads(member)] == [party_head.pk]


def test_leader_falls_back_to_institution_wide_leaders(org, people, away):
    with disable_auditlog():
        secretary = _person("sec", "孔书记", org.party, [(Role.UNIT_HEAD, org.party)], Rank.DIVISION)
    absence, _ = ask(secretary)
    # 刘副校长 supervises 教务处 and 人事处 only; 李校长 leads the whole institution.
    assert steps_of(absence)[0] == ("主管领导审批", StepStatus.PENDING, ["李校长"])


def test_a_missing_department_refuses_the_whole_submission(away):
    LeaveSettings.objects.filter(pk=1).update(hr_unit=None)
    with pytest.raises(Refused) as refused:
        ask(away.deputy, "annual", start=(11, 16), end=(11, 17))
    assert refused.value.messages == ["“人事部门办理”环节没有办理人，请联系系统管理员设置。"]
    assert not AbsenceRequest.objects.exists()
    assert not RequestStep.objects.exists()


def test_a_notify_step_with_nobody_is_cancelled_with_a_note(away, people):
    LeaveSettings.objects.filter(pk=1).update(office_unit=None)
    absence, _ = ask(people.head)
    office = absence.steps.get(order=2)
    assert office.status == StepStatus.CANCELLED and office.note == "没有可告知的人员，已跳过。"


def test_a_named_unit_step_goes_to_its_keepers(org, away, people):
    rule = chains.rule_for(kind("sick"), Rank.STAFF)
    ChainStep.objects.create(rule=rule, order=2, approver="unit", unit=org.hr, action=StepAction.NOTIFY)
    absence, _ = ask(people.staff, "sick")
    assert steps_of(absence)[1] == ("人事处告知", StepStatus.WAITING, ["林人事", "郑外单位"])


def test_describe_tells_the_chain_in_words(away, people):
    assert chains.describe(kind("travel"), people.head) == [
        {"label": "主管领导审批", "names": ["刘副校长"], "blocking": True},
        {"label": "办公室告知", "names": ["韩党办"], "blocking": False},
    ]


def test_the_requester_is_never_an_assignee(away, people):
    # 林人事 asks for annual leave: the HR step goes to 郑外单位 only.
    absence, _ = ask(away.hr_clerk, "annual", start=(11, 16), end=(11, 16))
    hr = absence.steps.get(label="人事部门办理")
    assert [p.name for p in hr.assignees.all()] == ["郑外单位"]
