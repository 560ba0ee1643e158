"""Writes of the leave configuration (系统管理员) and of annual-leave entitlements (人事部门).
Each checks the rule in duban.leave.access and writes in one transaction."""

import datetime
import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from duban.leave import access as rules
from duban.leave.models import BLOCKING, Approver, CalendarDay, ChainRule, ChainStep, LeaveBalance, LeaveSettings
from duban.org.access import access_for
from duban.supervision.services import Refused

ERR_REPORT_ONLY = (
    "第{number}条规则第{order}步：“仅报备”的类型提交即生效，不能有“审批”或“办理”步骤，请改为“告知”或“备案”。"
)
LINE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*(.*)$")


def _configurer(acting_user):
    if not access_for(acting_user).can_configure():
        raise PermissionDenied("只有系统管理员可以修改请销假设置。")


@transaction.atomic
def settings_save(*, acting_user, settings_row: LeaveSettings) -> LeaveSettings:
    _configurer(acting_user)
    settings_row.pk = 1
    settings_row.save()
    return settings_row


def check_rules(absence_type, chain: list[dict]) -> None:
    """chain: [{"ranks": [...], "note": "", "steps": [{"approver", "unit", "action"}, ...]}, ...]."""
    errors = []
    if not chain:
        errors.append("至少需要一条审批规则。")
    for number, rule in enumerate(chain, start=1):
        steps = rule["steps"]
        if not steps:
            errors.append(f"第{number}条规则至少需要一个步骤。")
        for order, step in enumerate(steps, start=1):
            if step["approver"] == Approver.UNIT and step.get("unit") is None:
                errors.append(f"第{number}条规则第{order}步：办理人为“指定部门”时须选择部门。")
            if absence_type.report_only and step["action"] in BLOCKING:
                errors.append(ERR_REPORT_ONLY.format(number=number, order=order))
        if steps and not absence_type.report_only and not any(s["action"] in BLOCKING for s in steps):
            errors.append(f"第{number}条规则没有“审批”或“办理”步骤：需审批的类型每条规则至少要有一个。")
    if errors:
        raise Refused(errors)


@transaction.atomic
def type_save(*, acting_user, absence_type, chain: list[dict]):
    """Save a type and replace its rules and steps (requests keep their own copy of the steps)."""
    _configurer(acting_user)
    check_rules(absence_type, chain)
    absence_type.save()
    absence_type.rules.all().delete()
    for number, rule in enumerate(chain, start=1):
        row = ChainRule.objects.create(absence_type=absence_type, ranks=rule["ranks"], order=number, note=rule["note"])
        for order, step in enumerate(rule["steps"], start=1):
            unit = step.get("unit") if step["approver"] == Approver.UNIT else None
            ChainStep.objects.create(rule=row, order=order, approver=step["approver"], unit=unit, action=step["action"])
    return absence_type


def holidays_parse(text: str) -> list[tuple[datetime.date, bool, str]]:
    """Lines "2026-10-01 国庆节" / "2026-10-11 调休上班" → (date, is_workday, name). A name
    containing “上班” marks a make-up working day."""
    days, errors, seen = [], [], set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = LINE.match(line)
        try:
            if match is None:
                raise ValueError
            day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            errors.append(f"第{number}行“{line[:30]}”：日期无法识别，请写成“2026-10-01 国庆节”。")
            continue
        if day in seen:
            errors.append(f"第{number}行：{day:%Y-%m-%d} 重复了。")
            continue
        seen.add(day)
        name = match[4].strip()[:40]
        days.append((day, "上班" in name, name))
    if errors:
        raise Refused(errors)
    if not days:
        raise Refused("没有可导入的日期。")
    return days


@transaction.atomic
def holidays_add(*, acting_user, days: list[tuple[datetime.date, bool, str]]) -> int:
    """Add or replace the given days (one CalendarDay per date)."""
    _configurer(acting_user)
    for day, is_workday, name in days:
        CalendarDay.objects.update_or_create(date=day, defaults={"is_workday": is_workday, "name": name})
    return len(days)


@transaction.atomic
def holiday_delete(*, acting_user, day: CalendarDay) -> None:
    _configurer(acting_user)
    day.delete()


def _balance_keeper(acting_user):
    if not rules.can_manage_balances(access_for(acting_user)):
        raise PermissionDenied("只有人事部门可以维护年休假额度。")


@transaction.atomic
def balance_set(*, acting_user, person, year: int, entitled: Decimal, carried: Decimal) -> LeaveBalance:
    _balance_keeper(acting_user)
    if entitled < 0 or carried < 0:
        raise Refused("天数不能为负数。")
    row, _ = LeaveBalance.objects.update_or_create(
        person=person, year=year, defaults={"entitled_days": entitled, "carried_days": carried}
    )
    return row


@transaction.atomic
def balances_generate(*, acting_user, year: int, people) -> int:
    """Create the missing LeaveBalance rows of a year with the default days."""
    _balance_keeper(acting_user)
    default = LeaveSettings.current().default_annual_days
    have = set(LeaveBalance.objects.filter(year=year).values_list("person_id", flat=True))
    missing = [LeaveBalance(person=p, year=year, entitled_days=default) for p in people if p.pk not in have]
    LeaveBalance.objects.bulk_create(missing)
    return len(missing)
