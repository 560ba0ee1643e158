"""我的工作 shows each role what rectification waits for from them."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from duban.org.access import access_for
from duban.rectification.models import Recheck
from duban.rectification.services.closure import closure_approve, closure_request, closure_review
from duban.rectification.services.watch import recheck_relapse
from duban.workbench.panels import panels_for
from tests.rectification.conftest import FROZEN, pdf

pytestmark = pytest.mark.django_db


def panel(person, title):
    return next(p for p in panels_for(access_for(person)) if p.title == title)


def texts(panel):
    return " ".join(row["text"] for row in panel.rows)


@pytest.fixture
def requested(rect, people):
    with time_machine.travel(FROZEN, tick=False):
        return closure_request(
            acting_user=people.liaison,
            measure=rect.deadline,
            statement="已完成",
            evidence={"statement": "已完成", "proof": pdf()},
        )


def test_liaison_group_sees_requests_to_review_and_due_rechecks(rect, people, requested):
    assert "规范组织生活会流程" in texts(panel(people.taskforce, "待我复核"))
    closure_review(acting_user=people.taskforce, closure=requested)
    closure_approve(acting_user=people.office, closure=requested, today=rect.today)
    assert panel(people.taskforce, "待我复核").rows == []
    with time_machine.travel(FROZEN + datetime.timedelta(days=31), tick=False):
        rows = panel(people.taskforce, "待我复核").rows
        assert len(rows) == 1 and "销号后第 30 天" in rows[0]["text"]
        assert rows[0]["url"] == reverse("rectification:recheck_record", args=[Recheck.objects.first().pk])


def test_office_sees_closures_to_approve(rect, people, requested):
    assert panel(people.office, "整改销号").rows == []
    closure_review(acting_user=people.taskforce, closure=requested)
    assert "规范组织生活会流程" in texts(panel(people.office, "整改销号"))


def test_unit_sees_its_open_measures_and_discipline_sees_relapses(rect, people, requested):
    unit = texts(panel(people.head, "本单位整改措施"))
    assert "规范组织生活会流程" in unit and "立即纠正不规范的选拔程序" not in unit  # 人事处's
    closure_review(acting_user=people.taskforce, closure=requested)
    closure_approve(acting_user=people.office, closure=requested, today=rect.today)
    recheck = Recheck.objects.get(measure=rect.deadline, offset_days=30)
    recheck_relapse(acting_user=people.taskforce, recheck=recheck, description="记录又缺失", today=recheck.due_on)
    assert "整改反弹 · 教务处 · 规范组织生活会流程" in texts(panel(people.discipline, "问责线索"))
    first = panel(people.head, "本单位整改措施").rows[0]
    assert first["text"] == "规范组织生活会流程" and first["meta"] == "整改中（曾反弹）"


def test_staff_see_disclosed_plans_only(rect, people):
    assert panel(people.staff, "整改公开").rows == []
    rect.profile.disclosed = True
    rect.profile.save()
    row = panel(people.staff, "整改公开").rows[0]
    assert row["text"] == "2026年巡视整改方案" and row["meta"] == "已销号 0/4"
