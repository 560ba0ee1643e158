"""The ladder editor: only the office sees and changes a plan's reminder rungs."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from duban.supervision.models import Plan, Recipient, ReminderRung, ReminderSent, RungTrigger
from duban.supervision.reminders import sweep
from duban.supervision.services import Refused
from duban.supervision.services import ladder as services
from duban.supervision.services.plans import DEFAULT_LADDER

NOT_OFFICE = [
    "leader",
    "head",
    "liaison",
    "taskforce",
    "discipline",
    "staff",
    "outsider",
    "sys_admin",
    "sec_admin",
    "audit_admin",
    "norole",
]


def ladder_url(plan):
    return reverse("supervision:ladder", args=[plan.pk])


def rungs_of(plan):
    return list(plan.rungs.order_by("order", "id"))


def formset_data(plan, changes=None):
    """The POST of the ladder table as the page renders it, with `changes` per row index."""
    rungs = rungs_of(plan)
    data = {
        "rungs-TOTAL_FORMS": len(rungs),
        "rungs-INITIAL_FORMS": len(rungs),
        "rungs-MIN_NUM_FORMS": 0,
        "rungs-MAX_NUM_FORMS": 1000,
    }
    for i, rung in enumerate(rungs):
        row = {
            "id": rung.pk,
            "trigger": rung.trigger,
            "days": rung.days,
            "recipients": list(rung.recipients),
            "repeat_days": rung.repeat_days,
            "active": "on" if rung.active else None,
        }
        row.update((changes or {}).get(i, {}))
        data.update({f"rungs-{i}-{key}": value for key, value in row.items() if value is not None})
    return data


def add_data(**changes):
    data = {"new-trigger": "overdue", "new-days": "30", "new-recipients": ["patron"], "new-repeat_days": "0"}
    data["new-active"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- Who may -----------------------------------------------------------------


def all_requests(plan):
    rung = plan.rungs.first()
    return [
        ("get", ladder_url(plan), None),
        ("post", ladder_url(plan), formset_data(plan)),
        ("post", reverse("supervision:ladder_add", args=[plan.pk]), add_data()),
        ("post", reverse("supervision:ladder_reset", args=[plan.pk]), {}),
        ("post", reverse("supervision:rung_delete", args=[rung.pk]), {}),
    ]


def test_anonymous_people_sign_in_first(work, client):
    for method, url, data in all_requests(work.plan):
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", NOT_OFFICE)
def test_everyone_but_the_office_is_refused(work, people, client_for, persona):
    client = client_for(getattr(people, persona))
    before = [(r.pk, r.days, r.recipients) for r in rungs_of(work.plan)]
    for method, url, data in all_requests(work.plan):
        assert getattr(client, method)(url, data or {}).status_code == 403, url
    assert [(r.pk, r.days, r.recipients) for r in rungs_of(work.plan)] == before


def test_unknown_plan_or_rung(people, client_for, work):
    client = client_for(people.office)
    assert client.get(reverse("supervision:ladder", args=[99999])).status_code == 404
    assert client.post(reverse("supervision:rung_delete", args=[99999])).status_code == 404
    assert client.get(reverse("supervision:rung_delete", args=[work.plan.rungs.first().pk])).status_code == 405


# --- The page ---------------------------------------------------------------------


def test_the_office_sees_the_ladder_and_what_was_sent(work, people, client_for):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        sweep(work.today)
        response = client_for(people.office).get(ladder_url(work.plan))
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == len(DEFAULT_LADDER)
    html = response.content.decode()
    assert "提醒规则" in html and "恢复默认" in html and "新增规则" in html
    assert 'data-confirm="删除“到期前 20 天”这条规则？' in html
    assert 'name="rungs-0-recipients" value="responsible"' in html
    sent = list(response.context["sent"])
    assert len(sent) == ReminderSent.objects.count() > 0
    assert f'href="/supervision/items/{work.labs.pk}/"' in html
    assert "<td>进度滞后</td>" in html  # the behind rung fired on 11月2日
    assert "style=" not in html and "<script>" not in html and " onclick" not in html


def test_the_sent_list_shows_the_latest_fifty(work, people, client_for):
    rung = work.plan.rungs.first()
    ReminderSent.objects.bulk_create(
        ReminderSent(item=work.labs, rung=rung, on_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
        for n in range(60)
    )
    sent = list(client_for(people.office).get(ladder_url(work.plan)).context["sent"])
    assert len(sent) == 50
    assert sent[0][0].on_date == datetime.date(2026, 3, 1)


def test_empty_ladder_says_what_to_do(work, people, client_for):
    work.plan.rungs.all().delete()
    html = client_for(people.office).get(ladder_url(work.plan)).content.decode()
    assert "本计划还没有提醒规则" in html
    assert "还没有发送过提醒" in html


# --- Editing ----------------------------------------------------------------------


def test_edit_rungs(work, people, client_for):
    data = formset_data(work.plan, {0: {"days": "15", "recipients": ["responsible", "patron"], "active": None}})
    response = client_for(people.office).post(ladder_url(work.plan), data, follow=True)
    assert response.redirect_chain[-1][0] == ladder_url(work.plan)
    assert "提醒规则已保存（修改 1 条）。" in response.content.decode()
    rung = rungs_of(work.plan)[0]
    assert (rung.days, rung.recipients, rung.active) == (15, ["responsible", "patron"], False)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"days": "366"}, "天数应为 0 到 365 之间的整数。"),
        ({"days": "-1"}, "天数应为 0 到 365 之间的整数。"),
        ({"days": "十"}, "天数应为 0 到 365 之间的整数。"),
        ({"repeat_days": "400"}, "重复间隔应为 0 到 365 之间的整数（0 表示每个完成时限只提醒一次）。"),
        ({"recipients": None}, "请至少选择一个提醒对象。"),
        ({"recipients": ["dean"]}, "提醒对象无效。"),
    ],
)
def test_edit_refuses_bad_values_with_clear_messages(work, people, client_for, change, message):
    before = [(r.days, r.repeat_days, r.recipients) for r in rungs_of(work.plan)]
    response = client_for(people.office).post(ladder_url(work.plan), formset_data(work.plan, {1: change}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "请修改以下问题后再提交" in html
    assert "第 2 条规则 · " in html and message in html
    assert [(r.days, r.repeat_days, r.recipients) for r in rungs_of(work.plan)] == before


def test_edit_cannot_reach_another_plans_rung(work, people, client_for):
    other = Plan.objects.create(title="另一计划")
    foreign = ReminderRung.objects.create(plan=other, trigger="overdue", days=1, recipients=["office"])
    data = formset_data(work.plan, {0: {"id": foreign.pk, "days": "99"}})
    # The formset only knows this plan's rungs: an outside id is ignored.
    client_for(people.office).post(ladder_url(work.plan), data)
    foreign.refresh_from_db()
    assert foreign.days == 1


def test_add_a_rung(work, people, client_for):
    response = client_for(people.office).post(reverse("supervision:ladder_add", args=[work.plan.pk]), add_data())
    assert response.status_code == 302
    added = work.plan.rungs.get(trigger="overdue", days=30)
    assert (added.recipients, added.repeat_days, added.active) == (["patron"], 0, True)
    # Renumbered: before-due far to near, then overdue by days.
    assert [(r.trigger, r.days) for r in rungs_of(work.plan)][:6] == [
        ("before_due", 20),
        ("before_due", 10),
        ("before_due", 3),
        ("overdue", 1),
        ("overdue", 30),
        ("report_missing", 2),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"new-days": "1000"}, "天数应为 0 到 365 之间的整数。"),
        ({"new-days": ""}, "天数应为 0 到 365 之间的整数。"),
        ({"new-recipients": None}, "请至少选择一个提醒对象。"),
        ({"new-trigger": "tomorrow"}, "请选择触发条件。"),
    ],
)
def test_add_refuses_bad_values(work, people, client_for, change, message):
    count = work.plan.rungs.count()
    response = client_for(people.office).post(
        reverse("supervision:ladder_add", args=[work.plan.pk]), add_data(**change)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "新增规则 · " in html and message in html
    assert work.plan.rungs.count() == count


def test_delete_a_rung(work, people, client_for):
    rung = rungs_of(work.plan)[0]
    response = client_for(people.office).post(reverse("supervision:rung_delete", args=[rung.pk]), follow=True)
    assert "已删除提醒规则“到期前 20 天”。" in response.content.decode()
    assert not ReminderRung.objects.filter(pk=rung.pk).exists()


def test_restore_the_default(work, people, client_for):
    work.plan.rungs.all().delete()
    ReminderRung.objects.create(plan=work.plan, trigger="behind", days=0, recipients=["office"])
    response = client_for(people.office).post(reverse("supervision:ladder_reset", args=[work.plan.pk]), follow=True)
    assert "已恢复默认提醒规则。" in response.content.decode()
    assert [(r.trigger, r.days, r.recipients, r.repeat_days) for r in rungs_of(work.plan)] == [
        (str(t), d, [str(r) for r in rs], rep) for t, d, rs, rep in DEFAULT_LADDER
    ]


# --- The service ------------------------------------------------------------------


def test_services_refuse_anyone_but_the_office(work, people):
    rung = work.plan.rungs.first()
    with pytest.raises(PermissionDenied):
        services.rung_add(acting_user=people.leader, plan=work.plan, trigger="behind", days=0, recipients=["office"])
    with pytest.raises(PermissionDenied):
        services.rung_delete(acting_user=people.head, rung=rung)
    with pytest.raises(PermissionDenied):
        services.ladder_restore_default(acting_user=people.liaison, plan=work.plan)
    with pytest.raises(PermissionDenied):
        services.rungs_update(acting_user=people.staff, plan=work.plan, rungs=[rung])


def test_service_validation_names_the_fields(work, people):
    with pytest.raises(Refused) as refused:
        services.rung_add(
            acting_user=people.office, plan=work.plan, trigger="soon", days=500, recipients=[], repeat_days=-1
        )
    assert refused.value.message_dict == {
        "trigger": [str(services.ERR_TRIGGER)],
        "days": [str(services.ERR_DAYS)],
        "repeat_days": [str(services.ERR_REPEAT)],
        "recipients": [str(services.ERR_NO_RECIPIENT)],
    }
    other = ReminderRung(pk=None, plan=work.plan, trigger=RungTrigger.BEHIND, recipients=[Recipient.OFFICE])
    with pytest.raises(Refused, match="该提醒规则不属于这个计划。"):
        services.rungs_update(acting_user=people.office, plan=work.plan, rungs=[other])
