"""Leave personas on top of tests/conftest.py's institution.

- 刘副校长 (vp): a vice president supervising 教务处 and 人事处 (LEADER scoped).
- 陈副处 (deputy): 副处级 of 教务处 (staff role) — travel goes to 赵处长 (the head).
- 赵处长 (people.head): 正处级 head of 教务处 — travel goes to 刘副校长, 党委办公室 is told.
- 韩党办 (office_clerk): liaison of 党委办公室, the institution's 办公室.
- 林人事 (hr_clerk): liaison of 人事处, the 人事部门; 郑外单位 (people.outsider) heads 人事处.
- 何组织 (political_clerk): liaison of 组织部, the 政工部门.
LeaveSettings names those three departments.
"""

from types import SimpleNamespace

import pytest
from auditlog.context import disable_auditlog

from duban.leave.models import LeaveSettings
from duban.org.models import Rank, Role, Unit, UnitKind
from tests.conftest import _person


@pytest.fixture
def away(org, people):
    with disable_auditlog():
        a = SimpleNamespace()
        a.political_unit = Unit.objects.create(name="组织部", kind=UnitKind.DEPARTMENT, parent=org.school, order=35)
        a.vp = _person("vp", "刘副校长", org.school, [(Role.LEADER, org.academic), (Role.LEADER, org.hr)], Rank.SCHOOL)
        a.deputy = _person("deputy", "陈副处", org.academic, [(Role.STAFF, org.academic)], Rank.DEPUTY_DIVISION)
        a.office_clerk = _person("officeclerk", "韩党办", org.office, [(Role.LIAISON, org.office)], Rank.SECTION)
        a.hr_clerk = _person("hrclerk", "林人事", org.hr, [(Role.LIAISON, org.hr)], Rank.SECTION)
        a.political_clerk = _person(
            "politicalclerk", "何组织", a.political_unit, [(Role.LIAISON, a.political_unit)], Rank.SECTION
        )
        LeaveSettings.objects.update_or_create(
            pk=1, defaults={"office_unit": org.office, "hr_unit": org.hr, "political_unit": a.political_unit}
        )
        return a
