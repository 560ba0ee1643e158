"""A rectification plan in mid-course for the rectification tests.

`rect` builds, on top of the `org` and `people` personas, 「2026年巡视整改方案」 (source 巡视) with:
- finding 1 (反馈意见第1条, 基层党建, 较重; units 教务处 and 航空运输系党支部) rectified by
  `deadline` (限期整改, 教务处, due 2026-12-31) and `rule` (建章立制, 教务处, due 2026-12-15);
- finding 2 (反馈意见第2条, 选人用人, 一般; unit 人事处) rectified by `at_once` (立行立改, 人事处,
  due 2026-11-30) and `ongoing` (长期坚持, 教务处, no end date).
第一联络组 (孙专班) covers 教务处 and the branch, so 教务处's measures go through liaison
review; 人事处 is covered by no group, so its closures go straight to the office.
Responsible person of 教务处's measures: 钱联络; of 人事处's: 郑外单位. Patron: 李校长.
Time is frozen by the tests themselves; `TODAY` is the date the fixture was built for.
"""

import datetime

import pytest
import time_machine
from auditlog.context import disable_auditlog
from django.core.files.uploadedfile import SimpleUploadedFile

from duban.rectification.models import Finding, MeasureType, RectificationPlan, Severity, Source
from duban.rectification.services.findings import finding_save, measure_save
from duban.rectification.services.plans import rectification_plan_save
from duban.supervision.models import Item, Plan

TODAY = datetime.date(2026, 11, 2)
FROZEN = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def pdf(name="佐证材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% evidence\n", content_type="application/pdf")


class Rect:
    """Handles to the fixture plan, findings and measures."""


@pytest.fixture
def rect(org, people):
    return build_rect(org, people)


def build_rect(org, people) -> Rect:
    org.grid.covered_units.add(org.academic)
    with disable_auditlog(), time_machine.travel(FROZEN, tick=False):
        r = Rect()
        r.profile = rectification_plan_save(
            acting_user=people.office,
            plan=Plan(
                title="2026年巡视整改方案", year=2026, owner_unit=org.office, start_date=datetime.date(2026, 9, 1)
            ),
            profile=RectificationPlan(source=Source.INSPECTION, reference="巡视反馈意见"),
        )
        r.plan = r.profile.plan
        r.f1 = finding_save(
            acting_user=people.office,
            finding=Finding(
                plan=r.plan,
                reference="反馈意见第1条",
                category="基层党建",
                severity=Severity.SERIOUS,
                description="个别党支部组织生活会不够规范严谨，钱联络所在支部记录不全",
                public_summary="部分党支部组织生活会不够规范",
                internal_note="内部：涉及钱联络的谈话记录",
            ),
            units=[org.academic, org.branch],
        )
        r.f2 = finding_save(
            acting_user=people.office,
            finding=Finding(
                plan=r.plan,
                reference="反馈意见第2条",
                category="选人用人",
                description="干部选拔任用程序执行不严格",
                public_summary="干部选拔任用程序需进一步规范",
            ),
            units=[org.hr],
        )

        def measure(finding, title, unit, kind, due, responsible):
            item = Item(
                title=title,
                lead_unit=unit,
                patron_leader=people.leader,
                responsible_person=responsible,
                start_date=datetime.date(2026, 9, 1),
                due_date=due,
            )
            return measure_save(acting_user=people.office, finding=finding, item=item, measure_type=kind)

        r.deadline = measure(
            r.f1, "规范组织生活会流程", org.academic, MeasureType.DEADLINE, datetime.date(2026, 12, 31), people.liaison
        )
        r.rule = measure(
            r.f1,
            "制定组织生活会工作规范",
            org.academic,
            MeasureType.INSTITUTION,
            datetime.date(2026, 12, 15),
            people.liaison,
        )
        r.at_once = measure(
            r.f2,
            "立即纠正不规范的选拔程序",
            org.hr,
            MeasureType.IMMEDIATE,
            datetime.date(2026, 11, 30),
            people.outsider,
        )
        r.ongoing = measure(r.f2, "长期坚持干部选任全程纪实", org.academic, MeasureType.ONGOING, None, people.liaison)
        r.today = TODAY
    return r
