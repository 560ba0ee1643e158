"""A plan of key projects for the supervision tests.

`work` builds, on top of the `org` and `people` personas, a plan 「2026年重点工作攻坚突破项目」
with three items led by 教务处 (赵处长's unit, patron 李校长, responsible 钱联络) and one led by
人事处 (the outsider's unit), all weekly, starting 2026-09-01 and due 2026-12-31. Time is frozen
by the tests themselves (time_machine); `TODAY` is the date the fixture was built for.
"""

import datetime

import pytest
import time_machine
from auditlog.context import disable_auditlog

from duban.supervision.models import Indicator, Item, Plan, PlanKind, TimeNode
from duban.supervision.services.items import item_save
from duban.supervision.services.plans import plan_save
from duban.supervision.state import states_refresh

TODAY = datetime.date(2026, 11, 2)  # a Monday


class Work:
    """Handles to the fixture plan and its items."""


@pytest.fixture
def work(org, people):
    return build_work(org, people)


def build_work(org, people) -> Work:
    with (
        disable_auditlog(),
        time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False),
    ):
        w = Work()
        w.plan = plan_save(
            acting_user=people.office,
            plan=Plan(title="2026年重点工作攻坚突破项目", kind=PlanKind.BREAKTHROUGH, year=2026, owner_unit=org.office),
        )

        def make(title, unit, ordinal, **extra):
            item = Item(
                plan=w.plan,
                ordinal=ordinal,
                title=title,
                lead_unit=unit,
                patron_leader=people.leader,
                responsible_person=extra.pop("responsible", people.liaison),
                start_date=datetime.date(2026, 9, 1),
                # In the system since it started, so it owes every report since then.
                created_at=datetime.datetime(2026, 9, 1, 9, 0, tzinfo=datetime.UTC),
                due_date=extra.pop("due", datetime.date(2026, 12, 31)),
                **extra,
            )
            return item_save(acting_user=people.office, item=item, co_units=[org.hr], today=TODAY)

        w.teaching = make("本科教学质量提升工程", org.academic, 1)
        w.labs = make("实验室建设项目", org.academic, 2)
        w.courses = make("一流课程建设", org.academic, 3)
        w.talent = make("高层次人才引进", org.hr, 4, responsible=people.outsider)
        TimeNode.objects.create(item=w.teaching, title="完成方案论证", due_date=datetime.date(2026, 10, 15))
        w.indicator = Indicator.objects.create(item=w.teaching, name="新增一流课程", unit_of_measure="门", target=10)
        states_refresh(Item.objects.all(), TODAY)
        w.today = TODAY
    return w
