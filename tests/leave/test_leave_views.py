"""The request, task, delegation and balance pages: who may open them, and what they do."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duban.leave.models import AbsenceRequest, AbsenceStatus, Delegation, StepStatus
from duban.leave.services import approvals
from tests.leave.chain_helpers import ask, day, frozen, kind  # noqa: F401

pytestmark = pytest.mark.usefixtures("frozen")

PAGES = ["leave:my_requests", "leave:request_create", "leave:task_list", "leave:delegations", "leave:my_balance"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, away, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_a_person_of_a_unit_opens_every_page(client_for, away, name):
    assert client_for(away.deputy).get(reverse(name)).status_code == 200


def test_a_person_without_unit_may_not_request(client_for, people):
    people.norole.unit = None
    people.norole.save()
    client = client_for(people.norole)
    assert client.get(reverse("leave:my_requests")).status_code == 403
    assert client.get(reverse("leave:request_create")).status_code == 403
    assert client.get(reverse("leave:my_balance")).status_code == 403


def test_create_submits_and_shows_the_warnings(client_for, away, people):
    from duban.meetings.models import Invitation, Meeting, MeetingStatus
    from tests.meetings.conftest import at

    meeting = Meeting.objects.create(
        title="重点工作调度会",
        status=MeetingStatus.ANNOUNCED,
        starts_at=at(15, 9),
        ends_at=at(15, 11),
        place="第一会议室",
        host_unit=away.office_clerk.unit,
        organiser=people.office,
        created_by=people.office,
    )
    Invitation.objects.create(meeting=meeting, person=away.deputy)
    client = client_for(away.deputy)
    data = {
        "absence_type": kind("travel").pk,
        "starts_on": "2026-11-16",
        "ends_on": "2026-11-18",
        "destination": "北京",
        "reason": "参加会议",
        "contact": "",
    }
    preview = client.get(reverse("leave:request_create"), data, headers={"HX-Request": "true"})
    text = preview.content.decode()
    assert "与会议《重点工作调度会》（11月17日 09:00）时间冲突" in text
    assert "本单位负责人审批" in text and "赵处长" in text and "<html" not in text
    response = client.post(reverse("leave:request_create"), data, follow=True)
    absence = AbsenceRequest.objects.get()
    assert response.redirect_chain[-1][0] == reverse("leave:request_detail", args=[absence.pk])
    assert "与会议《重点工作调度会》" in response.content.decode()


def test_create_shows_a_service_refusal_on_the_form(client_for, away):
    client = client_for(away.deputy)
    data = {"absence_type": kind("travel").pk, "starts_on": "2026-11-07", "ends_on": "2026-11-08"}
    data.update(destination="北京", reason="周末")
    response = client.post(reverse("leave:request_create"), data)
    assert response.status_code == 200
    assert "所选日期内没有工作日，无需请假。" in response.content.decode()
    assert not AbsenceRequest.objects.exists()


def test_detail_is_seen_by_requester_approver_and_supervisors_only(client_for, away, people):
    absence, _ = ask(away.deputy)
    url = reverse("leave:request_detail", args=[absence.pk])
    for person in (away.deputy, people.head, away.vp, people.leader):
        assert client_for(person).get(url).status_code == 200
    for person in (people.outsider, people.staff, people.norole, away.office_clerk):
        assert client_for(person).get(url).status_code == 403
    page = client_for(people.head).get(url).content.decode()
    assert "请您办理：本单位负责人审批" in page and "参加全国教学工作会议" in page
    # 刘副校长 supervises 教务处: sees the request, not the reason, and no action.
    page = client_for(away.vp).get(url).content.decode()
    assert "请您办理" not in page and "参加全国教学工作会议" not in page


def test_act_from_the_task_list(client_for, away, people):
    absence, _ = ask(away.deputy)
    step = absence.steps.get()
    client = client_for(people.head)
    assert "陈副处" in client.get(reverse("leave:task_list")).content.decode()
    url = reverse("leave:act", args=[absence.pk, step.pk])
    response = client.post(url, {"decision": "refuse", "note": "", "next": "tasks"}, follow=True)
    assert "不同意须填写意见。" in response.content.decode()
    response = client.post(url, {"decision": "approve", "note": "同意", "next": "tasks"})
    assert response["Location"] == reverse("leave:task_list")
    absence.refresh_from_db()
    assert absence.status == AbsenceStatus.APPROVED
    assert "最近已办" in client.get(reverse("leave:task_list")).content.decode()


def test_act_by_someone_else_is_403(client_for, away, people):
    absence, _ = ask(away.deputy)
    step = absence.steps.get()
    response = client_for(people.outsider).post(
        reverse("leave:act", args=[absence.pk, step.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    assert client_for(people.head).get(reverse("leave:act", args=[absence.pk, step.pk])).status_code == 405


def test_the_delegate_sees_and_acts(client_for, away, people):
    Delegation.objects.create(delegator=people.head, delegate=people.liaison, starts_on=day(11, 1), ends_on=day(11, 9))
    absence, _ = ask(away.deputy)
    client = client_for(people.liaison)
    assert "代赵处长" in client.get(reverse("leave:task_list")).content.decode()
    page = client.get(reverse("leave:request_detail", args=[absence.pk])).content.decode()
    assert "受赵处长委托" in page
    client.post(reverse("leave:act", args=[absence.pk, absence.steps.get().pk]), {"decision": "approve"})
    assert absence.steps.get().on_behalf_of == people.head


def test_withdraw_and_return(client_for, away, people):
    absence, _ = ask(away.deputy)
    assert client_for(people.head).post(reverse("leave:withdraw", args=[absence.pk])).status_code == 403
    assert client_for(people.outsider).post(reverse("leave:withdraw", args=[absence.pk])).status_code == 403
    absence.refresh_from_db()
    assert absence.status == AbsenceStatus.PENDING
    client = client_for(away.deputy)
    client.post(reverse("leave:withdraw", args=[absence.pk]))
    absence.refresh_from_db()
    assert absence.status == AbsenceStatus.WITHDRAWN

    earlier, _ = ask(away.deputy, start=(10, 26), end=(10, 28))
    approvals.act(people.head, earlier.steps.get(status=StepStatus.PENDING), True, "")
    assert client_for(people.outsider).post(reverse("leave:record_return", args=[earlier.pk])).status_code == 403
    client.post(reverse("leave:record_return", args=[earlier.pk]), {"returned_on": "2026-10-29", "note": ""})
    earlier.refresh_from_db()
    assert earlier.returned_on == day(10, 29) and earlier.actual_days == 3


def test_delegations_page_creates_and_revokes(client_for, away, people):
    client = client_for(people.head)
    data = {"delegate": people.liaison.pk, "starts_on": "2026-11-02", "ends_on": "2026-11-06", "note": "出差"}
    assert client.post(reverse("leave:delegations"), data).status_code == 302
    given = Delegation.objects.get()
    response = client.post(reverse("leave:delegations"), data)
    assert "该期间您已委托钱联络" in response.content.decode()
    assert client_for(people.liaison).post(reverse("leave:delegation_revoke", args=[given.pk])).status_code == 404
    client.post(reverse("leave:delegation_revoke", args=[given.pk]))
    given.refresh_from_db()
    assert given.revoked_at is not None


def test_balance_page(client_for, away):
    ask(away.deputy, "annual", start=(11, 16), end=(11, 17))
    page = client_for(away.deputy).get(reverse("leave:my_balance")).content.decode()
    assert "11月16日" in page and "审批中" in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_lists_do_not_grow_queries_with_rows(client_for, away, people):
    deputy, head = client_for(away.deputy), client_for(people.head)
    ask(away.deputy, start=(11, 3), end=(11, 3))
    ask(people.staff, start=(11, 3), end=(11, 3))
    urls = [reverse("leave:my_requests"), reverse("leave:my_balance")]
    before = [_queries(deputy, u) for u in urls] + [_queries(head, reverse("leave:task_list"))]
    for n in range(4, 7):
        ask(away.deputy, start=(11, n), end=(11, n))
        ask(people.staff, start=(11, n), end=(11, n))
        ask(away.deputy, "annual", start=(11, 12 + n), end=(11, 12 + n))
    for absence in AbsenceRequest.objects.filter(person=people.staff)[:2]:
        approvals.act(people.head, absence.steps.get(), True, "")
    after = [_queries(deputy, u) for u in urls] + [_queries(head, reverse("leave:task_list"))]
    assert after == before


def test_the_preview_needs_only_the_type_and_the_dates(client_for, away):
    client = client_for(away.deputy)
    query = {"absence_type": kind("annual").pk, "starts_on": "2026-11-16", "ends_on": "2026-11-17", "reason": ""}
    text = client.get(reverse("leave:request_create"), query, headers={"HX-Request": "true"}).content.decode()
    assert "个工作日" in text and "从年休假中扣减" in text and "人事部门办理" in text
    query["ends_on"] = "2026-11-15"
    text = client.get(reverse("leave:request_create"), query, headers={"HX-Request": "true"}).content.decode()
    assert "选好类型和日期后" in text
