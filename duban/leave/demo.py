"""Demo leave and travel (seed 003's rules), through the same services as real requests:

- the departments of the default chains: 党委办公室 (办公室), 人事处 (人事部门), 组织部 (政工部门);
- this year's annual-leave entitlements (5 days, more for long-serving heads);
- public holidays of the coming weeks;
- requests around today: a 副处级 deputy's travel approved by the head of 教务处, the head's own
  travel waiting for the vice president, a staff member's annual leave approved, handled by HR and
  filed, a vice president away this week (校领导外出), a 外出报备, a withdrawn request, and a
  head's approved travel over next week's scheduling meeting (its meeting leave is proposed);
- a vice president's delegation to a colleague while away.

Runs before the meetings demo; idempotent: created once.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from duban.leave.defaults import install_defaults
from duban.leave.models import (
    AbsenceRequest,
    AbsenceType,
    CalendarDay,
    ChainRule,
    ChainStep,
    LeaveBalance,
    LeaveSettings,
    RequestStep,
    StepStatus,
)
from duban.leave.services import approvals, delegation, requests
from duban.leave.workdays import Workdays
from duban.org.models import Person, Rank, Unit

HOLIDAYS = [
    # (month, day, is_workday, name) of the next New Year, as an example of the 节假日调整 table.
    (1, 1, False, "元旦"),
    (1, 2, False, "元旦"),
    (1, 3, False, "元旦"),
]


@transaction.atomic
def load_demo(today: datetime.date | None = None) -> None:
    if AbsenceRequest.objects.exists():
        return
    today = today or timezone.localdate()
    units = {u.name: u for u in Unit.objects.all()}
    if not {"党委办公室", "人事处", "组织部", "教务处"} <= set(units):
        return
    install_defaults(AbsenceType, ChainRule, ChainStep)  # normally done by migration 0002
    LeaveSettings.objects.update_or_create(
        pk=1,
        defaults={"office_unit": units["党委办公室"], "hr_unit": units["人事处"], "political_unit": units["组织部"]},
    )
    _holidays(today)
    _balances(today.year)
    _requests(today, units)


def _holidays(today):
    year = today.year + 1
    for month, day, is_workday, name in HOLIDAYS:
        CalendarDay.objects.get_or_create(
            date=datetime.date(year, month, day), defaults={"is_workday": is_workday, "name": name}
        )


def _balances(year):
    people = Person.objects.filter(is_active=True, unit__isnull=False).only("id", "rank")
    LeaveBalance.objects.bulk_create(
        [
            LeaveBalance(
                person=p,
                year=year,
                entitled_days=Decimal(15 if p.rank in (Rank.SCHOOL, Rank.DIVISION) else 10 if p.pk % 3 else 5),
            )
            for p in people
        ],
        ignore_conflicts=True,
    )


def _types():
    return {t.code: t for t in AbsenceType.objects.all()}


def _workday(day: datetime.date, forward: bool = True) -> datetime.date:
    """The nearest working day from `day` (holidays and make-up days included)."""
    step = datetime.timedelta(days=1 if forward else -1)
    calendar = Workdays(min(day, day + 20 * step), max(day, day + 20 * step))
    while not calendar.is_workday(day):
        day += step
    return day


def _submit(person, code, start, end, reason, destination="", today=None):
    kind = _types()[code]
    absence, _warnings = requests.submit(
        person, kind, start, end, reason, destination=destination, contact=person.phone, today=today
    )
    return absence


def _approve_all(absence):
    """Act on every blocking step as its first assignee would."""
    while True:
        step = (
            RequestStep.objects.filter(request=absence, status=StepStatus.PENDING).prefetch_related("assignees").first()
        )
        if step is None:
            return absence
        actor = min(step.assignees.all(), key=lambda person: person.pk)
        note = "同意。" if step.action == "approve" else "已办理。"
        approvals.act(actor, step, True, note)


def _requests(today, units):
    people = {p.username: p for p in Person.objects.filter(unit__isnull=False)}
    head = people.get("unithead")
    deputy = Person.objects.filter(unit=units["教务处"], rank=Rank.DEPUTY_DIVISION).order_by("id").first()
    staff = people.get("staff")
    liaison = people.get("liaison")
    vp2 = people.get("vp2")
    monday = today - datetime.timedelta(days=today.weekday())
    if not all([head, deputy, staff, liaison]):
        return
    # 1. A 副处级 deputy's travel this week: the head of 教务处 approves.
    _approve_all(
        _submit(deputy, "travel", monday, monday + datetime.timedelta(days=2), "参加全国高校教学研讨会", "武汉")
    )
    # 2. Annual leave of a staff member two weeks ago: leader approves, HR handles, office and 组织部 file.
    start = monday - datetime.timedelta(days=14)
    _approve_all(_submit(staff, "annual", start, start + datetime.timedelta(days=3), "探亲", today=today))
    # 3. A vice president away this week (校领导外出): the secretary or president approves.
    if vp2 is not None:
        trip = _submit(
            vp2,
            "travel",
            monday + datetime.timedelta(days=1),
            monday + datetime.timedelta(days=3),
            "带队赴兄弟院校调研人事制度改革",
            "成都",
        )
        _approve_all(trip)
    # 4. The head's travel over next week's scheduling meeting, approved: its meeting leave is proposed
    #    when the meeting is announced.
    next_week = monday + datetime.timedelta(days=7)
    _approve_all(
        _submit(
            head, "travel", next_week, next_week + datetime.timedelta(days=3), "赴教育部参加本科教学工作会议", "北京"
        )
    )
    # 5. The head's further travel, still waiting for the vice president.
    later = next_week + datetime.timedelta(days=14)
    _submit(head, "travel", later, later + datetime.timedelta(days=1), "参加专业认证专家组工作", "上海")
    # 6. A 外出报备 of the liaison today: effective at once, the head is told.
    _submit(liaison, "outing", _workday(today), _workday(today), "到市教育局报送材料", "市教育局")
    # 7. A personal-leave request the liaison withdrew.
    withdrawn = _submit(liaison, "personal", later, later, "家中有事")
    requests.withdraw(liaison, withdrawn)
    # 8. vp1 delegates approvals to the secretary while away next month.
    vp1, secretary = people.get("vp1"), Person.objects.filter(username="leader").first()
    if vp1 is not None and secretary is not None:
        away_from = monday + datetime.timedelta(days=28)
        delegation.create(
            vp1, secretary, away_from, away_from + datetime.timedelta(days=4), "外出学习期间", today=today
        )
