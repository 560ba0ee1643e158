"""Rectification statistics: rates, overdue and relapse counts on the `rect` fixture
after two closures and a relapse; a constant number of queries; who may see them."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duban.org.access import access_for
from duban.rectification.models import MeasureType, Recheck
from duban.rectification.selectors.stats import rectification_stats
from duban.rectification.services.closure import closure_approve, closure_request, closure_review
from duban.rectification.services.findings import measure_save
from duban.rectification.services.watch import recheck_relapse
from duban.supervision.models import Item
from tests.rectification.conftest import FROZEN, pdf

pytestmark = pytest.mark.django_db
RELAPSE_DAY = datetime.date(2026, 12, 2)


@pytest.fixture
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def history(rect, people, _frozen):
    make_history(rect, people)
    return rect


def make_history(rect, people):
    """deadline (教务处) closed; at_once (人事处) closed, then relapsed at its 30-day re-check."""
    request = closure_request(
        acting_user=people.liaison,
        measure=rect.deadline,
        statement="已修订流程",
        evidence={"statement": "全部支部已按新流程召开组织生活会", "proof": pdf()},
    )
    closure_review(acting_user=people.taskforce, closure=request)
    closure_approve(acting_user=people.office, closure=request, today=rect.today)
    request = closure_request(
        acting_user=people.outsider, measure=rect.at_once, statement="已纠正", evidence={"statement": "已重新履行程序"}
    )
    closure_approve(acting_user=people.office, closure=request, today=rect.today)
    recheck = Recheck.objects.get(measure=rect.at_once, offset_days=30)
    recheck_relapse(acting_user=people.office, recheck=recheck, description="又出现程序不规范", today=RELAPSE_DAY)


def figures(rows):
    return {r.label: (r.total, r.completed, r.closed, r.overdue, r.relapsed) for r in rows}


def test_figures_after_closures_and_a_relapse(history, people):
    stats = rectification_stats(access_for(people.office), plan=history.plan)
    t = stats.totals
    assert (t.total, t.completed, t.closed, t.overdue, t.relapsed) == (4, 1, 1, 1, 1)
    assert (t.completion_rate, t.closure_rate) == (25, 25)
    assert figures(stats.by_unit) == {"教务处": (3, 1, 1, 0, 0), "人事处": (1, 0, 0, 1, 1)}
    assert [r.label for r in stats.by_unit] == ["教务处", "人事处"]  # unit order
    assert stats.by_unit[0].closure_rate == 33
    assert figures(stats.by_source) == {"巡视": (4, 1, 1, 1, 1)}
    assert figures(stats.by_category) == {"基层党建": (2, 1, 1, 0, 0), "选人用人": (2, 0, 0, 1, 1)}
    assert [r.label for r in stats.by_type] == ["立行立改", "限期整改", "长期坚持", "建章立制"]
    assert figures(stats.by_type)["限期整改"] == (1, 1, 1, 0, 0)
    assert figures(stats.by_type)["立行立改"] == (1, 0, 0, 1, 1)
    assert stats.months == ["2026-11", "2026-12"]
    assert stats.closures_by_month == [2, 0] and stats.relapses_by_month == [0, 1]
    assert stats.chart() == {"months": ["2026年11月", "2026年12月"], "closures": [2, 0], "relapses": [0, 1]}


def test_figures_are_scoped_by_visible_measures(history, people):
    stats = rectification_stats(access_for(people.outsider))  # 人事处 head
    assert figures(stats.by_unit) == {"人事处": (1, 0, 0, 1, 1)}
    assert stats.closures_by_month == [1, 0]
    head = rectification_stats(access_for(people.head))  # 教务处 head
    assert head.totals.total == 3 and head.totals.relapsed == 0 and head.months == ["2026-11"]


def test_query_count_is_constant(rect, people, _frozen):
    access = access_for(people.office)
    with CaptureQueriesContext(connection) as small:
        rectification_stats(access, plan=rect.plan)
    for n in range(8):
        item = Item(title=f"措施{n}", lead_unit=rect.at_once.item.lead_unit, start_date=rect.today,
                    due_date=datetime.date(2026, 12, 31))  # fmt: skip
        finding = rect.f1 if n % 2 else rect.f2
        measure_save(acting_user=people.office, finding=finding, item=item, measure_type=MeasureType.DEADLINE)
    access = access_for(people.office)
    with CaptureQueriesContext(connection) as large:
        stats = rectification_stats(access, plan=rect.plan)
    assert stats.totals.total == 12
    assert len(large) == len(small) <= 8


@pytest.mark.parametrize(
    "persona, status",
    [
        ("office", 200),
        ("leader", 200),
        ("head", 200),
        ("liaison", 200),
        ("taskforce", 200),
        ("discipline", 200),
        ("outsider", 200),
        ("staff", 403),
        ("norole", 403),
        ("audit_admin", 403),
    ],
)
def test_stats_page_per_persona(history, people, client_for, persona, status):
    response = client_for(getattr(people, persona)).get(reverse("rectification:stats"))
    assert response.status_code == status


def test_stats_page_renders_the_figures_and_chart_data(history, people, client, client_for):
    url = reverse("rectification:stats")
    assert client.get(url).status_code == 302
    office = client_for(people.office)
    page = office.get(url, {"plan": history.plan.pk}).content.decode()
    assert "整改统计" in page and "按责任单位" in page and "按措施类型" in page
    assert 'id="rect-monthly"' in page and 'data-rect-chart="monthly"' in page
    assert "2026年12月" in page and "反弹 1" in page and "逾期 1" in page
    assert office.get(url, {"plan": 99999}).status_code == 404
    assert office.get(url, {"plan": "abc"}).status_code == 200  # ignored: all plans


def test_stats_page_empty_state(rect, people, client_for, _frozen):
    from duban.rectification.models import Measure

    Measure.objects.all().delete()
    page = client_for(people.office).get(reverse("rectification:stats")).content.decode()
    assert "还没有可统计的整改措施" in page
