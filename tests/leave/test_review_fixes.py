"""The rules tightened after review: who may act learns first, report-only types, the cheap
navigation rules, the calendar scope, shared selectors, bounded inputs, delegation states."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duban.leave import access as rules
from duban.leave import selectors
from duban.leave.models import AbsenceStatus, AbsenceType, CalendarDay, Delegation, LeaveSettings, StepStatus
from duban.leave.services import approvals, configure, delegation
from duban.leave.services import requests as services
from duban.notify.models import Message
from duban.org.access import ALL, Access
from duban.org.models import Role, RoleGrant
from duban.supervision.services import Refused
from tests.leave.chain_helpers import ask, day, frozen, kind  # noqa: F401
from tests.supervision.conftest import work  # noqa: F401

pytestmark = pytest.mark.usefixtures("frozen")


def refusal(call) -> list[str]:
    with pytest.raises(Refused) as refused:
        call()
    return refused.value.messages


# --- 1. Who may act is checked before the step's state --------------------------------------


def test_an_outsider_learns_nothing_of_a_done_step(away, people):
    absence, _ = ask(away.deputy)
    step = absence.steps.get()
    approvals.act(people.head, step, True, "")
    with pytest.raises(PermissionDenied):
        approvals.act(people.outsider, step, True, "")
    # The assignee still hears who acted.
    assert refusal(lambda: approvals.act(people.head, step, True, "")) == ["该环节已由赵处长办理。"]


def test_posting_someone_elses_done_step_is_403(client_for, away, people):
    absence, _ = ask(away.deputy)
    step = absence.steps.get()
    approvals.act(people.head, step, True, "")
    url = reverse("leave:act", args=[absence.pk, step.pk])
    response = client_for(people.staff).post(url, {"decision": "approve"})
    assert response.status_code == 403
    assert not Message.objects.filter(recipient=people.staff).exists()


# --- 2. Report-only types ------------------------------------------------------------------------


def test_a_report_only_type_refuses_approval_steps(people, away):
    outing = kind("outing")
    chain = [{"ranks": [], "note": "", "steps": [{"approver": "unit_head", "unit": None, "action": "approve"}]}]
    messages = refusal(lambda: configure.type_save(acting_user=people.sys_admin, absence_type=outing, chain=chain))
    assert messages == ["第1条规则第1步：“仅报备”的类型提交即生效，不能有“审批”或“办理”步骤，请改为“告知”或“备案”。"]
    assert outing.rules.get().steps.get().action == "notify"


def test_a_report_only_request_takes_effect_at_once(people, away):
    """Even with an old approval step in its rule, a report-only request is approved on submission."""
    travel = kind("travel")
    AbsenceType.objects.filter(pk=travel.pk).update(report_only=True)
    absence, _ = ask(away.deputy, "travel")
    absence.refresh_from_db()
    assert absence.status == AbsenceStatus.APPROVED
    assert list(absence.steps.values_list("status", flat=True)) == [StepStatus.DONE]
    told = Message.objects.get(recipient=people.head)
    assert told.title.startswith("告知：陈副处 · 出差")


# --- 3. The “代X” label ----------------------------------------------------------------------------


def test_task_list_names_the_principal_only_for_a_delegate(client_for, away, people):
    RoleGrant.objects.create(person=people.liaison, role=Role.UNIT_HEAD, unit=people.head.unit)
    absence, _ = ask(away.deputy)
    assert set(absence.steps.get().assignees.all()) == {people.head, people.liaison}
    page = client_for(people.liaison).get(reverse("leave:task_list")).content.decode()
    assert "陈副处" in page and "代赵处长" not in page


# --- 4. Cheap rules for the navigation ---------------------------------------------------------


def test_navigation_rules_load_no_tree_and_read_settings_once(people, away, django_assert_num_queries):
    access, staff = Access(away.hr_clerk), Access(people.staff)
    with django_assert_num_queries(1):
        assert rules.can_manage_balances(access)
        assert rules.can_manage_balances(access)
    with django_assert_num_queries(0):
        assert rules.can_see_calendars(access) and rules.can_approve(access) and rules.can_subscribe(access)
        assert not rules.can_manage_balances(staff)
    assert access._tree is None


def test_balance_keeper_follows_the_settings_of_the_request(people, away, org):
    assert rules.can_manage_balances(Access(away.hr_clerk))
    LeaveSettings.objects.filter(pk=1).update(hr_unit=org.office)
    assert not rules.can_manage_balances(Access(away.hr_clerk))
    assert rules.can_manage_balances(Access(away.office_clerk))


def test_who_sees_which_leave_entries(people, away):
    people.norole.unit = None
    people.norole.save()
    nobody = Access(people.norole)
    assert not rules.can_see_calendars(nobody) and not rules.can_approve(nobody)
    assert rules.can_subscribe(nobody)
    assert rules.can_see_calendars(Access(people.discipline))
    assert rules.can_approve(Access(away.deputy))


@pytest.mark.parametrize("name", ["leave:task_list", "leave:delegations"])
def test_task_pages_need_someone_who_may_approve(client, client_for, people, away, name):
    assert client.get(reverse(name)).status_code == 302
    people.norole.unit = None
    people.norole.save()
    assert client_for(people.norole).get(reverse(name)).status_code == 403
    assert client_for(people.head).get(reverse(name)).status_code == 200


def test_the_feed_page_for_everyone_signed_in(client, client_for, people):
    url = reverse("leave:feed_page")
    assert client.get(url).status_code == 302
    assert client_for(people.norole).get(url).status_code == 200


def test_can_withdraw(people, away):
    absence, _ = ask(away.deputy)
    assert rules.can_withdraw(Access(away.deputy), absence)
    assert not rules.can_withdraw(Access(people.head), absence)
    absence.status = AbsenceStatus.APPROVED
    assert not rules.can_withdraw(Access(away.deputy), absence)


# --- 5. Calendar scope of scoped office and discipline grants -----------------------------------


def test_scoped_office_grant_sees_that_units_calendar(people, org):
    RoleGrant.objects.create(person=people.norole, role=Role.OFFICE, unit=org.academic)
    units = rules.calendar_units(Access(people.norole))
    assert units != ALL and {org.academic.pk, org.hr.pk} <= units
    assert rules.calendar_units(Access(people.discipline)) == ALL


# --- 8. Delegators read once per request ---------------------------------------------------------


def test_request_detail_reads_delegators_once(client_for, away, people):
    Delegation.objects.create(delegator=people.head, delegate=people.liaison, starts_on=day(11, 1), ends_on=day(11, 9))
    absence, _ = ask(away.deputy)
    with CaptureQueriesContext(connection) as queries:
        page = client_for(people.liaison).get(reverse("leave:request_detail", args=[absence.pk]))
    assert page.status_code == 200 and "参加全国教学工作会议" in page.content.decode()
    delegation_reads = [q for q in queries.captured_queries if 'FROM "leave_delegation"' in q["sql"]]
    assert len(delegation_reads) == 1


# --- 11. pending_steps ------------------------------------------------------------------------------


def test_pending_steps_never_include_own_requests(away, people):
    Delegation.objects.create(delegator=people.head, delegate=away.deputy, starts_on=day(11, 1), ends_on=day(11, 9))
    mine, _ = ask(away.deputy)
    theirs, _ = ask(people.staff)
    assert [s.request for s in selectors.pending_steps(away.deputy)] == [theirs]
    assert {s.request for s in selectors.pending_steps(people.head)} == {mine, theirs}


# --- 12. One definition of what a person's absence clashes with ---------------------------------


def test_draft_meetings_do_not_warn_and_liaison_items_do(away, people, work):  # noqa: F811
    from duban.meetings.models import Invitation, Meeting, MeetingStatus
    from tests.meetings.conftest import at

    draft = Meeting.objects.create(
        title="筹备中的会",
        status=MeetingStatus.DRAFT,
        starts_at=at(17, 9),
        ends_at=at(17, 11),
        place="会议室",
        host_unit=away.office_clerk.unit,
        organiser=people.office,
        created_by=people.office,
    )
    Invitation.objects.create(meeting=draft, person=people.head)
    assert not any("筹备中的会" in w for w in services.overlap_warnings(people.head, day(11, 16), day(11, 18)))
    work.labs.due_date = day(11, 18)
    work.labs.responsible_person = None
    work.labs.save()
    assert work.labs.lead_unit_id == people.liaison.unit_id
    warnings = services.overlap_warnings(people.liaison, day(11, 16), day(11, 18))
    assert "事项《实验室建设项目》完成时限 11月18日 在请假期间" in warnings
    assert work.labs in selectors.answering_items(people.liaison)


# --- 13. Bad ids are 404, not server errors ------------------------------------------------------


def test_holiday_delete_with_a_bad_id_is_404(client_for, people, away):
    client = client_for(people.sys_admin)
    for bad in ("abc", "1.5", "99999999999999999999", ""):
        response = client.post(reverse("leave:holidays"), {"action": "delete", "day": bad})
        assert response.status_code == 404
    CalendarDay.objects.create(date=day(12, 25), name="测试")
    assert CalendarDay.objects.count() == 1


def test_balance_save_with_a_bad_person_is_404(client_for, away):
    client = client_for(away.hr_clerk)
    for bad in ("x", "-1", "99999999999999999999"):
        data = {"year": 2026, "person": bad, "entitled_days": "5", "carried_days": "0"}
        assert client.post(reverse("leave:balances"), data).status_code == 404


# --- 14. Delegates of a step in one query --------------------------------------------------------


def test_delegates_of_many_in_one_query(away, people, django_assert_num_queries):
    Delegation.objects.create(delegator=people.head, delegate=people.liaison, starts_on=day(11, 1), ends_on=day(11, 9))
    Delegation.objects.create(delegator=away.vp, delegate=people.office, starts_on=day(11, 1), ends_on=day(11, 9))
    with django_assert_num_queries(1):
        found = delegation.delegates_of_all([people.head, away.vp, people.staff])
    assert set(found) == {people.liaison, people.office}


def test_tell_step_reaches_the_delegates(away, people):
    Delegation.objects.create(delegator=people.head, delegate=people.liaison, starts_on=day(11, 1), ends_on=day(11, 9))
    ask(away.deputy)
    assert Message.objects.filter(recipient=people.liaison, title__startswith="待您审批").exists()


# --- 15. The type form reads the units once --------------------------------------------------------


def test_type_form_reads_units_once(client_for, people, away):
    url = reverse("leave:type_edit", args=[kind("annual").pk])
    client = client_for(people.sys_admin)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    unit_reads = [q for q in queries.captured_queries if 'FROM "org_unit" WHERE ("org_unit"."is_active"' in q["sql"]]
    assert len(unit_reads) == 1


# --- 20. Delegation states -------------------------------------------------------------------------


def test_delegation_states_and_revoke(away, people):
    today = day(11, 2)
    live = Delegation(delegator=people.head, delegate=people.liaison, starts_on=day(11, 1), ends_on=day(11, 9))
    assert live.state(today) == "live" and live.revocable(today)
    assert Delegation(starts_on=day(11, 5), ends_on=day(11, 9)).state(today) == "future"
    ended = Delegation.objects.create(
        delegator=people.head, delegate=people.liaison, starts_on=day(10, 1), ends_on=day(10, 9)
    )
    assert ended.state(today) == "ended" and not ended.revocable(today)
    assert refusal(lambda: delegation.revoke(people.head, ended)) == ["该委托已到期，无需撤销。"]


def test_delegations_page_shows_states(client_for, away, people):
    Delegation.objects.create(delegator=people.head, delegate=people.liaison, starts_on=day(10, 1), ends_on=day(10, 9))
    Delegation.objects.create(delegator=people.head, delegate=people.liaison, starts_on=day(11, 5), ends_on=day(11, 9))
    page = client_for(people.head).get(reverse("leave:delegations")).content.decode()
    assert "已到期" in page and "未开始" in page
    assert page.count("确定撤销这项委托吗") == 1


# --- 21. Return ---------------------------------------------------------------------------------------


def test_due_back_skips_weekends_and_holidays(away, people):
    CalendarDay.objects.create(date=day(11, 23), name="校庆")
    absence, _ = ask(away.deputy, start=(11, 18), end=(11, 20))  # Wed–Fri
    assert services.due_back(absence) == day(11, 24)  # Mon is a holiday: Tue


def test_return_form_defaults_to_the_next_working_day(client_for, away, people):
    import time_machine

    absence, _ = ask(away.deputy, start=(11, 4), end=(11, 6))  # Wed–Fri
    approvals.act(people.head, absence.steps.get(), True, "")
    with time_machine.travel(datetime.datetime(2026, 11, 12, 1, 0, tzinfo=datetime.UTC), tick=False):
        page = client_for(away.deputy).get(reverse("leave:request_detail", args=[absence.pk])).content.decode()
    assert 'value="2026-11-09"' in page  # Monday, not Saturday


# --- 22. Messages ---------------------------------------------------------------------------------------


def test_handle_step_says_handled(away, people):
    absence, _ = ask(away.deputy, "annual", start=(11, 16), end=(11, 16))
    approvals.act(away.vp, absence.steps.get(status=StepStatus.PENDING), True, "")
    approvals.act(away.hr_clerk, absence.steps.get(status=StepStatus.PENDING), True, "")
    told = Message.objects.filter(recipient=away.deputy).order_by("-pk").first()
    assert "人事部门办理：林人事已办理。" in told.body


def test_handle_step_title_when_more_steps_wait(away, people, org):
    from duban.leave.models import ChainStep

    annual = kind("annual")
    rule = annual.rules.get()
    ChainStep.objects.filter(rule=rule, approver="office").update(action="approve")
    absence, _ = ask(away.deputy, "annual", start=(11, 16), end=(11, 16))
    approvals.act(away.vp, absence.steps.get(status=StepStatus.PENDING), True, "")
    approvals.act(away.hr_clerk, absence.steps.get(status=StepStatus.PENDING), True, "")
    assert Message.objects.filter(recipient=away.deputy, title__startswith="人事部门办理完成，待办公室审批").exists()


def test_too_old_message_names_the_limit(away):
    messages = refusal(lambda: ask(away.deputy, start=(9, 1), end=(9, 2)))
    assert messages == [f"开始日期最早只能是 {services.MAX_PAST_DAYS} 天前（2026年10月3日）。"]


def test_holidays_page_with_an_absurd_year_shows_this_year(client_for, people):
    for bad in ("99999999999", "abc", "-3"):
        response = client_for(people.sys_admin).get(reverse("leave:holidays"), {"year": bad})
        assert response.status_code == 200
        assert response.context["year"] == 2026
