import datetime

import pytest
from django.urls import reverse

from duban.leave.models import AbsenceType, CalendarDay, ChainRule, LeaveSettings
from duban.leave.services import configure as services
from duban.leave.workdays import working_days
from duban.supervision.services import Refused

SETTINGS = reverse("leave:settings")
HOLIDAYS = reverse("leave:holidays")


def type_url(code):
    return reverse("leave:type_edit", args=[AbsenceType.objects.get(code=code).pk])


@pytest.mark.parametrize("name", ["SETTINGS", "HOLIDAYS", "TYPE"])
def test_pages_need_sys_admin(client, client_for, people, away, name):
    url = {"SETTINGS": SETTINGS, "HOLIDAYS": HOLIDAYS}.get(name) or type_url("travel")
    assert client.get(url).status_code == 302
    for persona in (people.office, people.staff, away.hr_clerk):
        assert client_for(persona).get(url).status_code == 403
    assert client_for(people.sys_admin).get(url).status_code == 200


def test_settings_page_shows_chains_in_words(client_for, people, away, django_assert_max_num_queries):
    client = client_for(people.sys_admin)
    client.get(SETTINGS)
    # 16, and the administrator's second-factor device that django-otp loads from the session.
    with django_assert_max_num_queries(17):
        body = client.get(SETTINGS).content.decode()
    assert "校级、正处级：主管领导审批 → 办公室告知；其他职级：本单位负责人审批" in body
    assert "所有人员：主管领导审批 → 人事部门办理 → 办公室备案 → 政工部门备案" in body


def test_settings_save(client_for, people, org, away):
    data = {"office_unit": org.office.pk, "hr_unit": org.academic.pk, "political_unit": "", "default_annual_days": "7"}
    response = client_for(people.sys_admin).post(SETTINGS, data)
    assert response.status_code == 302
    row = LeaveSettings.current()
    assert row.hr_unit == org.academic and row.political_unit is None and row.default_annual_days == 7
    response = client_for(people.sys_admin).post(SETTINGS, data | {"default_annual_days": "-1"})
    assert "天数不能为负数。" in response.content.decode()


def post_data(kind, rules, **type_fields):
    """rules: [(ranks, note, [(approver, unit_pk, action), ...], delete), ...] for the form."""
    data = {
        "name": kind.name,
        "order": kind.order,
        "rule-TOTAL_FORMS": len(rules),
        "rule-INITIAL_FORMS": kind.rules.count(),
        "rule-MIN_NUM_FORMS": 0,
        "rule-MAX_NUM_FORMS": 1000,
    }
    for flag in ("uses_balance", "needs_destination", "report_only", "is_active"):
        if type_fields.get(flag, getattr(kind, flag)):
            data[flag] = "on"
    existing = [r.steps.count() for r in kind.rules.all()]
    for i, (ranks, note, steps, delete) in enumerate(rules):
        data[f"rule-{i}-ranks"] = ranks
        data[f"rule-{i}-note"] = note
        if delete:
            data[f"rule-{i}-DELETE"] = "on"
        prefix = f"rule-{i}-step"
        initial = existing[i] if i < len(existing) else 0
        data |= {f"{prefix}-TOTAL_FORMS": max(len(steps), initial), f"{prefix}-INITIAL_FORMS": initial}
        for j, (approver, unit, action) in enumerate(steps):
            data |= {
                f"{prefix}-{j}-approver": approver,
                f"{prefix}-{j}-unit": unit or "",
                f"{prefix}-{j}-action": action,
            }
    return data


def test_type_edit_form_renders_rules(client_for, people, away):
    body = client_for(people.sys_admin).get(type_url("annual")).content.decode()
    assert "规则 1" in body and "新增一条规则" in body
    assert 'name="rule-0-step-3-approver"' in body  # four steps of the annual chain


def test_type_edit_saves_rules_in_order(client_for, people, org, away):
    kind = AbsenceType.objects.get(code="travel")
    rules = [
        (["school"], "校领导", [("office", "", "approve")], False),
        ([], "", [("unit_head", "", "approve"), ("unit", org.party.pk, "notify"), ("", "", "approve")], False),
        ([], "", [("", "", "approve")], False),  # an untouched new rule
    ]
    response = client_for(people.sys_admin).post(type_url("travel"), post_data(kind, rules, needs_destination=False))
    assert response.status_code == 302, response.context["form"].errors
    kind.refresh_from_db()
    assert not kind.needs_destination
    saved = list(ChainRule.objects.filter(absence_type=kind).order_by("order"))
    assert [r.ranks for r in saved] == [["school"], []]
    steps = list(saved[1].steps.order_by("order").values_list("approver", "unit_id", "action"))
    assert steps == [("unit_head", None, "approve"), ("unit", org.party.pk, "notify")]


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([([], "空", [("", "", "approve")], False)], "第1条规则至少需要一个步骤。"),
        ([([], "", [("unit", "", "approve")], False)], "第1条规则第1步：办理人为“指定部门”时须选择部门。"),
        ([([], "", [("office", "", "notify")], False)], "第1条规则没有“审批”或“办理”步骤"),
        ([([], "", [("office", "", "approve")], True)], "至少需要一条审批规则。"),
    ],
)
def test_type_edit_refusals(client_for, people, away, rules, message):
    kind = AbsenceType.objects.get(code="personal")
    before = list(ChainRule.objects.filter(absence_type=kind).values_list("pk", flat=True))
    data = post_data(kind, rules)
    data["rule-INITIAL_FORMS"] = 1 if rules[0][3] else 0
    response = client_for(people.sys_admin).post(type_url("personal"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(ChainRule.objects.filter(absence_type=kind).values_list("pk", flat=True)) == before


def test_report_only_type_may_notify_only(people, away):
    kind = AbsenceType.objects.get(code="outing")
    chain = [{"ranks": [], "note": "", "steps": [{"approver": "unit_head", "unit": None, "action": "notify"}]}]
    services.type_save(acting_user=people.sys_admin, absence_type=kind, chain=chain)
    assert kind.rules.get().steps.get().action == "notify"


def test_type_save_needs_sys_admin(people, away):
    kind = AbsenceType.objects.get(code="outing")
    with pytest.raises(services.PermissionDenied):
        services.type_save(acting_user=people.office, absence_type=kind, chain=[])


def test_holidays_parse():
    days = services.holidays_parse("2026-10-01 国庆节\n\n2026/10/11 调休上班\n2026年10月2日 国庆节")
    assert days == [
        (datetime.date(2026, 10, 1), False, "国庆节"),
        (datetime.date(2026, 10, 11), True, "调休上班"),
        (datetime.date(2026, 10, 2), False, "国庆节"),
    ]
    with pytest.raises(Refused) as caught:
        services.holidays_parse("2026-10-01 国庆节\n十月一日 国庆\n2026-02-30 错\n2026-10-01 又一次")
    assert caught.value.messages == [
        "第2行“十月一日 国庆”：日期无法识别，请写成“2026-10-01 国庆节”。",
        "第3行“2026-02-30 错”：日期无法识别，请写成“2026-10-01 国庆节”。",
        "第4行：2026-10-01 重复了。",
    ]
    with pytest.raises(Refused, match="没有可导入的日期。"):
        services.holidays_parse("  \n")


def test_holidays_page_paste_changes_working_days(client_for, people, away):
    client = client_for(people.sys_admin)
    # 2026-10-01 (Thu) to 2026-10-11 (Sun): 7 weekdays before the holidays.
    assert working_days(datetime.date(2026, 10, 1), datetime.date(2026, 10, 11)) == 7
    lines = "2026-10-01 国庆节\n2026-10-02 国庆节\n2026-10-05 国庆节\n2026-10-11 调休上班"
    response = client.post(HOLIDAYS, {"action": "paste", "paste-lines": lines})
    assert response.status_code == 302 and response.url.endswith("?year=2026")
    assert working_days(datetime.date(2026, 10, 1), datetime.date(2026, 10, 11)) == 5
    body = client.get(HOLIDAYS, {"year": 2026}).content.decode()
    assert "国庆节" in body and "调休上班" in body


def test_holidays_page_bad_paste_writes_nothing(client_for, people, away):
    response = client_for(people.sys_admin).post(HOLIDAYS, {"action": "paste", "paste-lines": "2026-10-01 国庆节\nabc"})
    assert response.status_code == 200
    assert "第2行“abc”：日期无法识别" in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_holidays_add_one_and_delete(client_for, people, away):
    client = client_for(people.sys_admin)
    response = client.post(HOLIDAYS, {"action": "one", "one-date": "2027-01-01", "one-name": "元旦"})
    assert response.url.endswith("?year=2027")
    day = CalendarDay.objects.get()
    assert not day.is_workday and day.name == "元旦"
    client.post(HOLIDAYS, {"action": "one", "one-date": "2027-01-01", "one-name": "元旦", "one-is_workday": "on"})
    assert CalendarDay.objects.get().is_workday
    client.post(HOLIDAYS, {"action": "delete", "day": day.pk})
    assert not CalendarDay.objects.exists()
    assert client_for(people.office).post(HOLIDAYS, {"action": "one", "one-date": "2027-01-02"}).status_code == 403
